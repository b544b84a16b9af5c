// Discovery: one call sends both probes, the XOR get_sysinfo datagram (UDP 9999,
// legacy firmware) and the 20002 probe (KLAP and AES firmware), and merges the
// answers by device (MAC, else device id): each device says which protocol it
// speaks and whether it needs an account. Answers that are not JSON, or come
// from devices that are not plugs/switches/strips (bulbs, cameras), are listed
// as rejected, never thrown. Wire facts: docs/protocol.md, docs/klap.md.

import type * as dgram from 'dgram';
import { decrypt } from './cipher';
import { encodeUdp } from './transport/xor-udp';
import { parseJson } from './json-reply';
import { isObject } from './commands/command';
import { buildProbe20002, Discovered20002, DISCOVERY_20002_PORT, foreignAnswer, parseAnswer20002 } from './discovery-20002';
import { ValidationError } from './errors';
import { probePort, probeTarget, runProbe } from './udp-probe';

export const DISCOVERY_PORT = 9999;
/** How long a 20002 answer waits for the same device's legacy answer before it is reported, ms. */
export const LEGACY_GRACE_MS = 250;
/** Most answerers one round keeps (devices and rejected answers); more is a flood, not a LAN. */
const MAX_ANSWERERS = 4096;

/** What the device speaks: legacy = XOR on 9999 (IOT); klap = IOT over KLAP; smart = SMART over KLAP or AES. */
export type DeviceProtocol = 'legacy' | 'klap' | 'smart';

export interface DiscoveredDevice {
  host: string;
  /** where to reach the device with `protocol`: the 9999 answer's port (legacy), else its HTTP port */
  port: number;
  /** the device's name; '' when unknown (20002 answers carry none, see aliasKnown) */
  alias: string;
  /** false for a device heard on 20002 only: its alias takes a logged-in request */
  aliasKnown: boolean;
  model: string;
  /** as the legacy sysinfo has it ("50:C7:BF:01:02:03"), "AA:BB:CC:DD:EE:FF" from a 20002 answer */
  mac: string;
  deviceId: string;
  /** number of outlets (1 for single plugs); null when unknown (20002 answers carry none) */
  outlets: number | null;
  /** the legacy answer's get_sysinfo; null for a device heard on 20002 only */
  sysinfo: Record<string, unknown> | null;
  protocol: DeviceProtocol;
  transport: 'xor' | 'klap' | 'aes';
  /** the JSON spoken inside the transport */
  dialect: 'iot' | 'smart';
  /** true when requests need the owner's account (every KLAP and AES device) */
  needsAuth: boolean;
  /** the HTTP port of a KLAP/AES device (from its 20002 answer); null when not known */
  httpPort: number | null;
  /** KLAP account hash version the 20002 answer hints at (the handshake's proof decides); null otherwise */
  klapVersion: 1 | 2 | null;
  /** "IOT.SMARTPLUGSWITCH", "SMART.TAPOPLUG", … */
  deviceType: string;
  /** which probes it answered */
  answered: Array<'legacy' | '20002'>;
}

export interface RejectedAnswer {
  host: string;
  port: number;
  reason: string;
}

export interface DiscoveryOptions {
  /** where the probes go: a dotted IPv4 broadcast or device address (required; tests use 127.0.0.1) */
  broadcast: string;
  /** UDP port the XOR probe goes to (default 9999); null = don't send it */
  port?: number | null;
  /** UDP port the 20002 probe goes to (default 20002); null = don't send it */
  port20002?: number | null;
  /** how long to collect answers, ms (default 3000) */
  timeout?: number;
  /**
   * called once for each device: at once for a legacy answer; for a 20002 answer
   * after up to 250 ms, merged with the same device's legacy answer if one came meanwhile
   */
  onDevice?: (device: DiscoveredDevice) => void;
  /** called when a device already reported answers the other probe too, with the merged record */
  onMerged?: (device: DiscoveredDevice) => void;
  /** the sockets to use (tests stub them to check a broadcast without sending one) */
  createSocket?: () => dgram.Socket;
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

/** Parses one 9999 answer datagram; returns a device or the reason it was rejected. */
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
    aliasKnown: true,
    model: String(sys.model ?? ''),
    mac: String(sys.mac ?? sys.mic_mac ?? ''), // as the device sends it (merging compares digits only)
    deviceId: String(sys.deviceId ?? ''),
    outlets: Math.max(1, Number(sys.child_num ?? children.length) || children.length || 1),
    sysinfo: sys,
    protocol: 'legacy',
    transport: 'xor',
    dialect: 'iot',
    needsAuth: false,
    httpPort: null,
    klapVersion: null,
    deviceType: String(sys.mic_type ?? sys.type ?? ''),
    answered: ['legacy'],
  };
}

