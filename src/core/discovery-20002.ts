// Discovery of the newer firmware on UDP 20002: a 16-byte header with a CRC-32
// and an RSA public key as payload; devices answer with a header and JSON
// saying what they speak (KLAP or AES, IOT or SMART dialect) and on which HTTP
// port. Answers that don't parse are listed as rejected, never thrown.
// Wire facts: docs/klap.md.

import { generateKeyPairSync, KeyObject, randomBytes } from 'crypto';
import * as dgram from 'dgram';
import { isObject } from './commands/command';
import { crc32 } from './crc32';
import { probePort, probeTarget, runProbe } from './udp-probe';
import type { RejectedAnswer } from './discovery';

export const DISCOVERY_20002_PORT = 20002;
const HEADER_BYTES = 16;
/** Placeholder written into the CRC field before the CRC is computed over header and payload. */
const CRC_SEED = 0x5a6b7c8d;

export interface Discovered20002 {
  host: string;
  model: string;
  deviceId: string;
  /** "AA:BB:CC:DD:EE:FF", like the 9999 discovery's sysinfo mac */
  mac: string;
  /** "IOT.SMARTPLUGSWITCH", "SMART.TAPOPLUG", … */
  deviceType: string;
  protocol: 'klap' | 'aes';
  /** the JSON spoken inside the transport */
  dialect: 'iot' | 'smart';
  /** KLAP account hash version, when the answer tells it */
  klapVersion?: 1 | 2;
  httpPort: number;
  /** these devices all want an account (the owner's, or a firmware default) */
  needsAuth: true;
  /** the answer's `result`, as sent */
  result: Record<string, unknown>;
}

export interface Discovery20002Options {
  /** where to send the probe: a dotted IPv4 broadcast or device address (required; tests use 127.0.0.1) */
  broadcast: string;
  /** UDP port of the devices (default 20002) */
  port?: number;
  /** how long to collect answers, ms (default 3000) */
  timeout?: number;
  onDevice?: (device: Discovered20002) => void;
  /** the socket to use (tests stub it) */
  createSocket?: () => dgram.Socket;
}

export interface Discovery20002Result {
  devices: Discovered20002[];
  rejected: RejectedAnswer[];
}

export { crc32 };

/**
 * Header ‖ payload: version 2, msg_type, op_code 1, payload length, flags 0x11,
 * padding 0, 4 random bytes (a probe's; an answer echoes them), CRC-32 over the whole datagram (computed with
 * 0x5A6B7C8D in its own place).
 */
export function frame20002(payload: Buffer, msgType = 0, serial: Buffer = randomBytes(4)): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + payload.length);
  out.writeUInt8(2, 0);
  out.writeUInt8(msgType, 1);
  out.writeUInt16BE(1, 2);
  out.writeUInt16BE(payload.length, 4);
  out.writeUInt8(0x11, 6);
  out.writeUInt8(0, 7);
  serial.copy(out, 8, 0, 4);
  out.writeUInt32BE(CRC_SEED, 12);
  payload.copy(out, HEADER_BYTES);
  out.writeUInt32BE(crc32(out), 12);
  return out;
}

/** The payload of a well-formed datagram (version 2, length and CRC right), else null. */
export function unframe20002(msg: Buffer): Buffer | null {
  if (msg.length < HEADER_BYTES || msg[0] !== 2 || msg.readUInt16BE(4) !== msg.length - HEADER_BYTES) return null;
  const copy = Buffer.from(msg);
  copy.writeUInt32BE(CRC_SEED, 12);
  return crc32(copy) === msg.readUInt32BE(12) ? msg.subarray(HEADER_BYTES) : null;
}

let rsaKey: { publicPem: string; privateKey: KeyObject } | null = null;

/** One RSA key pair per process: its public half goes in every probe. */
export function discoveryKey(): { publicPem: string; privateKey: KeyObject } {
  if (!rsaKey) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    rsaKey = { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
  }
  return rsaKey;
}

export function buildProbe20002(): Buffer {
  return frame20002(Buffer.from(JSON.stringify({ params: { rsa_key: discoveryKey().publicPem } }), 'utf8'));
}

const PLUG_TYPES = /PLUG|SWITCH|STRIP/i;

