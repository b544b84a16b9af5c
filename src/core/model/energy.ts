// Energy figures both models share: list totals in both units, and the summary of
// today's and this month's energy.

import { isObject, Json, JsonObject } from '../commands/command';
import { copyOwn } from '../commands/copy';
import { DeviceError } from '../errors';

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Sum of a stats list in both units (kWh to 3 decimals, Wh whole). */
export function totals(list: Json | undefined): { energy: number; energy_wh: number } {
  let kwh = 0;
  let wh = 0;
  for (const e of Array.isArray(list) ? list : []) {
    if (!isObject(e)) continue;
    if (typeof e.energy === 'number') kwh += e.energy;
    if (typeof e.energy_wh === 'number') wh += e.energy_wh;
  }
  return { energy: round3(kwh), energy_wh: Math.round(wh) };
}

/** A result without the IOT status fields. */
export function withoutErrCode(o: JsonObject): JsonObject {
  const out = copyOwn(o);
  delete out.err_code;
  delete out.err_msg;
  return out;
}

/** Watt-hours -> the package's pair (kWh, Wh). */
export function whPair(wh: number): { kwh: number; wh: number } {
  return { kwh: round3(wh / 1000), wh: Math.round(wh) };
}

/** emeter -1 means the device has no meter at all: say so instead of "module not support". */
export function explainNoMeter(err: unknown): never {
  if (err instanceof DeviceError && err.module === 'emeter' && err.errCode === -1) {
    const e = new DeviceError(err.module, err.method, err.errCode, err.errMsg);
    e.message = `this device has no energy meter (emeter.${err.method} answered -1 "${err.errMsg || 'module not support'}"); use an HS110, HS300, KP115 or similar`;
    throw e;
  }
  throw err;
}
