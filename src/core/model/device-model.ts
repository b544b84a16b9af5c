// The device model: what the action nodes ask a plug, whatever dialect it speaks
// (IOT, the Kasa one, or SMART, the Tapo one). Results are in the package's own
// shapes and units, the ones the nodes put in msg.payload today, so a flow works the
// same with a Kasa HS110 and a Tapo P110. A feature the device lacks is refused with
// an UnsupportedError before anything is sent for it.

import type { JsonObject } from '../commands/command';
import type { RealtimeReading, EnergyEntry } from '../commands/emeter';
import type { CountdownInput } from '../commands/countdown';
import type { RuleInput } from '../commands/rules';

export type Dialect = 'iot' | 'smart';

/**
 * What a device can do. The IOT model answers from get_sysinfo, the SMART one from
 * component_nego; `iot-only` features are never on a SMART device.
 */
export type Capability =
  | 'relay' // on/off (per outlet on strips)
  | 'alias'
  | 'energy' // realtime power
  | 'energy-summary' // today's and this month's energy
  | 'energy-daystat' // per-day history of a month
  | 'energy-monthstat' // per-month history of a year
  | 'energy-gains' // IOT only
  | 'energy-erase' // IOT only
  | 'countdown'
  | 'schedule'
  | 'schedule-next' // IOT only: get_next_action
  | 'schedule-enable-all' // IOT only: set_overall_enable
  | 'led'
  | 'reboot'
  | 'antitheft' // IOT only
  | 'time' // IOT only (get_time / timezone)
  | 'cloud' // IOT only (cnCloud)
  | 'wifi-scan' // IOT only (netif)
  | 'location'; // IOT only (set_dev_location)

/** Words for "<feature> is not available on this device (P110, SMART)". */
export const FEATURE_NAMES: Readonly<Record<Capability, string>> = {
  relay: 'switching on and off',
  alias: 'renaming',
  energy: 'energy metering',
  'energy-summary': 'the energy summary',
  'energy-daystat': 'daily energy statistics',
  'energy-monthstat': 'monthly energy statistics',
  'energy-gains': 'energy meter gains',
  'energy-erase': 'erasing energy statistics',
  countdown: 'the countdown timer',
  schedule: 'the schedule',
  'schedule-next': 'the next scheduled action',
  'schedule-enable-all': 'enabling or disabling all schedule rules',
  led: 'the LED setting',
  reboot: 'rebooting',
  antitheft: 'anti-theft (away mode)',
  time: 'the device clock and time zone',
  cloud: 'the cloud settings',
  'wifi-scan': 'the Wi-Fi scan',
  location: 'the device location',
};

/** A strip outlet: a 0-based index, or the child id (IOT "<deviceId>NN", SMART device_id). */
export type Outlet = number | string | undefined;

/** An answer: the value for msg.payload, and the device's own reply for msg.reply. */
export interface Answer<T> {
  value: T;
  /** IOT: the whole reply object; SMART: {method, result} of the request the value comes from. */
  reply: unknown;
}

export interface OutletInfo {
  /** 0-based index (IOT: the id's two-digit suffix; SMART: position - 1) */
  index: number;
  /** full child id */
  id: string;
  alias: string;
  on: boolean;
}

/** Normalised device information (both dialects), plus the device's own answer in `raw`. */
export interface DeviceInfo {
  dialect: Dialect;
  alias: string;
  model: string;
  /** "AA-BB-CC-DD-EE-FF" */
  mac: string;
  deviceId: string;
  firmware: string;
  hardware: string;
  /** dBm, when the device reports it */
  rssi?: number;
  /** SMART only: 0..3 bars */
  signalLevel?: number;
  /** relay of a single plug; undefined on strips (see outlets) */
  on?: boolean;
  /** LED on (not in night mode), when the answer says */
  led?: boolean;
  outlets: OutletInfo[];
  /** IOT: get_sysinfo; SMART: get_device_info with nickname and ssid decoded */
  raw: JsonObject;
}

