// 'auto': for a device whose generation is not known yet. The first request
// tries the legacy port-9999 protocol; when nothing listens there (refused, or
// no connection in time: nothing was delivered, so nothing can have acted) it
// tries the newer HTTP transport. What answered is kept for the life of the
// transport, so only the first request pays for the search.

import { TplinkError } from '../errors';
import type { Transport, TransportOptions, TransportStats } from './transport';

const LABEL: Record<string, string> = { tcp: 'legacy XOR', udp: 'legacy XOR over UDP', klap: 'KLAP', aes: 'AES' };

export type MakeTransport = (name: string, opts: TransportOptions) => Transport;

/** True when a failure proves the request never reached a device. */
export function neverDelivered(err: unknown): boolean {
  if (!(err instanceof TplinkError)) return false;
  if (err.kind === 'refused') return true;
  return err.kind === 'timeout' && (err as { what?: string }).what === 'connection';
}

/** Transports that send a request only after a handshake has proved the device speaks them. */
const HANDSHAKE_FIRST = new Set(['klap', 'aes']);

/**
 * A garbled answer (e.g. an HTTP server's 400 to legacy bytes, when one port is
 * given for both) may be followed by a handshake transport: its request goes out
 * only to a device that completes the handshake, and a legacy device cannot, so
 * nothing can run twice.
 */
function answeredInAnotherTongue(err: unknown, next: [string, number] | undefined): boolean {
  return err instanceof TplinkError && err.kind === 'protocol' && next !== undefined && HANDSHAKE_FIRST.has(next[0]);
}

export class AutoTransport implements Transport {
  readonly name = 'auto';
  readonly host: string;
  readonly port: number;
  private current: Transport;
  private learned = false;
  private closed = false;
  private readonly tried: TransportStats = { connects: 0, retries: 0 };
  /** native private: the options carry the account, which no inspect or log may show */
  readonly #opts: TransportOptions;

  /**
   * `candidates` in the order tried, e.g. [['tcp', 9999], ['klap', 80]].
   */
  constructor(opts: TransportOptions, private readonly candidates: [string, number][], private readonly make: MakeTransport) {
    this.#opts = opts;
    this.host = opts.host;
    this.port = opts.port;
    this.current = make(candidates[0][0], { ...opts, port: candidates[0][1] });
  }

  /** The transport found to work ('tcp', 'klap', …), or null before the first answer. */
  get found(): Transport | null {
    return this.learned ? this.current : null;
  }

  get stats(): TransportStats {
    const s = this.current.stats;
    return { ...s, connects: s.connects + this.tried.connects, retries: s.retries + this.tried.retries };
  }

  async send(request: string, timeout: number): Promise<string> {
    if (this.learned) return this.current.send(request, timeout);
    for (let i = 0; ; i++) {
      try {
        const reply = await this.current.send(request, timeout);
        this.learned = true;
        return reply;
      } catch (err) {
        const next = this.candidates[i + 1];
        if (this.closed || !(neverDelivered(err) || answeredInAnotherTongue(err, next))) throw err;
        if (!next) throw new TplinkError((err as TplinkError).kind, `${this.host}: no TP-Link protocol answers (tried ${this.candidates.map(([n, p]) => `${LABEL[n] ?? n} on port ${p}`).join(', ')}); check the address and that the device is on`, { cause: err });
        this.tried.connects += this.current.stats.connects;
        this.current.close();
        this.current = this.make(next[0], { ...this.#opts, port: next[1] });
      }
    }
  }

  close(): void {
    this.closed = true;
    this.current.close();
  }
}
