// Which JSON a device speaks, from its answer to a Kasa get_sysinfo: a Kasa (IOT)
// device answers under the module ({"system":{"get_sysinfo":…}}), a Tapo or
// SMART Kasa one answers every request in its envelope ({"error_code":…}) and
// does nothing with it. So one get_sysinfo over KLAP tells them apart safely.

import { isObject } from './commands/command';
import { ProtocolError } from './errors';
import type { Dialect } from './model/device-model';

export function dialectOfReply(reply: unknown): Dialect {
  if (isObject(reply)) {
    if (Object.prototype.hasOwnProperty.call(reply, 'system')) return 'iot';
    if (typeof reply.error_code === 'number') return 'smart';
  }
  throw new ProtocolError('the device answered get_sysinfo in neither the Kasa (IOT) nor the Tapo (SMART) form');
}
