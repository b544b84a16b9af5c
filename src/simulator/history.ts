// Daily statistics (emeter energy, schedule runtime) as a plug stores them:
// past days before the simulator started are synthesised deterministically
// from a seed, so the same device answers the same numbers every time; days
// since then hold what was actually measured. erase() drops everything.

import { dateOfDay, dayNumber, daysInMonth } from './clock';

/** FNV-1a over a string, mapped to [0, 1). Stable across runs and platforms. */
export function hash01(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 0x1_0000_0000;
}

export interface DayValue {
  year: number;
  month: number;
  day: number;
  value: number;
}

export interface MonthValue {
  year: number;
  month: number;
  value: number;
}

export class DailyHistory {
  private readonly measured = new Map<number, number>();
  /** First day with records: Jan 1 of the year before the device "started". */
  private firstDay: number;
  /** Days before this one are synthetic (until erase). */
  private syntheticUntil: number;

  constructor(
    private readonly seed: string,
    startDay: number,
    /** Maps a uniform [0,1) draw to that day's value. */
    private readonly synth: (r: number) => number,
  ) {
    this.syntheticUntil = startDay;
    this.firstDay = dayNumber(dateOfDay(startDay).year - 1, 1, 1);
  }

  add(day: number, value: number): void {
    if (value === 0) return;
    this.measured.set(day, (this.measured.get(day) ?? 0) + value);
  }

  /** The stored value of a day, or undefined when the plug holds no record for it. */
  valueOf(day: number, today: number): number | undefined {
    if (day > today || day < this.firstDay) return undefined;
    if (day < this.syntheticUntil) return this.synth(hash01(`${this.seed}|${day}`));
    return this.measured.get(day) ?? 0;
  }

  days(year: number, month: number, today: number): DayValue[] {
    const out: DayValue[] = [];
    const first = dayNumber(year, month, 1);
    const n = daysInMonth(year, month);
    for (let i = 0; i < n; i++) {
      const v = this.valueOf(first + i, today);
      if (v !== undefined) out.push({ year, month, day: i + 1, value: v });
    }
    return out;
  }

  months(year: number, today: number): MonthValue[] {
    const out: MonthValue[] = [];
    for (let month = 1; month <= 12; month++) {
      const days = this.days(year, month, today);
      if (days.length > 0) out.push({ year, month, value: days.reduce((s, d) => s + d.value, 0) });
    }
    return out;
  }

  total(today: number): number {
    let sum = 0;
    for (let d = this.firstDay; d < this.syntheticUntil && d <= today; d++) sum += this.synth(hash01(`${this.seed}|${d}`));
    for (const [day, v] of this.measured) if (day >= this.firstDay && day <= today) sum += v;
    return sum;
  }

  /** Forgets every record; from today on only measured values count. */
  erase(today: number): void {
    this.measured.clear();
    this.firstDay = today;
    this.syntheticUntil = today;
  }
}
