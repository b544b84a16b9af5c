// Rules of the "schedule" and "anti_theft" modules: friendly input -> device rule object,
// and device rule -> friendly description.
//
// Input may use the device's raw fields, the friendly names, or both (e.g. the output of
// describeRule fed back in). When both forms of one setting are given they must agree;
// a disagreement is an error naming the friendly field, never a silent choice.
//
// Friendly fields:
//   days      "mon,thu" | ["mon","thursday",4] | "weekdays" | "weekend" | "daily" | 7 flags
//   time      "HH:MM" | "sunrise" | "sunset"           (raw: stime_opt + smin)
//   offset    minutes added to sunrise/sunset, -720..720 (raw: soffset; sent only when
//             given, because older firmware ignores or may reject it)
//   action    "on" | "off" (schedule only)              (raw: sact)
//   end       "HH:MM" | "sunrise" | "sunset"            (raw: etime_opt + emin; none = -1)
//   endOffset like offset, for end                      (raw: eoffset)
//   endAction "on" | "off", default the opposite of action (schedule only; raw: eact)
//   once      "YYYY-MM-DD": run once on that date      (raw: repeat 0 + year/month/day)
//   enabled   boolean, default true                     (raw: enable 1/0)
//   name      0..32 bytes UTF-8
// Anti-theft rules need a window (time and end) and take frequency, duration, lastfor
// (defaults 5, 2, 1 as in the reference example).

import { JsonObject, isObject } from './command';
import { copyOwn } from './copy';
import { ValidationError, describe } from '../errors';
import {
  formatAction, formatDate, formatDays, formatTime, isDate, LAST_MINUTE, parseAction, parseDate,
  parseDays, parseTime, parseWday, ParsedTime, weekdayOf, DeviceDate,
} from './rulefields';
import { flag, has, int, MAX_YEAR, num, oneOf, onlyKeys, own, record, text, bool } from './validate';

export type RuleKind = 'schedule' | 'anti_theft';

/** Rule names: real plugs store up to 32 bytes. */
export const RULE_NAME_MAX_BYTES = 32;
/** Sunrise/sunset offsets: at most 12 hours either way. */
export const MAX_OFFSET_MIN = 720;

/** Friendly or raw rule fields; everything is checked at run time. */
export interface RuleInput {
  days?: unknown;
  time?: string;
  offset?: number;
  action?: 'on' | 'off' | boolean;
  end?: string;
  endOffset?: number;
  endAction?: 'on' | 'off' | boolean;
  once?: string;
  enabled?: boolean;
  name?: string;
  [raw: string]: unknown;
}

const FRIENDLY_COMMON = ['days', 'time', 'offset', 'end', 'endOffset', 'once', 'enabled', 'name', 'id'];
const RAW_COMMON = ['stime_opt', 'wday', 'smin', 'etime_opt', 'emin', 'soffset', 'eoffset', 'repeat', 'year', 'month', 'day', 'enable', 'force', 'latitude', 'longitude'];
const KEYS: Record<RuleKind, readonly string[]> = {
  schedule: [...FRIENDLY_COMMON, 'action', 'endAction', ...RAW_COMMON, 'sact', 'eact'],
  anti_theft: [...FRIENDLY_COMMON, ...RAW_COMMON, 'frequency', 'duration', 'lastfor'],
};
const DEFAULT_NAME: Record<RuleKind, string> = { schedule: 'Schedule Rule', anti_theft: 'Away Rule' };

/**
 * Validates a friendly/raw rule and returns the device's rule object, built from checked
 * fields only (an `id` in the input is ignored: the callers place it).
 */
export function buildRule(kind: RuleKind, input: unknown): JsonObject {
  const o = record('rule', input);
  onlyKeys('rule', o, KEYS[kind]);

  const start = timeSetting(o, 'time', 'offset', 'stime_opt', 'smin', 'soffset', false);
  const end = timeSetting(o, 'end', 'endOffset', 'etime_opt', 'emin', 'eoffset', true);
  if (kind === 'anti_theft' && end.opt === -1) {
    throw new ValidationError('end', 'an end time: anti-theft rules need a window ("HH:MM", "sunrise" or "sunset")');
  }
  const date = dateSetting(o);
  const wday = daySetting(o, date);
  const enabled = has(o, 'enabled') ? flag('enabled', own(o, 'enabled')) : undefined;
  const enable = agree('enabled', enabled, 'enable', has(o, 'enable') ? flag('enable', own(o, 'enable')) : undefined, own(o, 'enabled')) ?? 1;
  const name = has(o, 'name') ? text('name', own(o, 'name'), { min: 0, max: RULE_NAME_MAX_BYTES, what: 'a name' }) : DEFAULT_NAME[kind];
  const force = has(o, 'force') ? flag('force', own(o, 'force')) : 0;
  // Raw coordinates pass through; firmware variously stores degrees or degrees x 10^4.
  const latitude = has(o, 'latitude') ? num('latitude', own(o, 'latitude'), -1_800_000, 1_800_000) : 0;
  const longitude = has(o, 'longitude') ? num('longitude', own(o, 'longitude'), -1_800_000, 1_800_000) : 0;

  // Key order follows the reference examples, for readable logs.
  let rule: JsonObject;
  if (kind === 'schedule') {
    const { sact, eact } = actionSetting(o, end.opt);
    rule = {
      stime_opt: start.opt, wday, smin: start.min, enable, repeat: date.repeat, etime_opt: end.opt, name, eact,
      month: date.month, sact, year: date.year, longitude, day: date.day, force, latitude, emin: end.min,
    };
  } else {
    const frequency = has(o, 'frequency') ? int('frequency', own(o, 'frequency'), 1, 100) : 5;
    const duration = has(o, 'duration') ? int('duration', own(o, 'duration'), 1, LAST_MINUTE, 'minutes') : 2;
    const lastfor = has(o, 'lastfor') ? int('lastfor', own(o, 'lastfor'), 1, LAST_MINUTE, 'minutes') : 1;
    rule = {
      stime_opt: start.opt, wday, smin: start.min, enable, frequency, repeat: date.repeat, etime_opt: end.opt,
      duration, name, lastfor, month: date.month, year: date.year, longitude, day: date.day, latitude, force,
      emin: end.min,
    };
  }
  if (start.offset !== undefined) rule.soffset = start.offset;
  if (end.offset !== undefined) rule.eoffset = end.offset;
  return rule;
}

