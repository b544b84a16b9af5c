// Reply objects and argument checks shared by the module handlers. Handlers
// throw ArgError; the dispatcher turns it into {err_code, err_msg} for that
// one method, so other methods of the same request still run.

export type Reply = Record<string, unknown>;

export const ERR = {
  MODULE: -1,
  MEMBER: -2,
  INVALID: -3,
  NO_MEMORY: -5,
  UNKNOWN: -7,
  TABLE_FULL: -10,
  NO_ENTRY: -14,
  BAD_INPUT: -10000,
  MISSING: -10002,
} as const;

const MESSAGES: Record<number, string> = {
  [-1]: 'module not support',
  [-2]: 'member not support',
  [-3]: 'invalid argument',
  [-5]: 'not enough memory',
  [-7]: 'unknown error',
  [-10]: 'table is full',
  [-14]: 'entry not exist',
  [-10000]: 'Invalid input argument',
  [-10002]: 'Missing necessary argument',
};

export function errMsg(code: number): string {
  return MESSAGES[code] ?? 'unknown error';
}

export function ok(fields: Reply = {}): Reply {
  return { ...fields, err_code: 0 };
}

export function fail(code: number, msg: string = errMsg(code)): Reply {
  return { err_code: code, err_msg: msg };
}

export class ArgError extends Error {
  constructor(readonly code: number, message: string = errMsg(code)) {
    super(message);
    this.name = 'ArgError';
  }
}

/** Sets an own property even for keys like "__proto__" that come from JSON.parse. */
export function setOwn(target: Reply, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export type Args = Record<string, unknown>;

/** `null`, missing and `{}` are all "no arguments"; anything else must be an object. */
export function argsOf(raw: unknown): Args {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ArgError(ERR.INVALID);
  return raw as Args;
}

function has(a: Args, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(a, key) && a[key] !== undefined && a[key] !== null;
}

interface NumOpts {
  min?: number;
  max?: number;
  int?: boolean;
}

function checkNum(v: unknown, o: NumOpts): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgError(ERR.INVALID);
  if (o.int && !Number.isInteger(v)) throw new ArgError(ERR.INVALID);
  if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) throw new ArgError(ERR.INVALID);
  return v;
}

export function reqNum(a: Args, key: string, o: NumOpts = {}): number {
  if (!has(a, key)) throw new ArgError(ERR.MISSING);
  return checkNum(a[key], o);
}

export function optNum(a: Args, key: string, fallback: number, o: NumOpts = {}): number {
  return has(a, key) ? checkNum(a[key], o) : fallback;
}

/** 0/1 flags as the plugs take them (booleans are refused; only hw 1.x rule wday/repeat take them, see rules.ts). */
export function reqFlag(a: Args, key: string): 0 | 1 {
  return reqNum(a, key, { min: 0, max: 1, int: true }) as 0 | 1;
}

export function optFlag(a: Args, key: string, fallback: 0 | 1): 0 | 1 {
  return optNum(a, key, fallback, { min: 0, max: 1, int: true }) as 0 | 1;
}

interface StrOpts {
  maxBytes?: number;
  minBytes?: number;
  pattern?: RegExp;
}

function checkStr(v: unknown, o: StrOpts): string {
  if (typeof v !== 'string') throw new ArgError(ERR.INVALID);
  const bytes = Buffer.byteLength(v, 'utf8');
  if ((o.maxBytes !== undefined && bytes > o.maxBytes) || bytes < (o.minBytes ?? 0)) throw new ArgError(ERR.INVALID);
  if (o.pattern && !o.pattern.test(v)) throw new ArgError(ERR.INVALID);
  return v;
}

export function reqStr(a: Args, key: string, o: StrOpts = {}): string {
  if (!has(a, key)) throw new ArgError(ERR.MISSING);
  return checkStr(a[key], o);
}

export function optStr(a: Args, key: string, fallback: string, o: StrOpts = {}): string {
  return has(a, key) ? checkStr(a[key], o) : fallback;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Same reply shape as the request, every method answering `code` (the err-code fault). */
export function mirrorError(request: Record<string, unknown>, code: number, msg?: string): Reply {
  const out: Reply = {};
  for (const [mod, methods] of Object.entries(request)) {
    if (mod === 'context') continue;
    if (!isPlainObject(methods)) {
      setOwn(out, mod, fail(code, msg));
      continue;
    }
    const m: Reply = {};
    for (const method of Object.keys(methods)) setOwn(m, method, fail(code, msg));
    setOwn(out, mod, m);
  }
  return out;
}
