// A SMART plug's answer to the UDP 20002 discovery probe, on its own UDP socket
// on 127.0.0.1: a well-formed probe (header, CRC, an rsa_key) gets
// buildDiscoveryAnswer() from the device's own port; anything else gets silence,
// as from the firmware.

import * as dgram from 'dgram';
import { isDiscoveryProbe } from '../probe-20002';
import { assertAllowedHost, bindUdp, closeUdp, normalizeHost } from '../net-util';
import { SmartDevice } from './device';
import { buildDiscoveryAnswer } from './discovery-answer';

export interface SmartDiscoveryOptions {
  device: SmartDevice;
  /** the port of the device's HTTP API, told in the answer */
  httpPort: number;
  /** a firmware that moved to KLAP (default: the model's) */
  encrypt?: 'AES' | 'KLAP';
  /** default 127.0.0.1 */
  host?: string;
  /** UDP port; default 0 (ephemeral) */
  port?: number;
  allowLan?: boolean;
}

export class SmartDiscoveryResponder {
  probesAnswered = 0;
  private constructor(private readonly opts: SmartDiscoveryOptions, private readonly sock: dgram.Socket) {}

  static async start(opts: SmartDiscoveryOptions): Promise<SmartDiscoveryResponder> {
    const host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(host, opts.allowLan);
    const sock = await bindUdp(host, opts.port ?? 0);
    const r = new SmartDiscoveryResponder(opts, sock);
    sock.on('message', (msg, rinfo) => r.answerDatagram(msg, rinfo));
    sock.on('error', () => {});
    return r;
  }

  get device(): SmartDevice {
    return this.opts.device;
  }

  get port(): number {
    return this.sock.address().port;
  }

  /** Answers one datagram (also handed over by a UdpFanOut standing in for the broadcast). */
  answerDatagram(msg: Buffer, to: { address: string; port: number }): void {
    if (!isDiscoveryProbe(msg)) return;
    const answer = buildDiscoveryAnswer(this.opts.device, { httpPort: this.opts.httpPort, encrypt: this.opts.encrypt, serial: msg.subarray(8, 12) });
    this.probesAnswered++;
    this.sock.send(answer, to.port, to.address, () => {});
  }

  stop(): Promise<void> {
    return closeUdp(this.sock);
  }
}
