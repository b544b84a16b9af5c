// The "time" module. set_timezone stores the index and, when the date and
// time fields come with it (they normally do), sets the device clock.

import { ModuleHandlers } from './types';
import { daysInMonth } from '../clock';
import { argsOf, ArgError, ERR, ok, reqNum } from '../replies';

const FIELDS = ['year', 'month', 'mday', 'hour', 'min', 'sec'] as const;

export const time: ModuleHandlers = {
  get_time: (dev) => {
    const w = dev.clock.wall();
    return ok({ year: w.year, month: w.month, mday: w.mday, hour: w.hour, min: w.min, sec: w.sec });
  },

  get_timezone: (dev) => ok({ index: dev.clock.tzIndex }),

  set_timezone: (dev, _t, raw) => {
    const a = argsOf(raw);
    const index = reqNum(a, 'index', { min: 0, max: 109, int: true });
    const given = FIELDS.filter((f) => a[f] !== undefined && a[f] !== null);
    if (given.length > 0) {
      if (given.length < FIELDS.length) throw new ArgError(ERR.MISSING);
      const year = reqNum(a, 'year', { min: 2000, max: 2099, int: true });
      const month = reqNum(a, 'month', { min: 1, max: 12, int: true });
      dev.setWallClock({
        year,
        month,
        mday: reqNum(a, 'mday', { min: 1, max: daysInMonth(year, month), int: true }),
        hour: reqNum(a, 'hour', { min: 0, max: 23, int: true }),
        min: reqNum(a, 'min', { min: 0, max: 59, int: true }),
        sec: reqNum(a, 'sec', { min: 0, max: 59, int: true }),
      });
    }
    dev.clock.tzIndex = index;
    return ok();
  },
};
