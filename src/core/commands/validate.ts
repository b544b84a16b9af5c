// Argument checks for the command builders. Each returns the checked value or throws a
// ValidationError naming the field, so nothing malformed ever reaches a plug.
//
// Values come from Node-RED messages (JSON, user code), so nothing here trusts TypeScript
// types: every check looks at the runtime value. Objects are read through own properties
// only, so keys such as "__proto__" or "constructor" cannot smuggle in inherited values.

import { ValidationError } from '../errors';

/** Reads an own property; inherited ones (e.g. from a poisoned prototype) read as undefined. */
export function own(obj: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** True when `obj` has `key` as an own property with a value other than undefined. */
export function has(obj: object, key: string): boolean {
  return own(obj, key) !== undefined;
}

/** A plain argument object (not null, not an array). */
export function record(field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(field, 'an object', v);
  return v as Record<string, unknown>;
}

/** Rejects keys outside `allowed`, so typos ("lattitude") and "__proto__" fail loudly. */
export function onlyKeys(field: string, obj: object, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`${field}.${key}`, `one of the known fields: ${allowed.join(', ')}`);
    }
  }
}

/** A finite integer in [min, max]; `unit` words the message, e.g. "seconds". */
export function int(field: string, v: unknown, min: number, max: number, unit?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `an integer${unit ? ` number of ${unit}` : ''} from ${min} to ${max}`, v);
  }
  return v;
}

/** A finite number in [min, max]. */
export function num(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ValidationError(field, `a number from ${min} to ${max}`, v);
  }
  return v;
}

/** true/false, or the device's own 1/0. */
export function bool(field: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw new ValidationError(field, 'true or false (or 1/0)', v);
}

/** The device's 0/1 flag for a boolean-ish argument. */
export function flag(field: string, v: unknown): 0 | 1 {
  return bool(field, v) ? 1 : 0;
}

/** One of a fixed set of values (compared with ===). */
export function oneOf<T>(field: string, v: unknown, values: readonly T[]): T {
  if (!values.includes(v as T)) throw new ValidationError(field, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
  return v as T;
}

export interface TextLimits {
  /** Minimum and maximum length in UTF-8 bytes (what the firmware's buffers count). */
  min: number;
  max: number;
  /** Extra form check, e.g. the characters of a host name. */
  pattern?: RegExp;
  /** Wording of the expected form when `pattern` fails. */
  what?: string;
}

// Control characters have no business in names, URLs or credentials and upset some firmware.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A string of `min`..`max` UTF-8 bytes without control characters (and matching `pattern`). */
export function text(field: string, v: unknown, limits: TextLimits): string {
  const what = limits.what ?? 'text';
  const expected = `${what} of ${limits.min === limits.max ? limits.min : `${limits.min} to ${limits.max}`} bytes (UTF-8)`;
  if (typeof v !== 'string') throw new ValidationError(field, `a string: ${expected}`, v);
  const bytes = Buffer.byteLength(v, 'utf8');
  if (bytes < limits.min || bytes > limits.max) throw new ValidationError(field, expected, v);
  if (CONTROL.test(v)) throw new ValidationError(field, `${expected} without control characters`, v);
  if (limits.pattern && !limits.pattern.test(v)) throw new ValidationError(field, expected, v);
  return v;
}

/** Hex string of exactly `len` digits, returned upper-case as the device writes it. */
export function hex(field: string, v: unknown, len: number): string {
  if (typeof v !== 'string' || v.length !== len || !/^[0-9A-Fa-f]+$/.test(v)) {
    throw new ValidationError(field, `${len} hexadecimal digits`, v);
  }
  return v.toUpperCase();
}

/** A rule id as returned by get_rules / add_rule (real plugs use 32 hex digits). */
export function ruleId(field: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(v)) {
    throw new ValidationError(field, 'a rule id (1 to 64 letters, digits, "-" or "_", as listed by get_rules)', v);
  }
  return v;
}

/** Like text() for passwords: the message gives the length, never the value. */
export function secret(field: string, v: unknown, min: number, max: number): string {
  const expected = `a string of ${min} to ${max} bytes (UTF-8) without control characters`;
  if (typeof v !== 'string') throw new ValidationError(field, expected, v === undefined ? undefined : typeof v);
  const bytes = Buffer.byteLength(v, 'utf8');
  if (bytes < min || bytes > max || CONTROL.test(v)) throw new ValidationError(field, expected, `(hidden, ${bytes} bytes)`);
  return v;
}

/** Years the plugs' clocks and statistics use. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;

/** Days in a month (1-12) of a year, leap years included. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
