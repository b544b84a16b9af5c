// Rule tables of the schedule, count_down and anti_theft modules: validated
// fields, 32-hex-digit upper-case ids, a capacity (a second countdown is
// refused with -10 "table is full", as the firmware holds one).
//
// `wday` and `repeat` are 0/1 on every model. Models whose firmware also takes
// JSON booleans there (hardware 1.x, see models.ts booleanRuleFlags) store the
// flags as written, so get_rules gives booleans back; everything that reads a
// stored flag goes through flagSet().

import { randomBytes } from 'crypto';
import { ArgError, Args, ERR, optFlag, optNum, optStr } from './replies';

export type RuleKind = 'schedule' | 'count_down' | 'anti_theft';

export type Rule = Record<string, unknown> & { id: string };

export const CAPACITY: Record<RuleKind, number> = { schedule: 32, count_down: 1, anti_theft: 8 };

/** Fields every add_rule must carry; a missing one is -10002. */
const REQUIRED: Record<RuleKind, string[]> = {
  schedule: ['sact', 'smin'],
  count_down: ['delay', 'act'],
  anti_theft: ['smin', 'emin'],
};

const MINUTE = { min: 0, max: 1439, int: true };
const TIME_OPT = { min: -1, max: 2, int: true };
const ACTION = { min: -1, max: 1, int: true };

/** A stored rule flag: 0/1, or a boolean on models that take booleans. */
export type Flag = 0 | 1 | boolean;

/** True for a flag that is on: 1, or `true` as hardware 1.x firmware stores it. */
export function flagSet(v: unknown): boolean {
  return v === 1 || v === true;
}

export interface RuleOptions {
  /** Accept and keep JSON booleans in `wday` and `repeat` (hardware 1.x); otherwise -3. */
  booleanFlags?: boolean;
}

function isFlag(x: unknown, o: RuleOptions): boolean {
  return x === 0 || x === 1 || (o.booleanFlags === true && typeof x === 'boolean');
}

function wday(a: Args, fallback: Flag[], o: RuleOptions): Flag[] {
  const v = a.wday;
  if (v === undefined || v === null) return [...fallback];
  if (!Array.isArray(v) || v.length !== 7 || !v.every((x) => isFlag(x, o))) throw new ArgError(ERR.INVALID);
  return [...v] as Flag[];
}

function repeat(a: Args, fallback: Flag, o: RuleOptions): Flag {
  const v = a.repeat;
  if (v === undefined || v === null) return fallback;
  if (!isFlag(v, o)) throw new ArgError(ERR.INVALID);
  return v as Flag;
}

/** Common fields of schedule and anti-theft rules (a time window on weekdays or a date). */
function windowFields(a: Args, base: Args, flags: RuleOptions): Args {
  const n = (key: string, fallback: number, o: { min?: number; max?: number; int?: boolean } = { int: true }): number =>
    optNum(a, key, typeof base[key] === 'number' ? (base[key] as number) : fallback, o);
  return {
    name: optStr(a, 'name', (base.name as string | undefined) ?? '', { maxBytes: 64 }),
    enable: optFlag(a, 'enable', (base.enable as 0 | 1 | undefined) ?? 1),
    wday: wday(a, (base.wday as Flag[] | undefined) ?? [0, 0, 0, 0, 0, 0, 0], flags),
    stime_opt: n('stime_opt', 0, TIME_OPT),
    smin: n('smin', 0, MINUTE),
    etime_opt: n('etime_opt', -1, TIME_OPT),
    emin: n('emin', 0, MINUTE),
    repeat: repeat(a, (base.repeat as Flag | undefined) ?? 1, flags),
    year: n('year', 0, { min: 0, max: 2099, int: true }),
    month: n('month', 0, { min: 0, max: 12, int: true }),
    day: n('day', 0, { min: 0, max: 31, int: true }),
    force: n('force', 0, { min: 0, max: 1, int: true }),
    latitude: n('latitude', 0, { min: -90, max: 90 }),
    longitude: n('longitude', 0, { min: -180, max: 180 }),
  };
}

