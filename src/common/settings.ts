// A node's saved settings read through the rules the editor validates with
// (./rules), so the runtime accepts exactly what the editor does: anything else
// is a ValidationError naming the field, never a silent default or a timer that
// overflows.

import { ValidationError } from '../core/errors';
import { check, RuleName, RULES } from './rules';
import type { Protocol } from '../core/connection';

/** Setting `field` under rule `rule`; blank (where the rule allows it) gives `fallback`. */
export function numberSetting(rule: RuleName, v: unknown, field: string, fallback?: number): number {
  const out = check(rule, v);
  if (out.ok === false) throw new ValidationError(field, out.expected, v);
  if (out.value === undefined) {
    if (fallback === undefined) throw new ValidationError(field, RULES[rule].expected, v);
    return fallback;
  }
  return Number(out.value);
}

/** A text setting under a pattern rule; blank (where the rule allows it) gives `fallback`. */
export function textSetting(rule: RuleName, v: unknown, field: string, fallback?: string): string {
  const out = check(rule, v);
  if (out.ok === false) throw new ValidationError(field, out.expected, v);
  if (out.value === undefined) {
    if (fallback === undefined) throw new ValidationError(field, RULES[rule].expected, v);
    return fallback;
  }
  return String(out.value);
}

/** An outlet setting: undefined for blank (whole device), else the index or child id as typed. */
export function outletSetting(v: unknown, field = 'outlet'): string | undefined {
  const out = check('outlet', v);
  if (out.ok === false) throw new ValidationError(field, out.expected, v);
  return out.value === undefined ? undefined : String(out.value);
}

export type DeviceProtocol = Protocol;

export interface DeviceSettings {
  /** '' for a device found by MAC or device id */
  host: string;
  protocol: DeviceProtocol;
  /** the port given, or undefined for the protocol's default (auto then tries 9999 and 80) */
  port: number | undefined;
  timeout: number;
  queueLimit: number;
}

/** tplink-device: host, protocol, port (blank = the protocol's), reply timeout (ms), queue limit. */
export function deviceSettings(config: { host?: unknown; findBy?: unknown; protocol?: unknown; port?: unknown; timeout?: unknown; queueLimit?: unknown }): DeviceSettings {
  const bound = config.findBy === 'mac' || config.findBy === 'deviceId'; // the address is found, not typed
  const port = check('devicePort', config.port);
  return {
    host: textSetting('host', config.host, 'host', bound ? '' : undefined),
    protocol: textSetting('protocol', config.protocol, 'protocol', 'auto') as DeviceProtocol,
    port: port.ok && port.value === undefined ? undefined : numberSetting('devicePort', config.port, 'port'),
    timeout: numberSetting('deviceTimeout', config.timeout, 'timeout'),
    queueLimit: numberSetting('queueLimit', config.queueLimit, 'queueLimit', 1000),
  };
}

export interface AccountSettings {
  username: string;
  password: string;
}

/**
 * tplink-device credentials (Node-RED's credential store): undefined when both
 * are blank. A refusal names the field only: a credential never goes into a message.
 */
export function accountSettings(creds: { username?: unknown; password?: unknown } | undefined): AccountSettings | undefined {
  const c = creds ?? {};
  for (const field of ['username', 'password'] as const) {
    if (check(field, c[field]).ok === false) throw new ValidationError(field, RULES[field].expected);
  }
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const username = text(c.username).trim();
  // The password as typed: case and spaces are part of it.
  const password = text(c.password).trim() !== '' ? text(c.password) : '';
  return username === '' && password === '' ? undefined : { username, password };
}

export interface MonitorSettings {
  intervalMs: number;
  /** 0 = no periodic readings */
  emeterMs: number;
  threshold: number | null;
  hysteresis: number;
}

/** tplink-monitor: poll interval and energy reading interval (s in the settings, ms here), watts. */
export function monitorSettings(config: { interval?: unknown; emeter?: unknown; threshold?: unknown; hysteresis?: unknown }): MonitorSettings {
  const threshold = check('threshold', config.threshold);
  return {
    intervalMs: Math.round(numberSetting('monitorInterval', config.interval, 'interval') * 1000),
    emeterMs: Math.round(numberSetting('emeterInterval', config.emeter, 'emeter', 0) * 1000),
    threshold: threshold.ok && threshold.value === undefined ? null : numberSetting('threshold', config.threshold, 'threshold'),
    hysteresis: numberSetting('hysteresis', config.hysteresis, 'hysteresis', 0),
  };
}

export interface DiscoverSettings {
  broadcast: string;
  port: number;
  /** where the 20002 probe goes; blank = 20002 */
  port20002: number;
  timeout: number;
  /** seconds; 0 = only on input */
  interval: number;
}

/** tplink-discover: broadcast address, ports of both probes, listening time (ms), seconds between automatic searches. */
export function discoverSettings(config: { broadcast?: unknown; port?: unknown; port20002?: unknown; timeout?: unknown; interval?: unknown }): DiscoverSettings {
  return {
    broadcast: textSetting('discoverBroadcast', config.broadcast, 'broadcast'),
    port: numberSetting('port', config.port, 'port'),
    port20002: numberSetting('discoveryPort', config.port20002, 'port20002', 20002),
    timeout: numberSetting('discoverTimeout', config.timeout, 'timeout'),
    interval: numberSetting('discoverInterval', config.interval, 'interval', 0),
  };
}
