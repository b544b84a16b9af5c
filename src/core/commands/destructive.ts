// The methods that can break a device (PROTOCOL.md, "Commands that can break a device").
// The builders mark their commands; the raw-request node checks arbitrary requests here.

import { isObject } from './command';

export const DESTRUCTIVE_METHODS: ReadonlySet<string> = new Set([
  'system.reset',
  'system.set_mac_addr',
  'system.set_device_id',
  'system.set_hw_id',
  'system.set_test_mode',
  'system.download_firmware',
  'system.flash_firmware',
  'netif.set_stainfo',
  'cnCloud.bind',
  'cnCloud.unbind',
  'cnCloud.set_server_url',
  'emeter.set_vgain_igain',
  'emeter.start_calibration',
]);

/**
 * The destructive "module.method" names in a raw request (empty when none). Every module and
 * every method is looked at; names compare case-sensitively, as the device does, so
 * "System.Reset" is not reset (the device answers it with an error instead).
 */
export function destructiveMethodsOf(request: unknown): string[] {
  const found: string[] = [];
  if (!isObject(request)) return found;
  for (const module of Object.keys(request)) {
    const methods = request[module];
    if (!isObject(methods)) continue;
    for (const method of Object.keys(methods)) {
      const name = `${module}.${method}`;
      if (DESTRUCTIVE_METHODS.has(name)) found.push(name);
    }
  }
  return found;
}

/** True when any method of the raw request can break the device. */
export function isDestructiveRequest(request: unknown): boolean {
  return destructiveMethodsOf(request).length > 0;
}
