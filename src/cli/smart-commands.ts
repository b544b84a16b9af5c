// The -c names on a SMART device (Tapo, SMART Kasa: --protocol smart). Each runs
// through the session's device model and yields the payload the matching node
// outputs (tplink-relay's boolean, tplink-system's DeviceInfo, tplink-emeter's
// reading …). A Kasa-only name is refused naming the device ("… is not available
// on this device (P110, SMART)"): only reads that tell the model are sent.

import { UnsupportedError } from '../core/errors';
import type { Capability, DeviceModel, Outlet } from '../core/model/device-model';
import { dayPeriod, monthPeriod, seconds } from './named-commands';

interface SmartNamed {
  /** takes --outlet (a strip outlet) */
  outlet: boolean;
  run(m: DeviceModel, value: string | undefined, outlet: Outlet): Promise<unknown>;
}

const SMART_COMMANDS: Readonly<Record<string, SmartNamed>> = {
  info: { outlet: false, run: async (m) => (await m.info()).value },
  on: { outlet: true, run: async (m, _v, o) => (await m.setState(true, o)).value },
  off: { outlet: true, run: async (m, _v, o) => (await m.setState(false, o)).value },
  'led-on': { outlet: false, run: async (m) => (await m.setLed(true)).value },
  'led-off': { outlet: false, run: async (m) => (await m.setLed(false)).value },
  alias: { outlet: true, run: async (m, v, o) => (await m.setAlias(v as string, o)).value },
  energy: { outlet: true, run: async (m, _v, o) => (await m.realtime(o)).value },
  daystat: { outlet: true, run: async (m, v, o) => (await m.dayStats(dayPeriod(v), o)).value },
  monthstat: { outlet: true, run: async (m, v, o) => (await m.monthStats(monthPeriod(v), o)).value },
  countdown: { outlet: true, run: async (m, _v, o) => (await m.countdownRules(o)).value },
  // tplink-schedule's list payload is the rules (whether the schedule is on goes in msg.enabled)
  schedule: { outlet: true, run: async (m, _v, o) => (await m.scheduleRules(o)).value.rules },
  reboot: { outlet: false, run: async (m, v) => (await m.reboot(seconds(v))).value },
};

/** Kasa-only names: the capability a device would need (null: no SMART counterpart at all). */
const IOT_ONLY: Readonly<Record<string, Capability | null>> = {
  gains: 'energy-gains',
  time: 'time',
  timezone: 'time',
  cloudinfo: 'cloud',
  fwlist: 'cloud',
  wlanscan: 'wifi-scan',
  nextaction: 'schedule-next',
  antitheft: 'antitheft',
  icon: null,
  'download-state': null,
  reset: null,
};

/** Names that take --outlet on a SMART device, for the usage error. */
export const SMART_OUTLET_COMMANDS = Object.keys(SMART_COMMANDS).filter((n) => SMART_COMMANDS[n].outlet);

/** Whether `name` (canonical) works per outlet on a SMART device; Kasa-only names count as yes (refused later). */
export function smartTakesOutlet(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(SMART_COMMANDS, name) ? SMART_COMMANDS[name].outlet : true;
}

/** Runs a named command (already checked by namedCommand) through the model; resolves with the payload. */
export async function runSmartCommand(m: DeviceModel, name: string, value: string | undefined, outlet: Outlet): Promise<unknown> {
  if (Object.prototype.hasOwnProperty.call(SMART_COMMANDS, name)) return SMART_COMMANDS[name].run(m, value, outlet);
  const cap = Object.prototype.hasOwnProperty.call(IOT_ONLY, name) ? IOT_ONLY[name] : null;
  if (cap) await m.require(cap); // throws "<feature> is not available on this device (<model>, SMART)"
  const info = await m.info();
  throw new UnsupportedError(`the "${name}" command`, info.value.model || 'unknown model', 'SMART');
}
