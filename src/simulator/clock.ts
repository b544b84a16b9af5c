// The device's own clock: host time plus a skew (set_timezone sets the wall
// clock; tests fast-forward with advance()). Wall-clock fields are read with
// the UTC getters of a shifted Date so the host's timezone never leaks in.

const MS_PER_DAY = 86_400_000;

export interface WallTime {
  year: number;
  month: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  /** 0 = Sunday, like the rules' wday flags. */
  wday: number;
}

export class SimClock {
  private skewMs = 0;
  /** Minutes east of UTC of the device's wall clock. Starts as the host's. */
  offsetMin = -new Date().getTimezoneOffset();
  tzIndex = 18; // the plugs' table index for UTC+0 (London); informational only

  /** Milliseconds since the epoch, as the device sees it. */
  now(): number {
    return Date.now() + this.skewMs;
  }

  /** Moves the device's time forward (countdowns fire, energy accrues). */
  advance(ms: number): void {
    this.skewMs += ms;
  }

  wall(at: number = this.now()): WallTime {
    const d = new Date(at + this.offsetMin * 60_000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      mday: d.getUTCDate(),
      hour: d.getUTCHours(),
      min: d.getUTCMinutes(),
      sec: d.getUTCSeconds(),
      wday: d.getUTCDay(),
    };
  }

  /** Sets the wall clock to the given local fields. */
  setWall(t: Omit<WallTime, 'wday'>): void {
    const target = Date.UTC(t.year, t.month - 1, t.mday, t.hour, t.min, t.sec) - this.offsetMin * 60_000;
    this.skewMs = target - Date.now();
  }

  /** Days since 1970-01-01 of the wall-clock date (the key of daily statistics). */
  today(at: number = this.now()): number {
    return Math.floor((at + this.offsetMin * 60_000) / MS_PER_DAY);
  }

  /** Seconds since local midnight. */
  secondOfDay(at: number = this.now()): number {
    const local = at + this.offsetMin * 60_000;
    return Math.floor((((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 1000);
  }
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function dateOfDay(day: number): { year: number; month: number; day: number } {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