/** Returns whichever of the two forms was given; both given and different is an error. */
function agree<T>(friendly: string, f: T | undefined, raw: string, r: T | undefined, given?: unknown): T | undefined {
  if (f !== undefined && r !== undefined && JSON.stringify(f) !== JSON.stringify(r)) {
    throw new ValidationError(friendly, `a value that agrees with ${raw} (${JSON.stringify(r)}); give one or the other`, given ?? f);
  }
  return f !== undefined ? f : r;
}

interface TimeSetting {
  opt: number; // -1 only for an unused end
  min: number;
  offset?: number;
}

function timeSetting(o: object, friendly: string, offsetKey: string, optKey: string, minKey: string, rawOffsetKey: string, isEnd: boolean): TimeSetting {
  const parsed: ParsedTime | undefined = has(o, friendly) ? parseTime(own(o, friendly), friendly) : undefined;
  const rawOpt = has(o, optKey) ? oneOf(optKey, own(o, optKey), isEnd ? [-1, 0, 1, 2] : [0, 1, 2]) : undefined;
  const rawMin = has(o, minKey) ? int(minKey, own(o, minKey), 0, LAST_MINUTE, 'minutes after midnight') : undefined;
  const given = own(o, friendly);
  const opt = agree(friendly, parsed?.opt, optKey, rawOpt, given);
  const min = agree(friendly, parsed?.min, minKey, parsed && parsed.min === undefined ? undefined : rawMin, given);

  const friendlyOffset = has(o, offsetKey) ? int(offsetKey, own(o, offsetKey), -MAX_OFFSET_MIN, MAX_OFFSET_MIN, 'minutes') : undefined;
  const rawOffset = has(o, rawOffsetKey) ? int(rawOffsetKey, own(o, rawOffsetKey), -MAX_OFFSET_MIN, MAX_OFFSET_MIN, 'minutes') : undefined;
  const offset = agree(offsetKey, friendlyOffset, rawOffsetKey, rawOffset);
  if (friendlyOffset !== undefined && friendlyOffset !== 0 && opt !== 1 && opt !== 2) {
    throw new ValidationError(offsetKey, `no offset unless ${friendly} is "sunrise" or "sunset"`, friendlyOffset);
  }

  if (opt === undefined) {
    // Bare minutes mean a clock time; no time at all means no end (or a missing start).
    if (rawMin !== undefined) return { opt: 0, min: rawMin, offset };
    if (isEnd) return { opt: -1, min: 0, offset };
    throw new ValidationError(friendly, 'a start time "HH:MM", "sunrise" or "sunset" (or raw stime_opt and smin)');
  }
  if (opt === 0 && min === undefined) throw new ValidationError(minKey, `minutes after midnight (0 to ${LAST_MINUTE}) for a clock time`);
  return { opt, min: min ?? rawMin ?? 0, offset };
}

interface DateSetting {
  repeat: number;
  year: number;
  month: number;
  day: number;
}

function dateSetting(o: object): DateSetting {
  const once = has(o, 'once') ? parseDate(own(o, 'once'), 'once') : undefined;
  const rawRepeat = has(o, 'repeat') ? flag('repeat', own(o, 'repeat')) : undefined;
  const repeat = agree('once', once ? 0 : undefined, 'repeat', rawRepeat, own(o, 'once')) ?? 1;
  // Weekly rules usually carry zeros; accept whatever date fields the device itself wrote.
  const raw = {
    year: has(o, 'year') ? int('year', own(o, 'year'), 0, MAX_YEAR) : undefined,
    month: has(o, 'month') ? int('month', own(o, 'month'), 0, 12) : undefined,
    day: has(o, 'day') ? int('day', own(o, 'day'), 0, 31) : undefined,
  };
  if (once) {
    for (const k of ['year', 'month', 'day'] as const) agree('once', once[k], k, raw[k], own(o, 'once'));
    return { repeat: 0, ...once };
  }
  if (repeat === 0) {
    if (!isDate(raw)) throw new ValidationError('once', 'a date "YYYY-MM-DD" for a rule that runs once (or raw year, month, day)', describeDate(raw));
    return { repeat: 0, ...raw };
  }
  return { repeat: 1, year: raw.year ?? 0, month: raw.month ?? 0, day: raw.day ?? 0 };
}

