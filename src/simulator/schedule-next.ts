// get_next_action / sysinfo.next_action: the earliest upcoming start of an
// enabled clock-time schedule rule (sunrise/sunset rules are not predicted).

import { SimClock, dayNumber } from './clock';
import { RuleTable, flagSet } from './rules';

export interface NextAction {
  type: number;
  id?: string;
  schd_sec?: number;
  action?: number;
}

export function nextAction(table: RuleTable, clock: SimClock): NextAction {
  if (table.enable !== 1) return { type: -1 };
  const now = clock.now();
  const wall = clock.wall(now);
  const nowSec = clock.secondOfDay(now);
  const today = clock.today(now);
  let best: { inSec: number; action: NextAction } | null = null;
  for (const r of table.list(now)) {
    if (r.enable !== 1 || r.stime_opt !== 0 || r.sact === -1) continue;
    const startSec = (r.smin as number) * 60;
    let inSec: number | null = null;
    if (flagSet(r.repeat)) {
      const days = r.wday as unknown[];
      for (let off = 0; off <= 7 && inSec === null; off++) {
        if (flagSet(days[(wall.wday + off) % 7]) && (off > 0 || startSec > nowSec)) inSec = off * 86400 + startSec - nowSec;
      }
    } else if ((r.year as number) > 0) {
      const day = dayNumber(r.year as number, r.month as number, r.day as number);
      const t = (day - today) * 86400 + startSec - nowSec;
      if (t > 0) inSec = t;
    }
    if (inSec !== null && (best === null || inSec < best.inSec)) {
      best = { inSec, action: { type: 1, id: r.id, schd_sec: startSec, action: r.sact as number } };
    }
  }
  return best ? best.action : { type: -1 };
}
