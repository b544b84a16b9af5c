// What the KLAP and the SMART plug simulators share about the 20002 discovery probe:
// which datagrams are probes, and the socket that hears them.

import * as dgram from 'dgram';
import { unframe20002 } from '../core/discovery-20002';
import { bindUdp } from './net-util';

/** A well-framed datagram whose JSON carries params.rsa_key; anything else gets silence, like the firmware. */
export function isDiscoveryProbe(msg: Buffer): boolean {
  const payload = unframe20002(msg);
  if (!payload) return false;
  try {
    const probe = JSON.parse(payload.toString('utf8'));
    return typeof probe?.params?.rsa_key === 'string';
  } catch {
    return false;
  }
}

/**
 * Binds the discovery socket once the HTTP side listens. When the port can't be had the
 * HTTP side is stopped again (`stopHttp`) so a failed start leaves nothing listening.
 */
export async function bindDiscoverySocket(
  host: string,
  port: number,
  stopHttp: () => Promise<void>,
  onDatagram: (msg: Buffer, from: dgram.RemoteInfo) => void,
): Promise<dgram.Socket> {
  let udp: dgram.Socket;
  try {
    udp = await bindUdp(host, port);
  } catch (e) {
    await stopHttp();
    throw e;
  }
  udp.on('message', onDatagram);
  udp.on('error', () => {});
  return udp;
}
