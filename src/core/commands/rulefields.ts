// Parsing and formatting of the friendly rule fields (days, times, actions, dates) and
// their device forms (wday flags, minutes after midnight, 1/0, year/month/day).

import { ValidationError } from '../errors';
import { daysInMonth, MAX_YEAR, MIN_YEAR } from './validate';

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_GROUPS: Record<string, readonly number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  everyday: [0, 1, 2, 3, 4, 5, 6],
  'every day': [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekend: [0, 6],
  weekends: [0, 6],
};

const DAYS_EXPECTED =
  'days as names ("mon", "monday"), numbers 0-6 (0 = Sunday), "weekdays", "weekend", "daily", or 7 flags Sunday-first';

/** Minutes after midnight in a day: 0..1439. */
export const LAST_MINUTE = 24 * 60 - 1;

/**
 * Friendly days -> the device's 7 flags (Sunday first). Accepts an array of names/numbers
 * (duplicates are fine), a string such as "mon,thu" or "weekdays", or the 7-flag array
 * itself: an array of exactly 7 entries that are all 0/1 or booleans is read as flags.
 */
export function parseDays(v: unknown, field = 'days'): number[] {
  const flags = [0, 0, 0, 0, 0, 0, 0];
  let items: unknown[];
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (Object.prototype.hasOwnProperty.call(DAY_GROUPS, s)) items = [...DAY_GROUPS[s]];
    else items = s === '' ? [] : s.split(/[\s,]+/);
  } else if (Array.isArray(v)) {
    const flagLike = v.every((x) => x === 0 || x === 1 || typeof x === 'boolean');
    if (v.length === 7 && flagLike) return v.map((x) => (x === 1 || x === true ? 1 : 0));
    // A run of 0/1 with a repeat (e.g. six flags) is a broken flag list, not day numbers.
    if (flagLike && (v.some((x) => typeof x === 'boolean') || new Set(v).size < v.length)) {
      throw new ValidationError(field, `${DAYS_EXPECTED} (a flag list needs exactly 7 entries)`, v);
    }
    items = v;
  } else {
    throw new ValidationError(field, DAYS_EXPECTED, v);
  }
  for (const item of items) flags[dayIndex(field, item)] = 1;
  return flags;
}

function dayIndex(field: string, item: unknown): number {
  if (typeof item === 'number' && Number.isInteger(item) && item >= 0 && item <= 6) return item;
  if (typeof item === 'string') {
    const s = item.trim().toLowerCase();
    if (/^[0-6]$/.test(s)) return Number(s);
    const i = s.length === 3 ? DAY_NAMES.indexOf(s as (typeof DAY_NAMES)[number]) : FULL_DAY_NAMES.indexOf(s);
    if (i >= 0) return i;
  }
  throw new ValidationError(field, DAYS_EXPECTED, item);
}

/** The device's own form: exactly 7 entries of 0/1, Sunday first. */
export function parseWday(v: unknown, field = 'wday'): number[] {
  if (!Array.isArray(v) || v.length !== 7 || !v.every((x) => x === 0 || x === 1)) {
    throw new ValidationError(field, 'an array of exactly 7 flags (0 or 1), Sunday first', v);
  }
  return v.slice() as number[];
}

/**
 * 7 flags -> short day names, e.g. [0,1,0,0,1,0,0] -> ["mon","thu"]. `true` counts as 1:
 * other clients (tplink-smarthome-api) write the flags as booleans, and a device that
 * stores them as written returns them so.
 */
export function formatDays(wday: readonly (number | boolean)[]): string[] {
  return DAY_NAMES.filter((_, i) => wday[i] === 1 || wday[i] === true);
}

/** Time option of the device: 0 clock time, 1 sunrise, 2 sunset (-1 = no end). */
export type TimeOpt = 0 | 1 | 2;

export interface ParsedTime {
  opt: TimeOpt;
  /** Minutes after midnight; undefined for sunrise/sunset (the plug computes those). */
  min?: number;
}

const TIME_EXPECTED = 'a time "HH:MM" (00:00 to 23:59), "sunrise" or "sunset"';

export function parseTime(v: unknown, field: string): ParsedTime {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'sunrise') return { opt: 1 };
    if (s === 'sunset') return { opt: 2 };
    const m = /^(\d{1,2}):(\d{2})$/.exec(s);
    if (m) {
      const h = Number(m[1]);
      const min = Number(m[2]);
      if (h <= 23 && min <= 59) return { opt: 0, min: h * 60 + min };
    }
  }
  throw new ValidationError(field, TIME_EXPECTED, v);
}

/** Device time option and minutes -> "HH:MM" / "sunrise" / "sunset" (undefined if unknown). */
export function formatTime(opt: unknown, min: unknown): string | undefined {
  if (opt === 1) return 'sunrise';
  if (opt === 2) return 'sunset';
  if (opt === 0 && typeof min === 'number' && Number.isInteger(min) && min >= 0 && min <= LAST_MINUTE) {
    return `${pad2(Math.floor(min / 60))}:${pad2(min % 60)}`;
  }
  return undefined;
}

/** "on"/"off" (any case) or true/false -> the device's 1/0. */
export function parseAction(v: unknown, field: string): 0 | 1 {
  if (v === true || v === false) return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'on') return 1;
    if (s === 'off') return 0;
  }
  throw new ValidationError(field, '"on" or "off"', v);
}

export function formatAction(act: unknown): 'on' | 'off' | undefined {
  return act === 1 ? 'on' : act === 0 ? 'off' : undefined;
}

export interface DeviceDate {
  year: number;
  month: number;
  day: number;
}

/** "YYYY-MM-DD" -> a real calendar date (no 31 April, 29 February only in leap years). */
export function parseDate(v: unknown, field: string): DeviceDate {
  const expected = `a date "YYYY-MM-DD" from ${MIN_YEAR} to ${MAX_YEAR}`;
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim()) : null;
  if (!m) throw new ValidationError(field, expected, v);
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (!isDate(date)) throw new ValidationError(field, expected, v);
  return date;
}

export function isDate(d: { year: unknown; month: unknown; day: unknown }): d is DeviceDate {
  const { year, month, day } = d;
  return (
    typeof year === 'number' && Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR &&
    typeof month === 'number' && Number.isInteger(month) && month >= 1 && month <= 12 &&
    typeof day === 'number' && Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month)
  );
}

export function formatDate(d: DeviceDate): string {
  return `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
}

/** Day of the week of a date, 0 = Sunday (calendar arithmetic only, no time zone). */
export function weekdayOf(d: DeviceDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
