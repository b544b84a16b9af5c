// What the monitor node remembers between polls, and the events a new poll
// (or a failed one) produces. Kept free of Node-RED so the rules are plain:
// - the first good poll sets the baseline and emits nothing, unless
//   `initial` asks for the current state (power-on/off, in-use/not-in-use);
// - `offline` fires when a poll fails and the device was not already offline
//   (also when the very first poll fails), `online` when it answers again;
// - in-use when power rises above the threshold, not-in-use when it falls
//   below threshold − hysteresis.

export interface OutletSnapshot {
  /** strip outlet index, or null for a single plug (or a whole strip) */
  outlet: number | null;
  /** strip child id */
  id?: string;
  alias: string;
  on: boolean;
}

export interface Snapshot {
  /** the outlet whose power is measured (null = whole device) */
  outlet: number | null;
  outlets: OutletSnapshot[];
  /** watts, when the device has an energy meter and it was asked */
  power?: number;
}

export interface MonitorEvent {
  topic: 'power-on' | 'power-off' | 'in-use' | 'not-in-use' | 'offline' | 'online';
  payload: Record<string, unknown>;
}

export interface MonitorOptions {
  /** watts; null = no in-use events */
  threshold: number | null;
  hysteresis: number;
  initial: boolean;
}

export class MonitorState {
  private reach: 'unknown' | 'online' | 'offline' = 'unknown';
  private readonly relays = new Map<string, boolean>();
  private inUse: boolean | undefined;

  constructor(private readonly opts: MonitorOptions) {}

  get offline(): boolean {
    return this.reach === 'offline';
  }

  /** Events for a successful poll. */
  polled(snap: Snapshot, alias: string): MonitorEvent[] {
    const events: MonitorEvent[] = [];
    // Baseline: nothing known yet (a first poll that failed leaves nothing either).
    const first = this.relays.size === 0 && this.inUse === undefined;
    if (this.reach === 'offline') events.push({ topic: 'online', payload: { alias } });
    this.reach = 'online';

    for (const o of snap.outlets) {
      const key = o.outlet === null ? 'device' : String(o.outlet);
      const prev = this.relays.get(key);
      this.relays.set(key, o.on);
      if (prev === o.on || (prev === undefined && !(first && this.opts.initial))) continue;
      const payload: Record<string, unknown> = { outlet: o.outlet, on: o.on, alias: o.alias };
      if (o.id) payload.id = o.id;
      events.push({ topic: o.on ? 'power-on' : 'power-off', payload });
    }

    const { threshold, hysteresis } = this.opts;
    if (threshold !== null && snap.power !== undefined) {
      const prev = this.inUse;
      const next = prev === undefined ? snap.power > threshold : prev ? snap.power >= threshold - hysteresis : snap.power > threshold;
      this.inUse = next;
      if (next !== prev && (prev !== undefined || (first && this.opts.initial))) {
        events.push({ topic: next ? 'in-use' : 'not-in-use', payload: { outlet: snap.outlet, power: snap.power, threshold, hysteresis, alias } });
      }
    }
    return events;
  }

  /** Events for a failed poll (the device did not answer). */
  failed(reason: string, kind: string | undefined): MonitorEvent[] {
    if (this.reach === 'offline') return [];
    this.reach = 'offline';
    return [{ topic: 'offline', payload: { reason, kind: kind ?? null } }];
  }
}