function describeDate(d: { year?: number; month?: number; day?: number }): string {
  return `year ${describe(d.year ?? null)}, month ${describe(d.month ?? null)}, day ${describe(d.day ?? null)}`;
}

function daySetting(o: object, date: DateSetting): number[] {
  const friendly = has(o, 'days') ? parseDays(own(o, 'days'), 'days') : undefined;
  const raw = has(o, 'wday') ? parseWday(own(o, 'wday'), 'wday') : undefined;
  const wday = agree('days', friendly, 'wday', raw, own(o, 'days'));
  if (date.repeat === 0) {
    // A one-off rule fires on its date; its weekday flag is set as the Kasa app does.
    return wday ?? oneDay(weekdayOf(date as DeviceDate));
  }
  if (wday === undefined) throw new ValidationError('days', 'the days the rule runs on, e.g. ["mon","thu"] or "weekdays"');
  if (!wday.includes(1)) throw new ValidationError(friendly ? 'days' : 'wday', 'at least one day for a weekly rule', friendly ? own(o, 'days') : raw);
  return wday;
}

function oneDay(i: number): number[] {
  const flags = [0, 0, 0, 0, 0, 0, 0];
  flags[i] = 1;
  return flags;
}

function actionSetting(o: object, endOpt: number): { sact: number; eact: number } {
  const sact = agree(
    'action', has(o, 'action') ? parseAction(own(o, 'action'), 'action') : undefined,
    'sact', has(o, 'sact') ? oneOf('sact', own(o, 'sact'), [0, 1]) : undefined,
    own(o, 'action'),
  );
  if (sact === undefined) throw new ValidationError('action', '"on" or "off"');
  const friendlyEnd = has(o, 'endAction') ? parseAction(own(o, 'endAction'), 'endAction') : undefined;
  const rawEnd = has(o, 'eact') ? oneOf('eact', own(o, 'eact'), [-1, 0, 1]) : undefined;
  if (friendlyEnd !== undefined && endOpt === -1) throw new ValidationError('endAction', 'an end time ("end") with it', own(o, 'endAction'));
  const eact = agree('endAction', friendlyEnd, 'eact', rawEnd, own(o, 'endAction'));
  // With an end time and no end action, the end undoes the start (on 18:00, off at end).
  return { sact, eact: eact ?? (endOpt === -1 ? -1 : 1 - sact) };
}

// ---- device rule -> friendly form --------------------------------------------------

/**
 * A copy of a device rule (schedule, anti-theft or count-down) with friendly fields added
 * next to the raw ones: days, time, offset, action, end, endOffset, endAction, once,
 * enabled. Fields the rule does not support, or holds nonsense in, are left out.
 */
export function describeRule(rule: unknown): JsonObject {
  if (!isObject(rule)) return {};
  const out = copyOwn(rule);
  const wday = own(rule, 'wday');
  if (Array.isArray(wday) && wday.length === 7) out.days = formatDays(wday as (number | boolean)[]);
  const time = formatTime(own(rule, 'stime_opt'), own(rule, 'smin'));
  if (time !== undefined) out.time = time;
  const soffset = own(rule, 'soffset');
  if ((time === 'sunrise' || time === 'sunset') && typeof soffset === 'number' && soffset !== 0) out.offset = soffset;
  const action = formatAction(has(rule, 'sact') ? own(rule, 'sact') : own(rule, 'act'));
  if (action !== undefined) out.action = action;
  const end = formatTime(own(rule, 'etime_opt'), own(rule, 'emin'));
  if (end !== undefined) {
    out.end = end;
    const eoffset = own(rule, 'eoffset');
    if ((end === 'sunrise' || end === 'sunset') && typeof eoffset === 'number' && eoffset !== 0) out.endOffset = eoffset;
    const endAction = formatAction(own(rule, 'eact'));
    if (endAction !== undefined) out.endAction = endAction;
  }
  const date = { year: own(rule, 'year'), month: own(rule, 'month'), day: own(rule, 'day') };
  const repeat = own(rule, 'repeat');
  if ((repeat === 0 || repeat === false) && isDate(date)) out.once = formatDate(date);
  const enable = own(rule, 'enable');
  if (enable === 0 || enable === 1 || typeof enable === 'boolean') out.enabled = bool('enable', enable);
  return out;
}

/** A get_rules result with every entry of rule_list described. */
export function describeRules(result: unknown): JsonObject {
  if (!isObject(result)) return {};
  const out = copyOwn(result);
  const list = own(result, 'rule_list');
  if (Array.isArray(list)) out.rule_list = list.map(describeRule);
  return out;
}
