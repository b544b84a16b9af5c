// The KLAP wake probe: some devices keep their HTTP port closed until they hear
// the UDP 20002 discovery probe. When the first handshake finds the port refused,
// the KLAP transport sends that probe once, to the device's own address only
// (never a broadcast, never a name we would have to look up), and waits briefly
// for the answer before trying again. docs/klap.md.

import * as dgram from 'dgram';
import { buildProbe20002, DISCOVERY_20002_PORT } from '../discovery-20002';
import { probeTarget } from '../udp-probe';

/** How long to wait for the device's answer before the handshake is tried again, ms. */
export const WAKE_WAIT_MS = 500;
export { DISCOVERY_20002_PORT as WAKE_PORT };

/** Where a wake probe for `host` may go: its dotted IPv4 unicast address, else null (no probe). */
export function wakeTarget(host: string): { address: string; loopback: boolean } | null {
  let t;
  try {
    t = probeTarget(host, 'host');
  } catch {
    return null; // a host name or IPv6: the probe is IPv4 and nothing is looked up for it
  }
  return t.broadcast ? null : { address: t.address, loopback: t.loopback };
}

export interface WakeProbe {
  /** true once sent and settled (answered or waited out); false when not sent */
  done: Promise<boolean>;
  /** stops waiting now (the transport was closed) */
  cancel(): void;
}

/**
 * Sends one 20002 probe to `host`:`port` and settles on the first datagram from
 * that address or after `waitMs`. Never rejects: a socket error just ends the wait.
 */
export function sendWakeProbe(host: string, port: number = DISCOVERY_20002_PORT, waitMs: number = WAKE_WAIT_MS,
  createSocket: () => dgram.Socket = () => dgram.createSocket('udp4')): WakeProbe {
  const target = wakeTarget(host);
  if (!target) return { done: Promise.resolve(false), cancel: () => {} };
  let finish: () => void = () => {};
  const done = new Promise<boolean>((resolve) => {
    const socket = createSocket();
    let finished = false;
    const timer = setTimeout(() => finish(), waitMs);
    finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(true);
    };
    socket.on('error', () => finish());
    socket.on('message', (_msg, from) => {
      if (from.address === target.address) finish();
    });
    const send = (): void => socket.send(buildProbe20002(), port, target.address, (err) => {
      if (err) finish();
    });
    // A loopback device gets a socket bound to loopback: nothing leaves the machine.
    if (target.loopback) socket.bind(0, '127.0.0.1', send);
    else socket.bind(0, send);
  });
  return { done, cancel: () => finish() };
}
