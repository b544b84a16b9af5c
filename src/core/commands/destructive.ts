// The methods that can break a device (docs/protocol.md, "Commands that can break a device").
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
 * Other Kasa families name the same modules differently (e.g. "smartlife.iot.common.cloud",
 * "smartlife.iot.common.system"): the last dotted segment, lower-cased, says which module it is.
 */
const MODULE_ALIASES: Readonly<Record<string, string>> = { system: 'system', netif: 'netif', cncloud: 'cnCloud', cloud: 'cnCloud', emeter: 'emeter' };

/**
 * The destructive "module.method" names in a raw request (empty when none). Every module and
 * every method is looked at. Names are compared without regard to case and by the module's
 * last dotted segment: refusing a misspelt harmless call costs nothing, letting a variant
 * spelling of a reset through could cost a device.
 */
export function destructiveMethodsOf(request: unknown): string[] {
  const found: string[] = [];
  if (!isObject(request)) return found;
  for (const module of Object.keys(request)) {
    const methods = request[module];
    if (!isObject(methods)) continue;
    const canonical = MODULE_ALIASES[module.split('.').pop()!.toLowerCase()];
    for (const method of Object.keys(methods)) {
      if (canonical && DESTRUCTIVE_METHODS.has(`${canonical}.${method.toLowerCase()}`)) found.push(`${module}.${method}`);
    }
  }
  return found;
}

/** True when any method of the raw request can break the device. */
export function isDestructiveRequest(request: unknown): boolean {
  return destructiveMethodsOf(request).length > 0;
}
