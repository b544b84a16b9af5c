// Energy statistics as chart points {x, y}: what a Dashboard 2.0 bar chart
// plots as is (x key "x", y key "y"). Every day (month) of the period gets a
// point, 0 where the plug holds no record, up to today for the current period,
// so the bars don't skip days and the axis doesn't stop at the last record.

import { isObject, Json } from '../core/commands/command';

export interface ChartPoint {
  x: number;
  /** kWh, 3 decimals */
  y: number;
}

function kwhBy(list: Json | undefined, key: 'day' | 'month'): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of Array.isArray(list) ? list : []) {
    if (!isObject(e) || typeof e[key] !== 'number' || typeof e.energy !== 'number') continue;
    out.set(e[key] as number, (out.get(e[key] as number) ?? 0) + e.energy);
  }
  return out;
}

function points(count: number, kwh: Map<number, number>): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (let i = 1; i <= count; i++) out.push({ x: i, y: Math.round((kwh.get(i) ?? 0) * 1000) / 1000 });
  return out;
}

/** One point per day of year-month: up to today in the current month, none for a future month. */
export function dayPoints(year: number, month: number, dayList: Json | undefined, today: Date): ChartPoint[] {
  const period = year * 12 + month;
  const current = today.getFullYear() * 12 + today.getMonth() + 1;
  const last = period > current ? 0 : period === current ? today.getDate() : new Date(year, month, 0).getDate();
  return points(last, kwhBy(dayList, 'day'));
}

/** One point per month of year: up to this month in the current year, none for a future year. */
export function monthPoints(year: number, monthList: Json | undefined, today: Date): ChartPoint[] {
  const last = year > today.getFullYear() ? 0 : year === today.getFullYear() ? today.getMonth() + 1 : 12;
  return points(last, kwhBy(monthList, 'month'));
}
