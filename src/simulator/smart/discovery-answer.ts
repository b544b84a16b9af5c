// The answer a SMART (or KLAP) device gives to a UDP 20002 discovery probe: a
// 16-byte header then {"error_code":0,"result":{…}} with the fields recorded
// from real devices (see docs/). Parsing the probe is the discovery code's job.

import { SmartDevice } from './device';

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

/** Header (version 2, op_code 1, length, flags 0x11, serial, CRC-32) + JSON. */
export function buildDiscoveryAnswer(device: SmartDevice, opts: DiscoveryAnswerOptions): Buffer {
  const payload = Buffer.from(JSON.stringify({ error_code: 0, result: discoveryResult(device, opts) }), 'utf8');
  const h = Buffer.alloc(16);
  h.writeUInt8(2, 0);
  h.writeUInt8(0, 1);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(payload.length, 4);
  h.writeUInt8(0x11, 6);
  h.writeUInt8(0, 7);
  (opts.serial ?? Buffer.alloc(4)).copy(h, 8, 0, 4);
  h.writeUInt32BE(0x5a6b7c8d, 12);
  const out = Buffer.concat([h, payload]);
  out.writeUInt32BE(crc32(out), 12);
  return out;
}

let TABLE: Uint32Array | null = null;

/** zlib's CRC-32 (reflected, polynomial 0xEDB88320). */
export function crc32(buf: Buffer): number {
  if (!TABLE) {
    TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) crc = TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
