// SimulatorNetwork: discovery over loopback. A broadcast can't reach several
// sockets on 127.0.0.1, so one UDP socket on the discovery port stands in for
// the broadcast address and hands every datagram to each member, which
// answers from its OWN socket and port, as real plugs answer from their own IPs.
// If a member listens on the discovery port itself (a plug on 9999 and
// discovery on 9999, as on a real LAN), that member's socket is shared instead.

import * as dgram from 'dgram';
import { ExtraKind, ExtraResponder } from './extras';
import { assertAllowedHost, bindUdp, closeUdp, normalizeHost } from './net-util';
import { PlugSimulator, StartOptions } from './server';

export type NetworkDeviceOptions = Omit<StartOptions, 'host' | 'udp' | 'allowLan'>;

export interface NetworkOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** UDP port standing in for the broadcast address. Default 9999; 0 = ephemeral. */
  discoveryPort?: number;
  devices: NetworkDeviceOptions[];
  /** Non-plug answerers: 'garbage' (random bytes), 'bulb' (sysinfo with mic_type IOT.SMARTBULB). */
  extras?: ExtraKind[];
  allowLan?: boolean;
}

export class SimulatorNetwork {
  readonly host: string;
  readonly members: PlugSimulator[] = [];
  readonly extras: ExtraResponder[] = [];
  private sock: dgram.Socket | null = null;
  private untap: (() => void) | null = null;
  private _discoveryPort = 0;

  private constructor(host: string) {
    this.host = host;
  }

  static async start(opts: NetworkOptions): Promise<SimulatorNetwork> {
    const host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(host, opts.allowLan);
    const net = new SimulatorNetwork(host);
    try {
      for (const d of opts.devices) {
        net.members.push(await PlugSimulator.start({ ...d, host, udp: true, allowLan: opts.allowLan }));
      }
      for (const kind of opts.extras ?? []) net.extras.push(await ExtraResponder.start(kind, host));
      const port = opts.discoveryPort ?? 9999;
      const owner = port === 0 ? undefined : net.members.find((m) => m.port === port);
      if (owner) {
        // The owner answers on its own; the others hear it through the tap.
        net.untap = owner.tapDatagrams((msg, from) => net.fanOut(msg, from, owner));
        net._discoveryPort = port;
      } else {
        const sock = await bindUdp(host, port);
        net.sock = sock;
        net._discoveryPort = sock.address().port;
        sock.on('error', () => {});
        sock.on('message', (msg, rinfo) => net.fanOut(msg, rinfo));
      }
    } catch (e) {
      await net.stop();
      throw e;
    }
    return net;
  }

  /** The port a client "broadcasts" to (send to host:discoveryPort). */
  get discoveryPort(): number {
    return this._discoveryPort;
  }

  private fanOut(msg: Buffer, from: { address: string; port: number }, skip?: PlugSimulator): void {
    const to = { address: from.address, port: from.port };
    for (const m of this.members) if (m !== skip && m.listening) m.answerDatagram(msg, to);
    for (const x of this.extras) x.answerDatagram(msg, to);
  }

  async stop(): Promise<void> {
    const sock = this.sock;
    this.sock = null;
    this.untap?.();
    this.untap = null;
    await Promise.all([
      sock ? closeUdp(sock) : undefined,
      ...this.members.map((m) => m.stop()),
      ...this.extras.map((x) => x.close()),
    ]);
  }
}