/** A 20002 answer in the shape of every discovered device. */
export function fromAnswer20002(d: Discovered20002): DiscoveredDevice {
  return {
    host: d.host,
    port: d.httpPort,
    alias: '',
    aliasKnown: false,
    model: d.model,
    mac: d.mac,
    deviceId: d.deviceId,
    outlets: null,
    sysinfo: null,
    protocol: d.dialect === 'smart' ? 'smart' : 'klap',
    transport: d.protocol,
    dialect: d.dialect,
    needsAuth: true,
    httpPort: d.httpPort,
    klapVersion: d.klapVersion ?? null,
    deviceType: d.deviceType,
    answered: ['20002'],
  };
}

/** Who a device is, across both probes: its MAC, else its device id, else where it answered from. */
function identity(d: DiscoveredDevice): string {
  const mac = d.mac.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  if (mac.length === 12) return `mac ${mac}`;
  if (d.deviceId) return `id ${d.deviceId.toUpperCase()}`;
  return `at ${d.host}:${d.port}:${d.protocol}`;
}

/**
 * A device that answered both probes still answers the legacy protocol, which
 * needs no account: that stays what it speaks; the 20002 answer adds its HTTP side.
 */
function merge(a: DiscoveredDevice, b: DiscoveredDevice): DiscoveredDevice {
  const [legacy, other] = a.protocol === 'legacy' ? [a, b] : [b, a];
  if (legacy.protocol !== 'legacy' || other.protocol === 'legacy') return a; // same probe twice: first wins
  return {
    ...legacy,
    httpPort: other.httpPort,
    klapVersion: other.klapVersion,
    answered: ['legacy', '20002'],
  };
}

/**
 * Sends the 9999 and the 20002 probe together and collects answers for
 * `timeout` ms. Rejects for a bad option or a socket error, never for a bad answer.
 */
export async function discover(opts: DiscoveryOptions): Promise<DiscoveryResult> {
  const target = probeTarget(opts?.broadcast);
  const port = opts.port === null ? null : probePort(opts.port ?? DISCOVERY_PORT, 'port');
  const port20002 = opts.port20002 === null ? null : probePort(opts.port20002 ?? DISCOVERY_20002_PORT, 'port20002');
  const timeout = opts.timeout ?? 3000;
  if (!Number.isFinite(timeout) || timeout < 0 || timeout > 2_147_483_647) throw new ValidationError('timeout', 'a number of ms from 0 to 2147483647', timeout);
  const found = new Map<string, DiscoveredDevice>();
  const heard = new Set<string>();
  const rejected: RejectedAnswer[] = [];
  const onForeign = (from: dgram.RemoteInfo): void => {
    if (rejected.length < MAX_ANSWERERS) rejected.push(foreignAnswer(from, target.address));
  };
  // A device may answer both probes; its legacy side needs no account. A
  // 20002-only answer is reported after a short wait for the legacy one.
  const grace = Math.min(LEGACY_GRACE_MS, timeout);
  const waiting = new Map<string, NodeJS.Timeout>();
  const report = (key: string): void => {
    const timer = waiting.get(key);
    if (timer) clearTimeout(timer);
    waiting.delete(key);
    try {
      opts.onDevice?.(found.get(key) as DiscoveredDevice);
    } catch {
      // a caller's callback must not stop discovery
    }
  };
  const add = (d: DiscoveredDevice): void => {
    const key = identity(d);
    const known = found.get(key);
    if (!known) {
      found.set(key, d);
      if (d.protocol === 'legacy') report(key);
      else waiting.set(key, setTimeout(() => report(key), grace));
      return;
    }
    const merged = merge(known, d);
    if (merged === known) return;
    found.set(key, merged);
    if (waiting.has(key)) {
      report(key);
      return;
    }
    try {
      opts.onMerged?.(merged);
    } catch {
      // a caller's callback must not stop discovery
    }
  };
  const take = (probe: string, parse: (msg: Buffer, host: string, port: number) => DiscoveredDevice | RejectedAnswer) =>
    (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
      const from = `${probe} ${rinfo.address}:${rinfo.port}`;
      if (heard.has(from)) return; // a device answering twice is one answer
      if (heard.size >= MAX_ANSWERERS) return; // a flood from many ports: memory stays bounded
      heard.add(from);
      const answer = parse(msg, rinfo.address, rinfo.port);
      if ('reason' in answer) rejected.push(answer);
      else add(answer);
    };
  const probes: Array<Promise<void>> = [];
  if (port !== null) {
    probes.push(runProbe({
      target, port, timeout, onForeign, createSocket: opts.createSocket,
      payload: encodeUdp(PROBE),
      onAnswer: take('legacy', parseDiscoveryAnswer),
    }));
  }
  if (port20002 !== null) {
    probes.push(runProbe({
      target, port: port20002, timeout, onForeign, createSocket: opts.createSocket,
      payload: buildProbe20002(),
      onAnswer: take('20002', (msg, host, p) => {
        const a = parseAnswer20002(msg, host, p);
        return 'reason' in a ? a : fromAnswer20002(a);
      }),
    }));
  }
  // Both sockets run to the end even if one fails, so none is left open.
  const outcomes = await Promise.allSettled(probes);
  for (const key of [...waiting.keys()]) report(key); // the round is over: no legacy answer is coming
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return { devices: [...found.values()], rejected };
}
