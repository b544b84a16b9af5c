// One switchable endpoint of a SMART device: the plug itself, or one outlet of
// a strip (a "child" reached through control_child). Relay state, nickname,
// its countdown and its schedule.

import { Countdown, Schedule } from './rules';

export class Endpoint {
  on = false;
  /** device-clock ms the relay last went on */
  onSince = 0;
  readonly countdown = new Countdown();
  readonly schedule = new Schedule();

  constructor(
    readonly deviceId: string,
    public nickname: string,
    /** watts while on */
    public load: number,
    /** 1-based outlet position on a strip; 0 for the plug itself */
    readonly position: number,
  ) {}

  /** Seconds the relay has been on (0 while off). */
  onTime(now: number): number {
    return this.on ? Math.max(0, Math.floor((now - this.onSince) / 1000)) : 0;
  }
}
