// One switched outlet: relay, alias, on-time, the load it powers, and its
// energy / runtime history. A plug has one; an HS300 strip has six.
// Energy is accrued lazily (sample() on each request), so no timers run.

import { SimClock } from './clock';
import { DailyHistory } from './history';
import { RuleTable } from './rules';

const MS_PER_DAY = 86_400_000;

/** The rule tables that act on a set of outlets (one outlet, or a whole strip). */
export class RuleSet {
  readonly schedule = new RuleTable('schedule');
  readonly countdown = new RuleTable('count_down');
  readonly antiTheft = new RuleTable('anti_theft');

  constructor(readonly scope: Outlet[]) {}

  clear(): void {
    for (const t of [this.schedule, this.countdown, this.antiTheft]) {
      t.clear();
      t.enable = 1;
    }
  }
}

export interface OutletOptions {
  alias: string;
  load: number;
  seed: string;
}

export class Outlet {
  relay: 0 | 1 = 0;
  alias: string;
  /** Watts drawn while on. */
  load: number;
  /** Relative wobble of the power reading (0 = exact, what setLoad gives). */
  variation = 0.02;
  /** Wh per day. */
  readonly energy: DailyHistory;
  /** Minutes on per day (schedule get_daystat). */
  readonly runtime: DailyHistory;
  rules: RuleSet;
  private onSince = 0;
  private lastSample: number;
  private readonly phase: number;

  constructor(readonly index: number, opts: OutletOptions, private readonly clock: SimClock) {
    this.alias = opts.alias;
    this.load = opts.load;
    const start = clock.today();
    const load = opts.load;
    this.energy = new DailyHistory(`${opts.seed}:e`, start, (r) => load * (2 + 8 * r));
    this.runtime = new DailyHistory(`${opts.seed}:r`, start, (r) => Math.round(120 + 600 * r));
    this.lastSample = clock.now();
    this.phase = index * 1.7;
    this.rules = new RuleSet([this]);
  }

  /** Instantaneous power in watts: a slow wobble around the load, 0 when off. */
  power(at: number = this.clock.now()): number {
    if (this.relay === 0) return 0;
    if (this.variation === 0) return this.load;
    return this.load * (1 + this.variation * Math.sin((2 * Math.PI * at) / 41_000 + this.phase));
  }

  /** Seconds the relay has been on (0 when off). */
  onTime(at: number = this.clock.now()): number {
    return this.relay === 1 ? Math.max(0, Math.floor((at - this.onSince) / 1000)) : 0;
  }

  /** Books energy and runtime up to `at`, split at local midnights. */
  sample(at: number = this.clock.now()): void {
    let from = this.lastSample;
    if (at <= from) return;
    this.lastSample = at;
    if (this.relay === 0) return;
    const shift = this.clock.offsetMin * 60_000;
    while (from < at) {
      const day = this.clock.today(from);
      const midnight = (day + 1) * MS_PER_DAY - shift;
      const to = Math.min(at, midnight);
      const hours = (to - from) / 3_600_000;
      this.energy.add(day, this.power(to) * hours);
      this.runtime.add(day, hours * 60);
      from = to;
    }
  }

  /** After the wall clock was set: book nothing for the jump. */
  resync(at: number = this.clock.now()): void {
    this.lastSample = at;
    if (this.relay === 1 && this.onSince > at) this.onSince = at;
  }

  setRelay(state: 0 | 1, at: number = this.clock.now()): void {
    this.sample(at);
    if (state === 1 && this.relay === 0) this.onSince = at;
    this.relay = state;
  }
}
