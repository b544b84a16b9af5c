// Builders for the "system" module.

import { Command, command } from './command';
import { hex, int, bool, num, onlyKeys, own, record, text } from './validate';
import { ValidationError } from '../errors';

const M = 'system';

/** Longest reboot/reset delay accepted: one day. */
export const MAX_DELAY_S = 86400;
/** Alias limit: real plugs keep at most 31 bytes (UTF-8) and reject longer ones. */
export const ALIAS_MAX_BYTES = 31;
/** Firmware URLs and icons are kept to sizes a plug's small buffers can hold. */
export const URL_MAX_BYTES = 256;
export const ICON_MAX_BYTES = 32768;

export function getSysinfo(): Command {
  return command(M, 'get_sysinfo', {});
}

/** Reboots after `delay` seconds (default 1). */
export function reboot(delay: number = 1): Command {
  return command(M, 'reboot', { delay: int('delay', delay, 0, MAX_DELAY_S, 'seconds') });
}

/** Factory reset after `delay` seconds: wipes Wi-Fi settings, alias, rules. */
export function reset(delay: number = 1): Command {
  return command(M, 'reset', { delay: int('delay', delay, 0, MAX_DELAY_S, 'seconds') }, true);
}

export function setRelayState(on: boolean): Command {
  return command(M, 'set_relay_state', { state: bool('on', on) ? 1 : 0 });
}

/** `off` = true turns the LED off (night mode). */
export function setLedOff(off: boolean): Command {
  return command(M, 'set_led_off', { off: bool('off', off) ? 1 : 0 });
}

export function setAlias(alias: string): Command {
  return command(M, 'set_dev_alias', { alias: text('alias', alias, { min: 1, max: ALIAS_MAX_BYTES, what: 'a name' }) });
}

/** Accepts "50-C7-BF-01-02-03" or "50:c7:bf:01:02:03"; sends the dashed upper-case form. */
export function setMac(mac: string): Command {
  if (typeof mac !== 'string' || !/^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/.test(mac)) {
    throw new ValidationError('mac', 'a MAC address like "50-C7-BF-01-02-03"', mac);
  }
  return command(M, 'set_mac_addr', { mac: mac.replace(/:/g, '-').toUpperCase() }, true);
}

export function setDeviceId(id: string): Command {
  return command(M, 'set_device_id', { deviceId: hex('deviceId', id, 40) }, true);
}

export function setHwId(id: string): Command {
  return command(M, 'set_hw_id', { hwId: hex('hwId', id, 32) }, true);
}

export interface Location {
  latitude: number;
  longitude: number;
}

/** Sends degrees and, for firmware that wants them, the integer forms (degrees × 10⁴). */
export function setLocation(location: Location): Command {
  const o = record('location', location);
  onlyKeys('location', o, ['latitude', 'longitude']);
  const latitude = num('latitude', own(o, 'latitude'), -90, 90);
  const longitude = num('longitude', own(o, 'longitude'), -180, 180);
  return command(M, 'set_dev_location', {
    latitude,
    longitude,
    latitude_i: Math.round(latitude * 1e4),
    longitude_i: Math.round(longitude * 1e4),
  });
}

export function testCheckUboot(): Command {
  return command(M, 'test_check_uboot', null);
}

export function getDevIcon(): Command {
  return command(M, 'get_dev_icon', null);
}

export interface Icon {
  icon: string;
  hash: string;
}

export function setDevIcon(icon: Icon): Command {
  const o = record('icon', icon);
  onlyKeys('icon', o, ['icon', 'hash']);
  return command(M, 'set_dev_icon', {
    icon: text('icon', own(o, 'icon'), { min: 0, max: ICON_MAX_BYTES, what: 'icon data' }),
    hash: text('hash', own(o, 'hash'), { min: 0, max: 64, pattern: /^[0-9A-Za-z]*$/, what: 'letters and digits' }),
  });
}

export function setTestMode(enable: boolean): Command {
  return command(M, 'set_test_mode', { enable: bool('enable', enable) ? 1 : 0 }, true);
}

/** Only http(s) URLs: the plug fetches the image itself. */
export function downloadFirmware(url: string): Command {
  const u = text('url', url, { min: 1, max: URL_MAX_BYTES, what: 'an http(s) URL' });
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new ValidationError('url', 'an http(s) URL', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ValidationError('url', 'an http(s) URL', url);
  return command(M, 'download_firmware', { url: u }, true);
}

export function getDownloadState(): Command {
  return command(M, 'get_download_state', {});
}

export function flashFirmware(): Command {
  return command(M, 'flash_firmware', {}, true);
}

export function checkNewConfig(): Command {
  return command(M, 'check_new_config', null);
}
