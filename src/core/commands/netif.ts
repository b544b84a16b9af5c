// Builders for the "netif" (WLAN) module.

import { Command, command, JsonObject } from './command';
import { bool, int, oneOf, onlyKeys, own, record, secret, text } from './validate';
import { ValidationError } from '../errors';

const M = 'netif';

/** Longest scan the plug is asked to do; the reply takes about that long. */
export const MAX_SCAN_TIMEOUT_S = 60;

export interface ScanOptions {
  /** Scan now instead of returning the cached list (default true). */
  refresh?: boolean;
  /** Seconds the plug may scan. */
  timeout?: number;
}

export function getScanInfo(options: ScanOptions = {}): Command {
  const o = record('options', options);
  onlyKeys('options', o, ['refresh', 'timeout']);
  const refresh = own(o, 'refresh');
  const timeout = own(o, 'timeout');
  const args: JsonObject = { refresh: refresh === undefined || bool('refresh', refresh) ? 1 : 0 };
  const cmd = command(M, 'get_scaninfo', args);
  if (timeout !== undefined) {
    args.timeout = int('timeout', timeout, 1, MAX_SCAN_TIMEOUT_S, 'seconds');
    cmd.minTimeout = (args.timeout as number) * 1000 + 2000; // the reply comes after the scan
  }
  return cmd;
}

/** 0 open, 1 WEP, 2 WPA, 3 WPA2 (the plug's key_type values). */
export type KeyType = 0 | 1 | 2 | 3;

export interface StaInfo {
  ssid: string;
  password?: string;
  keyType?: KeyType;
}

/** Moves the plug to another Wi-Fi network; a typo strands it (hence destructive). */
export function setStaInfo(info: StaInfo): Command {
  const o = record('stainfo', info);
  onlyKeys('stainfo', o, ['ssid', 'password', 'keyType']);
  const ssid = text('ssid', own(o, 'ssid'), { min: 1, max: 32, what: 'an SSID' });
  const rawType = own(o, 'keyType');
  const keyType = rawType === undefined ? 3 : oneOf<KeyType>('keyType', rawType, [0, 1, 2, 3]);
  const rawPassword = own(o, 'password');
  let password: string;
  if (keyType === 0) {
    if (rawPassword !== undefined && rawPassword !== '') throw new ValidationError('password', 'no password for an open network (keyType 0)', '(hidden)');
    password = '';
  } else {
    // WPA/WPA2 passphrases are 8..63 characters (64 for a hex key); WEP keys are shorter.
    password = secret('password', rawPassword, keyType === 1 ? 5 : 8, 64);
  }
  return { ...command(M, 'set_stainfo', { ssid, password, key_type: keyType }, true), secretArgs: ['password'] };
}