/** Validates and completes a rule's fields; `base` is the rule being edited. */
export function normalizeRule(kind: RuleKind, a: Args, base: Args = {}, o: RuleOptions = {}): Args {
  if (kind === 'count_down') {
    return {
      name: optStr(a, 'name', (base.name as string | undefined) ?? '', { maxBytes: 64 }),
      enable: optFlag(a, 'enable', (base.enable as 0 | 1 | undefined) ?? 1),
      delay: optNum(a, 'delay', (base.delay as number | undefined) ?? 0, { min: 1, max: 604800, int: true }),
      act: optNum(a, 'act', (base.act as number | undefined) ?? 1, { min: 0, max: 1, int: true }),
    };
  }
  const w = windowFields(a, base, o);
  if (kind === 'schedule') {
    return {
      ...w,
      sact: optNum(a, 'sact', (base.sact as number | undefined) ?? -1, ACTION),
      eact: optNum(a, 'eact', (base.eact as number | undefined) ?? -1, ACTION),
    };
  }
  const n = (key: string, fallback: number): number =>
    optNum(a, key, typeof base[key] === 'number' ? (base[key] as number) : fallback, { min: 0, max: 1440, int: true });
  return { ...w, frequency: n('frequency', 5), duration: n('duration', 2), lastfor: n('lastfor', 1) };
}

export function newRuleId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

interface Entry {
  rule: Rule;
  /** Device time when a countdown was (re)armed. */
  armedAt: number;
}

export class RuleTable {
  /** set_overall_enable. */
  enable: 0 | 1 = 1;
  private entries: Entry[] = [];

  constructor(readonly kind: RuleKind, readonly capacity: number = CAPACITY[kind]) {}

  get size(): number {
    return this.entries.length;
  }

  add(raw: Args, now: number, o: RuleOptions = {}): Rule {
    for (const key of REQUIRED[this.kind]) {
      if (raw[key] === undefined || raw[key] === null) throw new ArgError(ERR.MISSING);
    }
    const fields = normalizeRule(this.kind, raw, {}, o);
    if (this.entries.length >= this.capacity) throw new ArgError(ERR.TABLE_FULL);
    const rule: Rule = { id: newRuleId(), ...fields };
    this.entries.push({ rule, armedAt: now });
    return rule;
  }

  edit(raw: Args, now: number, o: RuleOptions = {}): Rule {
    const entry = this.find(raw.id);
    const fields = normalizeRule(this.kind, raw, entry.rule, o);
    entry.rule = { id: entry.rule.id, ...fields };
    entry.armedAt = now;
    return entry.rule;
  }

  delete(id: unknown): void {
    const entry = this.find(id);
    this.entries = this.entries.filter((e) => e !== entry);
  }

  clear(): void {
    this.entries = [];
  }

  /** Copies of the rules; countdowns also get `remain` (seconds left). */
  list(now: number): Rule[] {
    return this.entries.map((e) => {
      const copy = structuredClone(e.rule);
      if (this.kind === 'count_down') copy.remain = this.remaining(e, now);
      return copy;
    });
  }

  /** Countdown rules whose time has come; each is disabled as it fires. */
  takeDue(now: number): Array<{ rule: Rule; at: number }> {
    if (this.kind !== 'count_down') return [];
    const due: Array<{ rule: Rule; at: number }> = [];
    for (const e of this.entries) {
      if (e.rule.enable !== 1) continue;
      const at = e.armedAt + (e.rule.delay as number) * 1000;
      if (at <= now) {
        e.rule.enable = 0;
        due.push({ rule: structuredClone(e.rule), at });
      }
    }
    return due;
  }

  private remaining(e: Entry, now: number): number {
    if (e.rule.enable !== 1) return 0;
    return Math.max(0, Math.ceil(((e.rule.delay as number) * 1000 - (now - e.armedAt)) / 1000));
  }

  private find(id: unknown): Entry {
    if (id === undefined || id === null) throw new ArgError(ERR.MISSING);
    if (typeof id !== 'string') throw new ArgError(ERR.INVALID);
    const entry = this.entries.find((e) => e.rule.id === id.toUpperCase());
    if (!entry) throw new ArgError(ERR.NO_ENTRY);
    return entry;
  }
}
