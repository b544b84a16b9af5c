// Builders for the "time" module.

import { Command, command } from './command';
import { daysInMonth, int, MAX_YEAR, MIN_YEAR, onlyKeys, own, record } from './validate';
import { ValidationError } from '../errors';

const M = 'time';

/** The plugs' timezone table has indices 0 (UTC-12) to 109 (UTC+14, Kiritimati). */
export const MAX_TIMEZONE_INDEX = 109;

export function getTime(): Command {
  return command(M, 'get_time', null);
}

export function getTimezone(): Command {
  return command(M, 'get_timezone', null);
}

/** Wall-clock time in the new timezone, in the device's field names. */
export interface DeviceTime {
  year: number;
  month: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
}

export interface TimezoneSetting {
  index: number;
  /** The local time to set; a Date is read in the host's local time. Default: now. */
  date?: Date | DeviceTime;
}

/** set_timezone also sets the clock, so it always carries a full date and time. */
export function setTimezone(setting: TimezoneSetting): Command {
  const o = record('timezone', setting);
  onlyKeys('timezone', o, ['index', 'date']);
  const index = int('index', own(o, 'index'), 0, MAX_TIMEZONE_INDEX);
  const t = deviceTime(own(o, 'date') ?? new Date());
  return command(M, 'set_timezone', { year: t.year, month: t.month, mday: t.mday, hour: t.hour, min: t.min, sec: t.sec, index });
}

function deviceTime(v: unknown): DeviceTime {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new ValidationError('date', 'a valid Date', 'Invalid Date');
    v = { year: v.getFullYear(), month: v.getMonth() + 1, mday: v.getDate(), hour: v.getHours(), min: v.getMinutes(), sec: v.getSeconds() };
  }
  const o = record('date', v);
  onlyKeys('date', o, ['year', 'month', 'mday', 'hour', 'min', 'sec']);
  const year = int('date.year', own(o, 'year'), MIN_YEAR, MAX_YEAR);
  const month = int('date.month', own(o, 'month'), 1, 12);
  const mday = int('date.mday', own(o, 'mday'), 1, daysInMonth(year, month));
  return {
    year,
    month,
    mday,
    hour: int('date.hour', own(o, 'hour'), 0, 23),
    min: int('date.min', own(o, 'min'), 0, 59),
    sec: int('date.sec', own(o, 'sec'), 0, 59),
  };
}
