// Small helpers of the SMART device model: a failure carrying an error_code,
// and a plain-object test that ignores inherited properties' tricks.

export class SmartFail extends Error {
  constructor(readonly code: number) {
    super(`SMART error ${code}`);
  }
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property or undefined (never one from the prototype chain). */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
