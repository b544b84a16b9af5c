// The answer a SMART (or KLAP) device gives to a UDP 20002 discovery probe: a
// 16-byte header then {"error_code":0,"result":{…}} with the fields recorded
// from real devices (see docs/). Parsing the probe is the discovery code's job.

import { SmartDevice } from './device';
import { frame20002 } from '../../core/discovery-20002';

export { crc32 } from '../../core/crc32';

export interface DiscoveryAnswerOptions {
  /** HTTP port the device's API listens on (mgt_encrypt_schm.http_port). */
  httpPort: number;
  /** The probe's 4 random header bytes, echoed. Default zeros. */
  serial?: Buffer;
  /** Override the model's encrypt_type (a firmware moved to KLAP). */
  encrypt?: 'AES' | 'KLAP';
}

/** The JSON result fields of the answer. */
export function discoveryResult(device: SmartDevice, opts: DiscoveryAnswerOptions): Record<string, unknown> {
  const s = device.spec;
  const encrypt = opts.encrypt ?? s.encrypt;
  const schm: Record<string, unknown> = { encrypt_type: encrypt, http_port: opts.httpPort, is_support_https: false };
  if (s.lv !== undefined && encrypt === 'KLAP') schm.lv = s.lv;
  return {
    device_id: device.deviceId, owner: '', device_type: s.type, device_model: s.discoveryModel, ip: device.ip, mac: device.mac,
    is_support_iot_cloud: true, obd_src: 'tplink', factory_default: false, mgt_encrypt_schm: schm,
  };
}

/** Header (version 2, msg_type 0, op_code 1, length, flags 0x11, serial, CRC-32) + JSON. */
export function buildDiscoveryAnswer(device: SmartDevice, opts: DiscoveryAnswerOptions): Buffer {
  const payload = Buffer.from(JSON.stringify({ error_code: 0, result: discoveryResult(device, opts) }), 'utf8');
  return frame20002(payload, 0, opts.serial ?? Buffer.alloc(4));
}
