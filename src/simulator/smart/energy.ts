// The energy meter of a SMART plug: Wh and minutes on, per day, accrued from the
// device clock while the relay is on. Days before the simulator started are
// synthesised from a seed (same numbers every run), like the IOT simulator's.

import { SimClock } from '../clock';
import { DailyHistory } from '../history';

const MS_PER_DAY = 86_400_000;

export class EnergyMeter {
  readonly wh: DailyHistory;
  readonly minutes: DailyHistory;
  private last: number;

  constructor(private readonly clock: SimClock, seed: string, nominalWatts: number) {
    const today = clock.today();
    this.wh = new DailyHistory(`${seed}|wh`, today, (r) => Math.round(r * nominalWatts * 8));
    this.minutes = new DailyHistory(`${seed}|min`, today, (r) => Math.round(r * 480));
    this.last = clock.now();
  }

  /** Adds what `watts` used since the last call, split at local midnights. */
  accrue(watts: number): void {
    const now = this.clock.now();
    let t = this.last;
    this.last = now;
    if (watts <= 0) return;
    while (t < now) {
      const offset = this.clock.offsetMin * 60_000;
      const dayEnd = (Math.floor((t + offset) / MS_PER_DAY) + 1) * MS_PER_DAY - offset;
      const until = Math.min(now, dayEnd);
      const day = this.clock.today(t);
      this.wh.add(day, (watts * (until - t)) / 3_600_000);
      this.minutes.add(day, (until - t) / 60_000);
      t = until;
    }
  }

  /** get_energy_usage's statistics (Wh and minutes, integers as the firmware gives them). */
  usage(): { today_energy: number; month_energy: number; today_runtime: number; month_runtime: number } {
    const today = this.clock.today();
    const w = this.clock.wall();
    const month = (h: DailyHistory): number => h.days(w.year, w.month, today).reduce((s, d) => s + d.value, 0);
    return {
      today_energy: Math.floor(this.wh.valueOf(today, today) ?? 0),
      month_energy: Math.floor(month(this.wh)),
      today_runtime: Math.floor(this.minutes.valueOf(today, today) ?? 0),
      month_runtime: Math.floor(month(this.minutes)),
    };
  }

  totalWh(): number {
    return Math.floor(this.wh.total(this.clock.today()));
  }
}