/** Parses one answer datagram (clients skip its header); a device or why it was rejected. */
export function parseAnswer20002(msg: Buffer, host: string, port = DISCOVERY_20002_PORT): Discovered20002 | RejectedAnswer {
  const reject = (reason: string): RejectedAnswer => ({ host, port, reason });
  if (msg.length <= HEADER_BYTES) return reject(`answer of ${msg.length} bytes has no payload after the 16-byte header`);
  let reply: unknown;
  try {
    reply = JSON.parse(msg.subarray(HEADER_BYTES).toString('utf8'));
  } catch {
    return reject('answer payload is not JSON');
  }
  if (!isObject(reply) || !isObject(reply.result)) return reject('answer has no result object');
  if (reply.error_code !== undefined && reply.error_code !== 0) return reject(`answer has error_code ${String(reply.error_code)}`);
  const r = reply.result;
  const deviceType = typeof r.device_type === 'string' ? r.device_type : '';
  const dialect = /^IOT\./i.test(deviceType) ? 'iot' : /^SMART\./i.test(deviceType) ? 'smart' : null;
  if (!dialect) return reject(`unknown device_type ${JSON.stringify(deviceType)}`);
  if (!PLUG_TYPES.test(deviceType)) return reject(`not a plug, switch or strip (type ${deviceType})`);
  const schm = isObject(r.mgt_encrypt_schm) ? r.mgt_encrypt_schm : {};
  const encrypt = String(schm.encrypt_type ?? '').toUpperCase();
  if (encrypt !== 'KLAP' && encrypt !== 'AES') return reject(`unknown encrypt_type ${JSON.stringify(schm.encrypt_type ?? null)}`);
  if (dialect === 'iot' && encrypt === 'AES') return reject('IOT dialect over AES is not a known firmware');
  const httpPort = schm.http_port === undefined ? 80 : Number(schm.http_port);
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535) return reject(`bad http_port ${JSON.stringify(schm.http_port)}`);
  const device: Discovered20002 = {
    host,
    model: String(r.device_model ?? ''),
    deviceId: String(r.device_id ?? ''),
    mac: normalizeMac(r.mac),
    deviceType,
    protocol: encrypt === 'KLAP' ? 'klap' : 'aes',
    dialect,
    httpPort,
    needsAuth: true,
    result: r,
  };
  if (device.protocol === 'klap') {
    // SMART devices always use v2; IOT ones v2 when the answer says new_klap or lv >= 2.
    const v2 = dialect === 'smart' || Number(schm.new_klap) >= 1 || Number(schm.lv) >= 2;
    device.klapVersion = v2 ? 2 : 1;
  }
  return device;
}

/** "aa-bb-cc-dd-ee-ff" → "AA:BB:CC:DD:EE:FF"; anything else is returned as sent. */
function normalizeMac(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  const hex = s.replace(/[-:.]/g, '');
  return /^[0-9A-Fa-f]{12}$/.test(hex) ? hex.toUpperCase().match(/../g)!.join(':') : s;
}

/** Sends the 20002 probe and collects answers for `timeout` ms. Never rejects for a bad answer. */
export async function discover20002(opts: Discovery20002Options): Promise<Discovery20002Result> {
  const target = probeTarget(opts?.broadcast);
  const port = probePort(opts.port ?? DISCOVERY_20002_PORT, 'port20002');
  const found = new Map<string, Discovered20002>();
  const rejected: RejectedAnswer[] = [];
  await runProbe({
    target,
    port,
    payload: buildProbe20002(),
    timeout: opts.timeout ?? 3000,
    createSocket: opts.createSocket,
    onForeign: (from) => rejected.push(foreignAnswer(from, target.address)),
    onAnswer: (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      if (found.has(key)) return;
      const answer = parseAnswer20002(msg, rinfo.address, rinfo.port);
      if ('reason' in answer) {
        rejected.push(answer);
        return;
      }
      found.set(key, answer);
      try {
        opts.onDevice?.(answer);
      } catch {
        // a caller's callback must not stop discovery
      }
    },
  });
  return { devices: [...found.values()], rejected };
}

/** The rejection of an answer that came from elsewhere than the one device asked. */
export function foreignAnswer(from: { address: string; port: number }, asked: string): RejectedAnswer {
  return { host: from.address, port: from.port, reason: `answered a probe sent to ${asked} only` };
}
