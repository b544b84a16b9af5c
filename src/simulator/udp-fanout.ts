// One UDP socket standing in for a broadcast address on loopback: every datagram
// it gets is handed to each member, which answers from its OWN socket, as
// devices on a LAN answer a broadcast from their own addresses. (SimulatorNetwork
// does this for the legacy plugs; this is the same for any answerer, e.g. the
// 20002 responders of KLAP and SMART simulators.)

import * as dgram from 'dgram';
import { assertAllowedHost, bindUdp, closeUdp, normalizeHost } from './net-util';

export interface DatagramAnswerer {
  answerDatagram(msg: Buffer, to: { address: string; port: number }): void;
}

export class UdpFanOut {
  private constructor(private readonly sock: dgram.Socket, readonly members: DatagramAnswerer[]) {}

  /** Binds host:port (default 127.0.0.1, ephemeral); members may be added later. */
  static async start(members: DatagramAnswerer[] = [], opts: { host?: string; port?: number; allowLan?: boolean } = {}): Promise<UdpFanOut> {
    const host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(host, opts.allowLan);
    const sock = await bindUdp(host, opts.port ?? 0);
    const fan = new UdpFanOut(sock, [...members]);
    sock.on('error', () => {});
    sock.on('message', (msg, rinfo) => {
      for (const m of fan.members) m.answerDatagram(msg, { address: rinfo.address, port: rinfo.port });
    });
    return fan;
  }

  get port(): number {
    return this.sock.address().port;
  }

  stop(): Promise<void> {
    return closeUdp(this.sock);
  }
}
