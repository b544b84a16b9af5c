// get_sysinfo as the firmware lays it out: flat for plugs and switches,
// with children[] and no relay_state at the top for strips.

import type { SimulatedDevice } from './device';
import { nextAction } from './schedule-next';
import { Reply } from './replies';

function activeMode(dev: SimulatedDevice, rulesOf: SimulatedDevice['state']['rules']): string {
  const now = dev.clock.now();
  if (rulesOf.countdown.list(now).some((r) => r.enable === 1)) return 'count_down';
  if (rulesOf.schedule.enable === 1 && rulesOf.schedule.list(now).some((r) => r.enable === 1)) return 'schedule';
  return 'none';
}

export function buildSysinfo(dev: SimulatedDevice): Reply {
  const s = dev.state;
  const spec = dev.spec;
  const now = dev.clock.now();
  const rssi = -56 - Math.round(3 * (1 + Math.sin(now / 30_000)));
  const common: Reply = {
    sw_ver: spec.swVer,
    hw_ver: spec.hwVer,
    type: 'IOT.SMARTPLUGSWITCH',
    mic_type: 'IOT.SMARTPLUGSWITCH',
    model: spec.model,
    mac: s.mac,
    dev_name: spec.devName,
    alias: s.alias,
  };
  const location: Reply = {
    latitude: s.latitude,
    longitude: s.longitude,
    latitude_i: Math.round(s.latitude * 1e4),
    longitude_i: Math.round(s.longitude * 1e4),
  };
  const ids: Reply = { hwId: s.hwId, fwId: '00000000000000000000000000000000', deviceId: s.deviceId, oemId: s.oemId };
  const feature = spec.emeter ? 'TIM:ENE' : 'TIM';
  if (spec.outlets === 1) {
    const o = dev.outlets[0];
    return {
      ...common,
      relay_state: o.relay,
      on_time: o.onTime(now),
      active_mode: activeMode(dev, s.rules),
      feature,
      updating: 0,
      icon_hash: s.icon.hash,
      rssi,
      led_off: s.ledOff,
      ...location,
      ...ids,
      next_action: nextAction(s.rules.schedule, dev.clock),
      ntc_state: 0,
      err_code: 0,
    };
  }
  return {
    ...common,
    ...ids,
    status: 'new',
    feature,
    updating: 0,
    rssi,
    led_off: s.ledOff,
    ...location,
    children: dev.outlets.map((o) => ({
      id: dev.childId(o.index),
      state: o.relay,
      alias: o.alias,
      on_time: o.onTime(now),
      next_action: nextAction(o.rules.schedule, dev.clock),
    })),
    child_num: dev.outlets.length,
    ntc_state: 0,
    err_code: 0,
  };
}
