// The "netif" module: a fixed list of nearby access points, and joining one
// (remembered, so tests can check what a client sent).

import { ModuleHandlers } from './types';
import { argsOf, ok, optFlag, optNum, optStr, reqStr } from '../replies';

const AP_LIST = [
  { ssid: 'HomeNetwork', key_type: 3 },
  { ssid: 'HomeNetwork_5G', key_type: 3 },
  { ssid: 'Neighbours', key_type: 2 },
  { ssid: 'CoffeeShop Guest', key_type: 0 },
];

export const netif: ModuleHandlers = {
  get_scaninfo: (_dev, _t, raw) => {
    const a = argsOf(raw);
    optFlag(a, 'refresh', 0);
    // A real scan takes `timeout` seconds; the simulator answers at once.
    optNum(a, 'timeout', 0, { min: 0, max: 600, int: true });
    return ok({ ap_list: AP_LIST.map((ap) => ({ ...ap })) });
  },

  set_stainfo: (dev, _t, raw) => {
    const a = argsOf(raw);
    const ssid = reqStr(a, 'ssid', { minBytes: 1, maxBytes: 32 });
    const keyType = optNum(a, 'key_type', 3, { min: 0, max: 3, int: true });
    optStr(a, 'password', '', { maxBytes: 64 });
    dev.state.wifi = { ssid, key_type: keyType };
    return ok();
  },
};
