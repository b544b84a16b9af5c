// XOR autokey over UDP 9999: one datagram each way, no length header. A socket
// per request, so a late answer to one request can never reach another, and
// only a datagram from the device's own address and port is taken as its reply.

import * as dgram from 'dgram';
import { lookup } from 'dns';
import { isIP } from 'net';
import { encrypt, decrypt } from '../cipher';
import { ClientClosedError, TimeoutError, UnreachableError } from '../errors';
import type { Transport, TransportOptions, TransportStats } from './transport';

/** Sends one encrypted request and resolves with the decrypted text of the first datagram from host:port. */
export function udpRequest(host: string, port: number, payload: Buffer, timeout: number): Promise<string> {
  return new UdpExchange(host, port, payload, timeout).promise;
}

/** One request/reply; `cancel` ends it early (the transport was closed). */
class UdpExchange {
  readonly promise: Promise<string>;
  cancel: (err: Error) => void = () => {};

  constructor(host: string, port: number, payload: Buffer, timeout: number) {
    this.promise = new Promise<string>((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      let done = false;
      let from: string | null = isIP(host) ? host : null; // the address replies must come from
      const finish = (err: Error | null, text?: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        if (err) reject(err);
        else resolve(text as string);
      };
      this.cancel = (err) => finish(err);
      const timer = setTimeout(() => finish(new TimeoutError(host, port, timeout, 'UDP reply')), timeout);
      socket.on('error', (err: NodeJS.ErrnoException) => finish(new UnreachableError(host, port, err.code ?? err.message, err)));
      socket.on('message', (msg, rinfo) => {
        if (rinfo.port !== port || rinfo.address !== from) return; // someone else's datagram
        finish(null, decrypt(msg));
      });
      const send = (address: string) => {
        from = address;
        socket.send(payload, port, address, (err) => {
          if (err) finish(new UnreachableError(host, port, (err as NodeJS.ErrnoException).code ?? err.message, err));
        });
      };
      if (from) send(from);
      else {
        // A name: resolve it ourselves, so we know which address the reply must come from.
        lookup(host, { family: 4 }, (err, address) => {
          if (done) return;
          if (err) finish(new UnreachableError(host, port, (err as NodeJS.ErrnoException).code ?? err.message, err));
          else send(address);
        });
      }
    });
  }
}

export class XorUdpTransport implements Transport {
  readonly name = 'udp';
  readonly host: string;
  readonly port: number;
  readonly stats: TransportStats = { connects: 0, retries: 0 };
  private current: UdpExchange | null = null;
  private closed = false;

  constructor(opts: TransportOptions) {
    this.host = opts.host;
    this.port = opts.port;
  }

  async send(request: string, timeout: number): Promise<string> {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
    const exchange = new UdpExchange(this.host, this.port, encrypt(request), timeout);
    this.current = exchange;
    try {
      return await exchange.promise;
    } finally {
      if (this.current === exchange) this.current = null;
    }
  }

  close(): void {
    this.closed = true;
    this.current?.cancel(new ClientClosedError(this.host, this.port));
  }
}

/** Encrypts a request object for UDP (discovery probes). */
export function encodeUdp(request: unknown): Buffer {
  return encrypt(JSON.stringify(request));
}
