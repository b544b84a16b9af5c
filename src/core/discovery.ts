// Discovery: one get_sysinfo datagram to a broadcast (or unicast) address;
// every plug answers from its own address. Answers that are not JSON, or come
// from devices that are not plugs/switches/strips (bulbs, cameras), are listed
// as rejected, never thrown.

import * as dgram from 'dgram';
import { decrypt } from './cipher';
import { encodeUdp } from './transport/xor-udp';
import { parseJson } from './json-reply';
import { isObject } from './commands/command';

export interface DiscoveredDevice {
  host: string;
  port: number;
  alias: string;
  model: string;
  mac: string;
  deviceId: string;
  /** number of outlets (1 for single plugs) */
  outlets: number;
  sysinfo: Record<string, unknown>;
}

export interface RejectedAnswer {
  host: string;
  port: number;
  reason: string;
}

export interface DiscoveryOptions {
  /** where to send the probe (default 255.255.255.255; tests use 127.0.0.1) */
  broadcast?: string;
  /** UDP port of the devices (default 9999) */
  port?: number;
  /** how long to collect answers, ms (default 3000) */
  timeout?: number;
  /** called for each device as it answers */
  onDevice?: (device: DiscoveredDevice) => void;
}

export interface DiscoveryResult {
  devices: DiscoveredDevice[];
  rejected: RejectedAnswer[];
}

const PROBE = { system: { get_sysinfo: {} } };

/** Types of the local-protocol plugs, switches and strips we drive. */
function isPlug(sys: Record<string, unknown>): boolean {
  const type = String(sys.mic_type ?? sys.type ?? '');
  return /SMARTPLUGSWITCH|SMARTSTRIP|PLUG|SWITCH/i.test(type) && !/BULB|CAMERA/i.test(type);
}

/** Parses one answer datagram; returns a device or the reason it was rejected. */
export function parseDiscoveryAnswer(msg: Buffer, host: string, port: number): DiscoveredDevice | RejectedAnswer {
  let reply: unknown;
  try {
    reply = parseJson(decrypt(msg), `${host}:${port}`);
  } catch (err) {
    return { host, port, reason: `answer is not a Kasa reply: ${(err as Error).message}` };
  }
  const system = isObject(reply) ? reply.system : undefined;
  const sys = isObject(system) ? system.get_sysinfo : undefined;
  if (!isObject(sys)) return { host, port, reason: 'answer has no system.get_sysinfo' };
  if (!isPlug(sys)) return { host, port, reason: `not a plug, switch or strip (type ${String(sys.mic_type ?? sys.type ?? 'unknown')})` };
  const children = Array.isArray(sys.children) ? sys.children : [];
  return {
    host,
    port,
    alias: String(sys.alias ?? ''),
    model: String(sys.model ?? ''),
    mac: String(sys.mac ?? sys.mic_mac ?? ''),
    deviceId: String(sys.deviceId ?? ''),
    outlets: Math.max(1, Number(sys.child_num ?? children.length) || children.length || 1),
    sysinfo: sys,
  };
}

/** Broadcasts a probe and collects answers for `timeout` ms. Never rejects for a bad answer. */
export function discover(opts: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const broadcast = opts.broadcast ?? '255.255.255.255';
  const port = opts.port ?? 9999;
  const timeout = opts.timeout ?? 3000;
  return new Promise<DiscoveryResult>((resolve, reject) => {
    const found = new Map<string, DiscoveredDevice>();
    const rejected: RejectedAnswer[] = [];
    const socket = dgram.createSocket('udp4');
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve({ devices: [...found.values()], rejected });
    };
    const timer = setTimeout(() => finish(), timeout);
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      if (found.has(key)) return;
      const answer = parseDiscoveryAnswer(msg, rinfo.address, rinfo.port);
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
    });
    socket.bind(0, () => {
      try {
        socket.setBroadcast(true);
      } catch (err) {
        finish(err as Error);
        return;
      }
      socket.send(encodeUdp(PROBE), port, broadcast, (err) => {
        if (err) finish(err);
      });
    });
  });
}