/** What the monitor node watches: one entry per watched relay (tplink-monitor's OutletSnapshot). */
export interface RelaySnapshot {
  alias: string;
  outlets: Array<{ outlet: number | null; id?: string; alias: string; on: boolean }>;
}

/** tplink-emeter's "daystat" payload. */
export interface DayStats extends JsonObject {
  year: number;
  month: number;
  energy: number;
  energy_wh: number;
  day_list: EnergyEntry[];
}

/** tplink-emeter's "monthstat" payload. */
export interface MonthStats extends JsonObject {
  year: number;
  energy: number;
  energy_wh: number;
  month_list: EnergyEntry[];
}

/** Today's and this month's energy in both units (kWh and Wh), runtimes in minutes when known. */
export interface EnergySummary extends JsonObject {
  today: number;
  today_wh: number;
  month: number;
  month_wh: number;
}

/** A rule in the package's friendly + raw form (describeRule's output, id first). */
export type RuleOut = JsonObject;

export interface ScheduleList {
  /** the schedule as a whole is switched on (IOT enable, SMART enable) */
  enabled: boolean;
  rules: RuleOut[];
}

export interface DeviceModel {
  readonly dialect: Dialect;

  /** What the device has (reads get_sysinfo or component_nego once, then remembers). */
  capabilities(): Promise<ReadonlySet<Capability>>;
  /** Throws UnsupportedError "<feature> is not available on this device (<model>, <DIALECT>)". */
  require(cap: Capability): Promise<void>;

  info(): Promise<Answer<DeviceInfo>>;
  /** Strip outlets (empty for single plugs). */
  outlets(): Promise<OutletInfo[]>;
  /** The relays the monitor watches: all outlets, the one asked for, or the plug itself. */
  relays(outlet?: Outlet): Promise<RelaySnapshot>;

  getState(outlet?: Outlet): Promise<Answer<boolean>>;
  setState(on: boolean, outlet?: Outlet): Promise<Answer<boolean>>;
  toggle(outlet?: Outlet): Promise<Answer<boolean>>;
  setAlias(alias: string, outlet?: Outlet): Promise<Answer<{ alias: string }>>;
  setLed(on: boolean): Promise<Answer<{ led: boolean }>>;
  reboot(delay?: number): Promise<Answer<{ delay: number }>>;

  realtime(outlet?: Outlet): Promise<Answer<RealtimeReading>>;
  energySummary(outlet?: Outlet, now?: Date): Promise<Answer<EnergySummary>>;
  dayStats(period: { year: number; month: number }, outlet?: Outlet): Promise<Answer<DayStats>>;
  monthStats(period: { year: number }, outlet?: Outlet): Promise<Answer<MonthStats>>;

  countdownRules(outlet?: Outlet): Promise<Answer<RuleOut[]>>;
  /** `replace`: delete what is there first (a device holds one countdown). */
  addCountdown(rule: CountdownInput | Record<string, unknown>, opts?: { replace?: boolean }, outlet?: Outlet): Promise<Answer<RuleOut>>;
  /** `patch` over the stored rule: {enabled:false} alone switches it off. */
  editCountdown(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>>;
  deleteCountdown(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>>;
  deleteAllCountdowns(outlet?: Outlet): Promise<Answer<RuleOut[]>>;

  scheduleRules(outlet?: Outlet): Promise<Answer<ScheduleList>>;
  addSchedule(rule: RuleInput | Record<string, unknown>, outlet?: Outlet): Promise<Answer<RuleOut>>;
  editSchedule(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>>;
  deleteSchedule(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>>;
  deleteAllSchedules(outlet?: Outlet): Promise<Answer<RuleOut[]>>;
}

/** The outlet's 0-based index or child id, for lookups (numeric strings of 1-2 digits are indexes). */
export function outletKey(outlet: Outlet): { index: number } | { id: string } | undefined {
  if (outlet === undefined || outlet === null || outlet === '') return undefined;
  if (typeof outlet === 'number') return { index: outlet };
  const s = String(outlet).trim();
  return /^\d{1,2}$/.test(s) ? { index: Number(s) } : { id: s };
}
