// A node's saved settings read through the rules the editor validates with
// (./rules), so the runtime accepts exactly what the editor does: anything else
// is a ValidationError naming the field, never a silent default or a timer that
// overflows.

import { ValidationError } from '../core/errors';
import { check, RuleName, RULES } from './rules';

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

export interface DeviceSettings {
  port: number;
  timeout: number;
  queueLimit: number;
}

/** tplink-device: port, reply timeout (ms), queue limit. */
export function deviceSettings(config: { port?: unknown; timeout?: unknown; queueLimit?: unknown }): DeviceSettings {
  return {
    port: numberSetting('port', config.port, 'port'),
    timeout: numberSetting('deviceTimeout', config.timeout, 'timeout'),
    queueLimit: numberSetting('queueLimit', config.queueLimit, 'queueLimit', 1000),
  };
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
