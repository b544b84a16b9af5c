// Countdown (one rule at most) and schedule rules of one SMART endpoint (the
// plug, or one strip outlet), as the firmware keeps them. A countdown fires
// lazily: whoever reads the state first after its deadline applies it.

import { SmartFail, isObj } from './replies';

export interface CountdownRule {
  id: string;
  enable: boolean;
  delay: number;
  /** device-clock ms when it fires (only while enabled) */
  deadline: number;
  on: boolean;
}

export interface ScheduleRule {
  id: string;
  [field: string]: unknown;
}

export const SCHEDULE_MAX = 32;
const S_TYPES = ['normal', 'sunrise', 'sunset'];

export class Countdown {
  rule: CountdownRule | null = null;

  /** Applies a due rule: returns the state to set, or null. */
  due(now: number): boolean | null {
    const r = this.rule;
    if (!r || !r.enable || now < r.deadline) return null;
    r.enable = false; // fired: kept in the list, disarmed
    return r.on;
  }

  list(now: number): Record<string, unknown> {
    const r = this.rule;
    const rules = r ? [{ id: r.id, enable: r.enable, delay: r.delay, remain: r.enable ? Math.max(0, Math.ceil((r.deadline - now) / 1000)) : 0, desired_states: { on: r.on } }] : [];
    return { countdown_rule_max_count: 1, enable: rules.length > 0 && rules[0].enable, rule_list: rules };
  }

  add(params: unknown, now: number): Record<string, unknown> {
    if (this.rule && this.rule.enable) throw new SmartFail(-1902);
    const { delay, on, enable } = countdownFields(params, null);
    this.rule = { id: 'C1', enable, delay, deadline: now + delay * 1000, on };
    return { id: 'C1' };
  }

  edit(params: unknown, now: number): void {
    if (!isObj(params) || !this.rule || params.id !== this.rule.id) throw new SmartFail(-1008);
    const { delay, on, enable } = countdownFields(params, this.rule);
    this.rule = { id: this.rule.id, enable, delay, deadline: now + delay * 1000, on };
  }

  remove(params: unknown): void {
    if (!isObj(params)) throw new SmartFail(-1008);
    if (params.remove_all === true || (this.rule && params.id === this.rule.id)) this.rule = null;
    else throw new SmartFail(-1008);
  }
}

function countdownFields(p: unknown, prev: CountdownRule | null): { delay: number; on: boolean; enable: boolean } {
  if (!isObj(p)) throw new SmartFail(-1008);
  const delay = p.delay ?? prev?.delay;
  const ds = p.desired_states ?? (prev ? { on: prev.on } : undefined);
  const enable = p.enable ?? prev?.enable ?? true;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 1 || delay > 86_400) throw new SmartFail(-1008);
  if (!isObj(ds) || typeof ds.on !== 'boolean' || typeof enable !== 'boolean') throw new SmartFail(-1008);
  return { delay, on: ds.on, enable };
}

export class Schedule {
  rules: ScheduleRule[] = [];
  enable = true;
  private nextId = 1;

  page(start: number, pageSize: number): Record<string, unknown> {
    return {
      enable: this.enable, schedule_rule_max_count: SCHEDULE_MAX, start_index: start, sum: this.rules.length,
      rule_list: this.rules.slice(start, start + pageSize).map((r) => ({ ...r })),
    };
  }

  add(params: unknown): Record<string, unknown> {
    if (this.rules.length >= SCHEDULE_MAX) throw new SmartFail(-1802);
    const rule = { id: `S${this.nextId++}`, ...scheduleFields(params, null) };
    this.rules.push(rule);
    return { id: rule.id };
  }

  edit(params: unknown): void {
    if (!isObj(params)) throw new SmartFail(-1008);
    const i = this.rules.findIndex((r) => r.id === params.id);
    if (i < 0) throw new SmartFail(-1805);
    this.rules[i] = { id: this.rules[i].id, ...scheduleFields(params, this.rules[i]) };
  }

  remove(params: unknown): void {
    if (!isObj(params)) throw new SmartFail(-1008);
    if (params.remove_all === true) {
      this.rules = [];
      return;
    }
    const ids = Array.isArray(params.rule_list) ? params.rule_list.map((r) => (isObj(r) ? r.id : undefined)) : [params.id];
    for (const id of ids) if (!this.rules.some((r) => r.id === id)) throw new SmartFail(-1805);
    this.rules = this.rules.filter((r) => !ids.includes(r.id));
  }
}

/** Checks the fields a schedule rule must have; unknown extras are kept as sent. */
function scheduleFields(p: unknown, prev: ScheduleRule | null): Record<string, unknown> {
  if (!isObj(p)) throw new SmartFail(-1008);
  const r: Record<string, unknown> = { ...(prev ?? { enable: true, mode: 'repeat', time_offset: 0, e_type: 'normal', e_min: 0, e_action: 'none', day: 0, month: 0, year: 0 }), ...p };
  delete r.id;
  const intIn = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (typeof r.enable !== 'boolean' || !S_TYPES.includes(r.s_type as string) || !intIn(r.s_min, 0, 1439) || !intIn(r.week_day, 0, 127)) throw new SmartFail(-1008);
  if (!isObj(r.desired_states) || typeof r.desired_states.on !== 'boolean') throw new SmartFail(-1008);
  if (r.time_offset !== undefined && !intIn(r.time_offset, -720, 720)) throw new SmartFail(-1008);
  return r;
}
