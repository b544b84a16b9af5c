// The "system" module: sysinfo, relay, LED, identity and firmware commands.
// Commands that would disturb a real plug (reboot, reset, firmware) only
// update the state a client could later observe.

import { ModuleHandlers } from './types';
import { argsOf, ArgError, ERR, ok, optNum, reqFlag, reqNum, reqStr } from '../replies';

const HEX = (n: number): RegExp => new RegExp(`^[0-9A-Fa-f]{${n}}$`);
const MAC = /^[0-9A-Fa-f]{2}([-:]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;
const DELAY = { min: 0, max: 86400, int: true };

export const system: ModuleHandlers = {
  get_sysinfo: (dev) => dev.sysinfo(),

  set_relay_state: (dev, t, raw) => {
    const state = reqFlag(argsOf(raw), 'state');
    const now = dev.clock.now();
    for (const o of t.outlets) o.setRelay(state, now);
    return ok();
  },

  set_led_off: (dev, _t, raw) => {
    dev.state.ledOff = reqFlag(argsOf(raw), 'off');
    return ok();
  },

  set_dev_alias: (dev, t, raw) => {
    const alias = reqStr(argsOf(raw), 'alias', { maxBytes: 31 });
    if (t.byContext) for (const o of t.outlets) o.alias = alias;
    else dev.state.alias = alias;
    return ok();
  },

  set_mac_addr: (dev, _t, raw) => {
    const mac = reqStr(argsOf(raw), 'mac', { pattern: MAC });
    const hex = mac.replace(/[-:]/g, '').toUpperCase();
    dev.state.mac = hex.match(/../g)!.join(':');
    return ok();
  },

  set_device_id: (dev, _t, raw) => {
    dev.state.deviceId = reqStr(argsOf(raw), 'deviceId', { pattern: HEX(40) }).toUpperCase();
    return ok();
  },

  set_hw_id: (dev, _t, raw) => {
    dev.state.hwId = reqStr(argsOf(raw), 'hwId', { pattern: HEX(32) }).toUpperCase();
    return ok();
  },

  set_dev_location: (dev, _t, raw) => {
    const a = argsOf(raw);
    // Degrees win; firmware that only knows the integer forms sends latitude_i/longitude_i.
    if (a.latitude !== undefined || a.longitude !== undefined) {
      dev.state.latitude = reqNum(a, 'latitude', { min: -90, max: 90 });
      dev.state.longitude = reqNum(a, 'longitude', { min: -180, max: 180 });
    } else if (a.latitude_i !== undefined || a.longitude_i !== undefined) {
      dev.state.latitude = reqNum(a, 'latitude_i', { min: -900000, max: 900000, int: true }) / 1e4;
      dev.state.longitude = reqNum(a, 'longitude_i', { min: -1800000, max: 1800000, int: true }) / 1e4;
    } else {
      throw new ArgError(ERR.MISSING);
    }
    return ok();
  },

  reboot: (dev, _t, raw) => {
    optNum(argsOf(raw), 'delay', 1, DELAY);
    dev.rebootNow();
    return ok();
  },

  reset: (dev, _t, raw) => {
    optNum(argsOf(raw), 'delay', 1, DELAY);
    dev.factoryReset();
    return ok();
  },

  test_check_uboot: () => ok(),

  get_dev_icon: (dev) => ok({ icon: dev.state.icon.icon, hash: dev.state.icon.hash }),

  set_dev_icon: (dev, _t, raw) => {
    const a = argsOf(raw);
    dev.state.icon = { icon: reqStr(a, 'icon', { maxBytes: 32768 }), hash: reqStr(a, 'hash', { maxBytes: 64 }) };
    return ok();
  },

  set_test_mode: (dev, _t, raw) => {
    dev.state.testMode = reqFlag(argsOf(raw), 'enable');
    return ok();
  },

  download_firmware: (dev, _t, raw) => {
    const url = reqStr(argsOf(raw), 'url', { minBytes: 1, maxBytes: 256 });
    // No network: the "download" completes at once.
    dev.state.firmware = { ...dev.state.firmware, url, status: 2, ratio: 100 };
    return ok();
  },

  get_download_state: (dev) => {
    const f = dev.state.firmware;
    return ok({ url: f.url, status: f.status, ratio: f.ratio, reboot_times: 0, flash_time: 0 });
  },

  flash_firmware: (dev) => {
    dev.state.firmware = { ...dev.state.firmware, status: 0, ratio: 0, flashed: dev.state.firmware.flashed + 1 };
    return ok();
  },

  check_new_config: () => ok(),
};
