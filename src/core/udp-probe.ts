// One discovery probe over UDP: where it may go, which socket sends it, and
// which answers count. The target is checked here (dotted IPv4 only, never a
// name to look up); callers supply their own default for a blank one. A probe
// to a single device (unicast) accepts answers from that address only, so a
// third party on the network can't slip a device into the list; a loopback
// target gets a socket bound to 127.0.0.1, so nothing leaves the machine.

import * as dgram from 'dgram';
import { isIPv4 } from 'net';
import { networkInterfaces } from 'os';
import { ValidationError } from './errors';

export interface ProbeTarget {
  address: string;
  /** 255.255.255.255, a local interface's broadcast address, or a directed x.x.x.255 */
  broadcast: boolean;
  /** 127.0.0.0/8 */
  loopback: boolean;
}

const EXPECTED = 'an IPv4 address such as 255.255.255.255 or 192.168.1.255';

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** Broadcast addresses of this machine's IPv4 interfaces. */
function localBroadcasts(): Set<number> {
  const out = new Set<number>();
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4' || !isIPv4(i.netmask)) continue;
      const mask = toInt(i.netmask);
      if (mask === 0xffffffff) continue; // a /32 has no broadcast address
      out.add(((toInt(i.address) & mask) | (~mask >>> 0)) >>> 0);
    }
  }
  return out;
}

/** Checks a probe's target: a dotted IPv4 address, nothing else (no names, no IPv6, no blank). */
export function probeTarget(v: unknown, field = 'broadcast'): ProbeTarget {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!isIPv4(s) || !/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) throw new ValidationError(field, EXPECTED, v);
  const loopback = s.startsWith('127.');
  const broadcast = s === '255.255.255.255' || s.endsWith('.255') || localBroadcasts().has(toInt(s));
  return { address: s, broadcast, loopback };
}

/** A UDP port 1..65535. */
export function probePort(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new ValidationError(field, 'a port number from 1 to 65535', v);
  return v;
}

export interface ProbeOptions {
  target: ProbeTarget;
  port: number;
  payload: Buffer;
  timeout: number;
  /** an answer from an address the probe may hear from */
  onAnswer: (msg: Buffer, from: dgram.RemoteInfo) => void;
  /** an answer from elsewhere (to a unicast probe) */
  onForeign: (from: dgram.RemoteInfo) => void;
  /** the socket to use (tests stub it to check a broadcast without sending one) */
  createSocket?: () => dgram.Socket;
}

/** Sends the probe once and listens for `timeout` ms; rejects only for a socket error. */
export function runProbe(o: ProbeOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = o.createSocket ? o.createSocket() : dgram.createSocket('udp4');
    let finished = false;
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(), o.timeout);
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, rinfo) => {
      if (finished) return;
      if (!o.target.broadcast && rinfo.address !== o.target.address) {
        o.onForeign(rinfo);
        return;
      }
      o.onAnswer(msg, rinfo);
    });
    const send = (): void => {
      try {
        if (o.target.broadcast) socket.setBroadcast(true);
      } catch (err) {
        finish(err as Error);
        return;
      }
      socket.send(o.payload, o.port, o.target.address, (err) => {
        if (err) finish(err);
      });
    };
    if (o.target.loopback) socket.bind(0, '127.0.0.1', send);
    else socket.bind(0, send);
  });
}
