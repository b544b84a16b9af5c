// Rule edits shared by the Kasa rule nodes and the device model: how an edit is
// laid over the stored rule (so {id, enabled: false} alone switches a rule off),
// finding a stored rule, and rules in friendly + raw form. Pure, no Node-RED.

import { ValidationError } from '../errors';
import { Command, isObject, JsonObject } from './command';
import { describeRule } from './rules';
import { own } from './validate';

/** A copy with every own key kept as a plain field ("__proto__" too, so validation sees it). */
export function ownCopy(src: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) set(out, key, (src as Record<string, unknown>)[key]);
  return out;
}

function set(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How a kind of rule is merged: its raw fields and which raw fields each friendly one replaces. */
export interface RuleShape {
  raw: readonly string[];
  links: Readonly<Record<string, readonly string[]>>;
  /** A valid stored rule, for checking an edit's fields before anything is sent. */
  sample: JsonObject;
}

const WINDOW_RAW = ['name', 'stime_opt', 'wday', 'smin', 'etime_opt', 'emin', 'soffset', 'eoffset', 'repeat', 'year', 'month', 'day', 'enable', 'force', 'latitude', 'longitude'];
const WINDOW_LINKS = {
  days: ['wday'],
  // A new start or end time drops the old sunrise/sunset offset.
  time: ['stime_opt', 'smin', 'soffset'],
  offset: ['soffset'],
  end: ['etime_opt', 'emin', 'eoffset'],
  endOffset: ['eoffset'],
  // A new date also drops the old weekday flag: it is set from the date.
  once: ['repeat', 'year', 'month', 'day', 'wday'],
  enabled: ['enable'],
};
const WINDOW_SAMPLE = { name: 'x', stime_opt: 1, wday: [1, 1, 1, 1, 1, 1, 1], smin: 0, etime_opt: 2, emin: 0, repeat: 1, year: 0, month: 0, day: 0, enable: 1 };

export const SCHEDULE_SHAPE: RuleShape = {
  raw: [...WINDOW_RAW, 'sact', 'eact'],
  links: { ...WINDOW_LINKS, action: ['sact'], endAction: ['eact'] },
  sample: { ...WINDOW_SAMPLE, sact: 1, eact: 0 },
};

export const ANTITHEFT_SHAPE: RuleShape = {
  raw: [...WINDOW_RAW, 'frequency', 'duration', 'lastfor'],
  links: WINDOW_LINKS,
  sample: { ...WINDOW_SAMPLE, frequency: 5, duration: 2, lastfor: 1 },
};

export const COUNTDOWN_SHAPE: RuleShape = {
  raw: ['delay', 'act', 'name', 'enable'],
  links: { on: ['act'], action: ['act'], enabled: ['enable'] },
  sample: { delay: 60, act: 1, name: 'x', enable: 1 },
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const present = (o: object, k: string): boolean => own(o, k) !== undefined;

/**
 * The fields to send for an edit: `patch` laid over `stored`'s raw fields, a friendly
 * field replacing the raw fields it stands for. A listed rule sent back with one
 * friendly field changed keeps working: where the patch holds both forms and only one
 * differs from the stored rule, that one wins. Without `stored`, the shape's sample is
 * used and friendly fields win (to check the patch's own fields before sending).
 */
export function mergeEdit(shape: RuleShape, patch: object, stored?: JsonObject): Record<string, unknown> {
  const p = ownCopy(patch);
  delete p.id;
  const base = stored ?? shape.sample;
  const described = stored ? describeRule(stored) : {};
  for (const [friendly, raws] of Object.entries(shape.links)) {
    if (!present(p, friendly) || !raws.some((r) => present(p, r))) continue;
    const rawSame = raws.every((r) => !present(p, r) || same(p[r], own(base, r)));
    const friendlySame = same(p[friendly], own(described, friendly));
    if (!stored || (rawSame && !friendlySame)) for (const r of raws) delete p[r];
    else if (friendlySame && !rawSame) delete p[friendly];
  }
  const out: Record<string, unknown> = {};
  for (const key of shape.raw) if (present(base, key)) out[key] = own(base, key);
  for (const [friendly, raws] of Object.entries(shape.links)) {
    if (present(p, friendly)) for (const r of raws) delete out[r];
  }
  // A stored rule without an end action: a new end time gets the builder's default.
  if (present(p, 'end') && !present(p, 'endAction') && !present(p, 'eact') && out.eact === -1) delete out.eact;
  for (const key of Object.keys(p)) set(out, key, p[key]);
  return out;
}

/** The stored rule with this id from a get_rules result (ids compared case-insensitively). */
export function findRule(result: JsonObject, id: string): JsonObject | undefined {
  const list = Array.isArray(result.rule_list) ? result.rule_list : [];
  const wanted = id.toUpperCase();
  const hit = list.find((r) => isObject(r) && typeof r.id === 'string' && r.id.toUpperCase() === wanted);
  return isObject(hit) ? (hit as JsonObject) : undefined;
}

/** The rules of a get_rules result in friendly + raw form. */
export function listRules(result: JsonObject): JsonObject[] {
  const list = Array.isArray(result.rule_list) ? result.rule_list : [];
  return list.filter(isObject).map((r) => describeRule(r));
}

/** A rule in friendly + raw form with its id as the first key (ids lead in debug output). */
export function describedWithId(id: unknown, rule: JsonObject): JsonObject {
  const out = describeRule(rule);
  delete out.id;
  return typeof id === 'string' ? { id, ...out } : out;
}

/** Sends one command (to an outlet when given); the config node's run() and the IOT model's request have this shape. */
export type RunCommand = (cmd: Command, outlet?: string | number) => Promise<{ result: JsonObject; reply: JsonObject }>;

/**
 * Edits rule `id`: checks the patch's own fields (nothing sent if they are bad), reads
 * the stored rule, merges and sends. An id the device does not list is still sent when
 * the patch is a whole rule, so the device's own answer (-14 "entry not exist") says so.
 */
export async function editStoredRule(
  run: RunCommand,
  outlet: string | number | undefined,
  id: string,
  patch: object,
  shape: RuleShape,
  list: Command,
  edit: (id: string, rule: Record<string, unknown>) => Command,
): Promise<{ command: Command; reply: JsonObject }> {
  edit(id, mergeEdit(shape, patch));
  const listed = await run(list, outlet);
  const stored = findRule(listed.result, id);
  let command: Command;
  if (stored) {
    command = edit(String(stored.id), mergeEdit(shape, patch, stored));
  } else {
    try {
      command = edit(id, mergeEdit(shape, patch, {}));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const n = listRules(listed.result).length;
      throw new ValidationError('payload.id', `the id of one of the ${n} rule(s) on the device (changing only some fields needs a stored rule; ${err.message})`, id);
    }
  }
  const { reply } = await run(command, outlet);
  return { command, reply };
}
