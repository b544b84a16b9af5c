// The -c names of the CLI: a short word for each common command, built with the
// validated builders of the core (so a bad value fails before anything is sent).

import { antitheft, cloud, Command, countdown, emeter, netif, schedule, system, time } from '../core/commands';
import { UsageError } from './args';

export interface NamedCommand {
  /** Placeholder of the value after "=", if the command takes one. */
  arg?: string;
  /** Whether the value is required. */
  needsArg?: boolean;
  help: string;
  /** Reply timeout when --timeout is not given (a Wi-Fi scan takes seconds). */
  timeout?: number;
  build(value: string | undefined): Command;
}

const simple = (help: string, build: () => Command): NamedCommand => ({ help, build: () => build() });

function thisMonth(): { year: number; month: number } {
  const d = new Date();
  return { year: d.getFullYear(), month: d.getMonth() + 1 };
}

/** daystat's "YYYY-MM" (default this month). */
export function dayPeriod(value: string | undefined): { year: number; month: number } {
  if (value === undefined) return thisMonth();
  const m = /^(\d{4})-(\d{1,2})$/.exec(value);
  if (!m) throw new UsageError(`daystat needs YYYY-MM, got "${value}"`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** monthstat's "YYYY" (default this year). */
export function monthPeriod(value: string | undefined): { year: number } {
  if (value === undefined) return { year: thisMonth().year };
  if (!/^\d{4}$/.test(value)) throw new UsageError(`monthstat needs YYYY, got "${value}"`);
  return { year: Number(value) };
}

const dayStat = (value: string | undefined): Command => emeter.getDayStat(dayPeriod(value));
const monthStat = (value: string | undefined): Command => emeter.getMonthStat(monthPeriod(value));

/** Seconds for reboot/reset; the builder checks the range. */
export const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`delay must be whole seconds, got "${value}"`);
  return Number(value);
};

export const NAMED_COMMANDS: Readonly<Record<string, NamedCommand>> = {
  info: simple('system info (get_sysinfo)', system.getSysinfo),
  on: simple('relay on', () => system.setRelayState(true)),
  off: simple('relay off', () => system.setRelayState(false)),
  'led-on': simple('LED on', () => system.setLedOff(false)),
  'led-off': simple('LED off (night mode)', () => system.setLedOff(true)),
  alias: { arg: 'NAME', needsArg: true, help: 'rename the device', build: (v) => system.setAlias(v as string) },
  energy: simple('realtime energy reading (emeter models)', emeter.getRealtime),
  gains: simple('emeter voltage/current gains', emeter.getVgainIgain),
  daystat: { arg: 'YYYY-MM', help: 'daily energy of a month (default this month)', build: dayStat },
  monthstat: { arg: 'YYYY', help: 'monthly energy of a year (default this year)', build: monthStat },
  time: simple('device time', time.getTime),
  timezone: simple('device timezone', time.getTimezone),
  cloudinfo: simple('cloud binding info', cloud.getInfo),
  fwlist: simple('firmware list from the cloud', cloud.getFirmwareList),
  wlanscan: { help: 'scan Wi-Fi access points (takes seconds)', timeout: 20000, build: () => netif.getScanInfo({ refresh: true }) },
  schedule: simple('schedule rules', schedule.getRules),
  nextaction: simple('next scheduled action', schedule.getNextAction),
  countdown: simple('countdown rules', countdown.getRules),
  antitheft: simple('anti-theft (away mode) rules', antitheft.getRules),
  icon: simple('device icon', system.getDevIcon),
  'download-state': simple('firmware download state', system.getDownloadState),
  reboot: { arg: 'SECONDS', help: 'reboot after a delay (default 1)', build: (v) => system.reboot(seconds(v)) },
  reset: { arg: 'SECONDS', help: 'FACTORY RESET after a delay (destructive)', build: (v) => system.reset(seconds(v)) },
};

/** Spellings of the original python tplink-smartplug script. */
const ALIASES: Readonly<Record<string, string>> = { ledon: 'led-on', ledoff: 'led-off', realtime: 'energy' };

/**
 * Builds the command for "-c name[=value]"; unknown names and bad values are usage
 * errors. `name` is the canonical one (aliases resolved), `value` the text after "=".
 */
export function namedCommand(spec: string): { name: string; value?: string; command: Command; timeout?: number } {
  const eq = spec.indexOf('=');
  const given = eq < 0 ? spec : spec.slice(0, eq);
  const value = eq < 0 ? undefined : spec.slice(eq + 1);
  const name = ALIASES[given] ?? given;
  const entry = Object.prototype.hasOwnProperty.call(NAMED_COMMANDS, name) ? NAMED_COMMANDS[name] : undefined;
  if (!entry) throw new UsageError(`unknown command "${given}"; known: ${Object.keys(NAMED_COMMANDS).join(', ')}`);
  if (value !== undefined && !entry.arg) throw new UsageError(`command "${name}" takes no value`);
  if (value === undefined && entry.needsArg) throw new UsageError(`command "${name}" needs a value: -c ${name}=${entry.arg}`);
  return { name, value, command: entry.build(value), timeout: entry.timeout };
}
