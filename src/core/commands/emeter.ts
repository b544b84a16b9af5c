// Builders for the "emeter" module, and normalisation of its two unit conventions.

import { Command, command, isObject, JsonObject } from './command';
import { copyOwn } from './copy';
import { int, MAX_YEAR, MIN_YEAR, onlyKeys, own, record } from './validate';
import { ProtocolError } from '../errors';

const M = 'emeter';

/** Gains and calibration targets are positive integers; this bound only stops nonsense. */
export const MAX_GAIN = 1_000_000;

export function getRealtime(): Command {
  return command(M, 'get_realtime', {});
}

export function getVgainIgain(): Command {
  return command(M, 'get_vgain_igain', {});
}

export interface Gains {
  vgain: number;
  igain: number;
}

/** Wrong gains corrupt every later reading (hence destructive). */
export function setVgainIgain(gains: Gains): Command {
  const o = record('gains', gains);
  onlyKeys('gains', o, ['vgain', 'igain']);
  return command(M, 'set_vgain_igain', {
    vgain: int('vgain', own(o, 'vgain'), 1, MAX_GAIN),
    igain: int('igain', own(o, 'igain'), 1, MAX_GAIN),
  }, true);
}

export interface CalibrationTargets {
  vtarget: number;
  itarget: number;
}

export function startCalibration(targets: CalibrationTargets): Command {
  const o = record('targets', targets);
  onlyKeys('targets', o, ['vtarget', 'itarget']);
  return command(M, 'start_calibration', {
    vtarget: int('vtarget', own(o, 'vtarget'), 1, MAX_GAIN),
    itarget: int('itarget', own(o, 'itarget'), 1, MAX_GAIN),
  }, true);
}

export interface MonthRef {
  year: number;
  month: number;
}

/** Daily energy of one month. */
export function getDayStat(ref: MonthRef): Command {
  const o = record('period', ref);
  onlyKeys('period', o, ['year', 'month']);
  return command(M, 'get_daystat', {
    month: int('month', own(o, 'month'), 1, 12),
    year: int('year', own(o, 'year'), MIN_YEAR, MAX_YEAR),
  });
}

/** Monthly energy of one year. */
export function getMonthStat(ref: { year: number }): Command {
  const o = record('period', ref);
  onlyKeys('period', o, ['year']);
  return command(M, 'get_monthstat', { year: int('year', own(o, 'year'), MIN_YEAR, MAX_YEAR) });
}

/** Erases the stored statistics (not the calibration). */
export function eraseStats(): Command {
  return command(M, 'erase_emeter_stat', null);
}

// ---- unit normalisation -------------------------------------------------------------
// hw 1.x sends V/A/W/kWh, hw 2.x and strips mV/mA/mW/Wh. Outputs carry both, so flows
// work with any plug. Values the device sent are kept as sent; only the derived twin is
// rounded: milli-units to integers, base units to 3 decimals (= the milli resolution).

/** [base-unit field, milli-unit field] pairs; each milli value is base × 1000. */
const REALTIME_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['power', 'power_mw'],
  ['voltage', 'voltage_mv'],
  ['current', 'current_ma'],
  ['total', 'total_wh'],
];
const STAT_PAIRS: ReadonlyArray<readonly [string, string]> = [['energy', 'energy_wh']];

export interface RealtimeReading extends JsonObject {
  power: number;
  power_mw: number;
  voltage: number;
  voltage_mv: number;
  current: number;
  current_ma: number;
  total: number;
  total_wh: number;
}

export interface EnergyEntry extends JsonObject {
  energy: number;
  energy_wh: number;
}

/** A get_realtime result with both conventions filled; err_code and unknown fields kept. */
export function normalizeRealtime(reading: unknown): RealtimeReading {
  return fillPairs('realtime reading', reading, REALTIME_PAIRS) as RealtimeReading;
}

/** One day_list entry with energy (kWh) and energy_wh. */
export function normalizeDayStat(entry: unknown): EnergyEntry {
  return fillPairs('daystat entry', entry, STAT_PAIRS) as EnergyEntry;
}

/** One month_list entry with energy (kWh) and energy_wh. */
export function normalizeMonthStat(entry: unknown): EnergyEntry {
  return fillPairs('monthstat entry', entry, STAT_PAIRS) as EnergyEntry;
}

/** A whole get_daystat / get_monthstat result with every list entry normalised. */
export function normalizeStats(result: unknown): JsonObject {
  if (!isObject(result)) throw new ProtocolError('emeter statistics are not an object');
  const out = copyOwn(result);
  for (const list of ['day_list', 'month_list']) {
    const entries = own(result, list);
    if (Array.isArray(entries)) out[list] = entries.map((e) => fillPairs(list, e, STAT_PAIRS));
  }
  return out;
}

function fillPairs(what: string, src: unknown, pairs: ReadonlyArray<readonly [string, string]>): JsonObject {
  if (!isObject(src)) throw new ProtocolError(`${what} is not an object`);
  const out = copyOwn(src);
  for (const [base, milli] of pairs) {
    const b = own(src, base);
    const m = own(src, milli);
    if (isNum(m) && !isNum(b)) out[base] = Math.round(m) / 1000;
    else if (isNum(b) && !isNum(m)) out[milli] = Math.round(b * 1000);
  }
  return out;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
