// Builds a transport by name. A new transport is one file implementing
// Transport (./transport.ts) plus one line in TRANSPORTS.

import { ValidationError } from '../errors';
import type { Transport, TransportOptions } from './transport';
import { XorTcpTransport } from './xor-tcp';
import { XorUdpTransport } from './xor-udp';
import { AutoTransport } from './auto';
import { KlapTransport } from './klap';
import { AesTransport } from './aes';
import { SmartTransport } from './smart';

const TRANSPORTS: Record<string, (opts: TransportOptions) => Transport> = {
  tcp: (o) => new XorTcpTransport(o),
  udp: (o) => new XorUdpTransport(o),
  klap: (o) => new KlapTransport(o),
  aes: (o) => new AesTransport(o),
  // SMART devices: KLAP, or AES on older firmware, switching as the device says (./smart.ts).
  smart: (o) => new SmartTransport(o, createTransport),
  auto: (o) => new AutoTransport(o, [['tcp', o.port], ['klap', o.httpPort ?? 80]], createTransport),
};

export type TransportName = string;

/** Names of the transports this build knows, for validation and the editor. */
export function transportNames(): string[] {
  return Object.keys(TRANSPORTS);
}

export function createTransport(name: TransportName, opts: TransportOptions): Transport {
  const make = Object.prototype.hasOwnProperty.call(TRANSPORTS, name) ? TRANSPORTS[name] : undefined;
  if (!make) throw new ValidationError('transport', `one of ${transportNames().join(', ')}`, name);
  return make(opts);
}
