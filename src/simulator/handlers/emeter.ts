// The "emeter" module in the model's unit convention: hw 1.x in V/A/W/kWh,
// hw 2.x and strips in mV/mA/mW/Wh. Several addressed outlets are summed
// (a strip without context reports the whole strip).

import { ModuleHandlers, Target } from './types';
import type { SimulatedDevice } from '../device';
import { argsOf, ok, Reply, reqNum } from '../replies';
import { DayValue, MonthValue } from '../history';

const GAIN = { min: 1, max: 1_000_000, int: true };
const YEAR = { min: 2000, max: 2099, int: true };

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function realtime(dev: SimulatedDevice, t: Target): Reply {
  const now = dev.clock.now();
  const today = dev.clock.today(now);
  const volts = dev.voltage(now);
  let watts = 0;
  let wh = 0;
  for (const o of t.outlets) {
    watts += o.power(now);
    wh += o.energy.total(today);
  }
  const amps = watts / volts;
  if (dev.spec.emeter === 'v1') return ok({ voltage: r3(volts), current: r3(amps), power: r3(watts), total: r3(wh / 1000) });
  return ok({
    voltage_mv: Math.round(volts * 1000),
    current_ma: Math.round(amps * 1000),
    power_mw: Math.round(watts * 1000),
    total_wh: Math.round(wh),
  });
}

/** Sums per-outlet lists that share their date keys; ascending by key. */
export function merge<T extends DayValue | MonthValue>(lists: T[][], key: (v: T) => number): T[] {
  const byKey = new Map<number, T>();
  for (const list of lists) {
    for (const v of list) {
      const k = key(v);
      const prev = byKey.get(k);
      byKey.set(k, prev ? { ...prev, value: prev.value + v.value } : { ...v });
    }
  }
  return [...byKey.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
}

function energyField(dev: SimulatedDevice, wh: number): Reply {
  return dev.spec.emeter === 'v1' ? { energy: r3(wh / 1000) } : { energy_wh: Math.round(wh) };
}

export const emeter: ModuleHandlers = {
  get_realtime: (dev, t) => realtime(dev, t),

  get_vgain_igain: (dev) => ok({ ...dev.state.gains }),

  set_vgain_igain: (dev, _t, raw) => {
    const a = argsOf(raw);
    dev.state.gains = { vgain: reqNum(a, 'vgain', GAIN), igain: reqNum(a, 'igain', GAIN) };
    return ok();
  },

  start_calibration: (dev, _t, raw) => {
    const a = argsOf(raw);
    reqNum(a, 'vtarget', GAIN);
    reqNum(a, 'itarget', GAIN);
    dev.state.calibrations++;
    return ok();
  },

  get_daystat: (dev, t, raw) => {
    const a = argsOf(raw);
    const year = reqNum(a, 'year', YEAR);
    const month = reqNum(a, 'month', { min: 1, max: 12, int: true });
    const today = dev.clock.today();
    const days = merge(t.outlets.map((o) => o.energy.days(year, month, today)), (d) => d.day);
    return ok({ day_list: days.map((d) => ({ year: d.year, month: d.month, day: d.day, ...energyField(dev, d.value) })) });
  },

  get_monthstat: (dev, t, raw) => {
    const year = reqNum(argsOf(raw), 'year', YEAR);
    const today = dev.clock.today();
    const months = merge(t.outlets.map((o) => o.energy.months(year, today)), (m) => m.month);
    return ok({ month_list: months.map((m) => ({ year: m.year, month: m.month, ...energyField(dev, m.value) })) });
  },

  erase_emeter_stat: (dev, t) => {
    const today = dev.clock.today();
    for (const o of t.outlets) o.energy.erase(today);
    return ok();
  },
};
