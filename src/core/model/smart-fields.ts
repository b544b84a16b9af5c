// SMART field conversions: base64 nicknames, reading error codes, paged lists, and the
// mapping between SMART countdown/schedule rules and the package's IOT-shaped rules.
// Rule field choices not established by recorded replies (docs/smart-model.md):
// week_day bit i = the package's wday[i] (bit 0 = Sunday, 127 = every day); mode
// "repeat" for weekly rules and "once" for one-off rules; rules with an end time are
// refused, since the semantics of e_type/e_min/e_action are not known.

import { isObject, JsonObject } from '../commands/command';
import { describe, ProtocolError, ValidationError } from '../errors';

/** The error_code a SMART request failed with, whatever error class carries it. */
export function smartCode(err: unknown): number | undefined {
  if (!isObject(err)) return undefined;
  for (const key of ['errorCode', 'errCode', 'error_code', 'code']) {
    const v = (err as Record<string, unknown>)[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** SMART -1002: the device does not know the method. */
export const UNKNOWN_METHOD = -1002;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A base64 nickname (or SSID) as text; a value that is not base64 is kept as sent. */
export function decodeName(v: unknown): string {
  if (typeof v !== 'string') return '';
  if (!BASE64.test(v)) return v;
  const text = Buffer.from(v, 'base64').toString('utf8');
  // Bytes that are not UTF-8 mean it was not base64 of a name after all.
  return text.includes('\ufffd') ? v : text;
}

export function encodeName(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Most pages read from one list: a device that never says "done" cannot loop us forever. */
export const MAX_PAGES = 64;

/**
 * Reads a paged SMART list: asks from start_index 0 until `sum` entries are in, a page
 * comes back empty, or MAX_PAGES. Returns the entries and the first page's result.
 */
export async function readPaged(
  fetch: (startIndex: number) => Promise<JsonObject>,
  listKey: string,
): Promise<{ entries: JsonObject[]; first: JsonObject }> {
  const entries: JsonObject[] = [];
  let first: JsonObject | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetch(entries.length);
    if (!first) first = res;
    const list = res[listKey];
    if (list === undefined) break; // an empty list may be left out
    if (!Array.isArray(list)) throw new ProtocolError(`${listKey} is not a list: ${describe(list)}`);
    entries.push(...list.filter(isObject).map((e) => e as JsonObject));
    const sum = typeof res.sum === 'number' ? res.sum : entries.length;
    if (list.length === 0 || entries.length >= sum) break;
  }
  return { entries, first: first ?? {} };
}

// ---- countdown -----------------------------------------------------------------------

/** A SMART countdown rule in the package's shape {id, enable, delay, remain, act}. */
export function countdownFromSmart(r: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof r.id === 'string') out.id = r.id;
  out.enable = r.enable === true || r.enable === 1 ? 1 : 0;
  if (typeof r.delay === 'number') out.delay = r.delay;
  if (typeof r.remain === 'number') out.remain = r.remain;
  const on = isObject(r.desired_states) ? r.desired_states.on : undefined;
  if (typeof on === 'boolean') out.act = on ? 1 : 0;
  return out;
}

/** A validated package countdown rule {enable, delay, act} -> add/edit_countdown_rule params. */
export function countdownToSmart(r: JsonObject): JsonObject {
  return { delay: r.delay, desired_states: { on: r.act === 1 }, enable: r.enable === 1 };
}

// ---- schedule ------------------------------------------------------------------------

const S_TYPES = ['normal', 'sunrise', 'sunset'] as const;

/** A SMART schedule rule in the package's raw rule shape (describeRule adds the friendly fields). */
export function scheduleFromSmart(r: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof r.id === 'string') out.id = r.id;
  out.enable = r.enable === true || r.enable === 1 ? 1 : 0;
  const opt = S_TYPES.indexOf(r.s_type as (typeof S_TYPES)[number]);
  if (opt >= 0) out.stime_opt = opt;
  if (typeof r.s_min === 'number') out.smin = r.s_min;
  if (typeof r.time_offset === 'number' && r.time_offset !== 0) out.soffset = r.time_offset;
  if (typeof r.week_day === 'number') out.wday = [0, 1, 2, 3, 4, 5, 6].map((i) => ((r.week_day as number) >> i) & 1);
  out.repeat = r.mode === 'once' ? 0 : 1;
  for (const k of ['year', 'month', 'day']) if (typeof r[k] === 'number') out[k] = r[k];
  const on = isObject(r.desired_states) ? r.desired_states.on : undefined;
  if (typeof on === 'boolean') out.sact = on ? 1 : 0;
  out.etime_opt = -1;
  out.eact = -1;
  return out;
}

/**
 * A rule built by buildRule('schedule', …) -> add/edit_schedule_rule params. Refuses what
 * SMART rules cannot hold (an end time) with an error naming the field; nothing is sent.
 */
export function scheduleToSmart(r: JsonObject): JsonObject {
  if (r.etime_opt !== -1) {
    throw new ValidationError('end', 'no end time on this device (SMART schedule rules switch once): add a second rule for the end', describeEnd(r));
  }
  const wday = Array.isArray(r.wday) ? r.wday : [];
  const weekDay = wday.reduce<number>((bits, f, i) => (f === 1 ? bits | (1 << i) : bits), 0);
  const out: JsonObject = {
    enable: r.enable === 1,
    mode: r.repeat === 0 ? 'once' : 'repeat',
    s_type: S_TYPES[r.stime_opt as number] ?? 'normal',
    s_min: r.smin as number,
    time_offset: typeof r.soffset === 'number' ? r.soffset : 0,
    e_type: 'normal',
    e_min: 0,
    e_action: 'none',
    week_day: weekDay,
    day: r.day as number,
    month: r.month as number,
    year: r.year as number,
    desired_states: { on: r.sact === 1 },
  };
  return out;
}

function describeEnd(r: JsonObject): string {
  return r.etime_opt === 1 ? 'sunrise' : r.etime_opt === 2 ? 'sunset' : `minute ${describe(r.emin)}`;
}
