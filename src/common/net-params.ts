// Checks for the network parameters users type into dialogs or send to the admin
// endpoints (broadcast address, port, timeout), so nothing odd reaches a socket.

import { isIP } from 'net';
import { ValidationError } from '../core/errors';
import { normalizeMac } from '../core/address-resolver';
import { numberSetting, textSetting } from './settings';

export const DEFAULT_BROADCAST = '255.255.255.255';
export const DEFAULT_DISCOVERY_PORT = 9999;
export const MAX_DISCOVERY_TIMEOUT_MS = 10_000;
export const MIN_DISCOVERY_TIMEOUT_MS = 100;

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** A dotted IPv4 address (the broadcast or a unicast address; the editor's rule, ./rules); blank gives the default. */
export function broadcastParam(v: unknown, field = 'broadcast'): string {
  return textSetting('broadcast', v, field, DEFAULT_BROADCAST);
}

/** A UDP/TCP port 1..65535 (the editor's rule, ./rules); blank gives `fallback`. */
export function portParam(v: unknown, fallback = DEFAULT_DISCOVERY_PORT, field = 'port'): number {
  return numberSetting('discoveryPort', v, field, fallback);
}

/** A whole number of ms in [min, max]; blank gives `fallback`. */
export function msParam(v: unknown, fallback: number, min: number, max: number, field = 'timeout'): number {
  if (blank(v)) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(field, `a whole number of ms from ${min} to ${max}`, v);
  return n;
}

/** A host name or IP address for a direct probe (no ports, paths or spaces). */
export function hostParam(v: unknown, field = 'host'): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (isIP(s) || (/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(s) && !s.includes('..'))) return s;
  throw new ValidationError(field, 'an IP address or host name', v);
}

export { normalizeMac };

/** A MAC address (the editor's rule, ./rules), as 12 upper-case hex digits. */
export function macParam(v: unknown, field = 'mac'): string {
  return normalizeMac(textSetting('mac', v, field));
}

/** A device id (the editor's rule, ./rules), upper-case. */
export function deviceIdParam(v: unknown, field = 'deviceId'): string {
  return textSetting('deviceId', v, field).toUpperCase();
}
