// 'smart': the transport for a SMART (Tapo, SMART Kasa) device whose firmware
// generation is not known yet. Current firmware speaks KLAP (v2 hash), older
// firmware AES securePassthrough. KLAP is tried first; a 404 on /app/handshake1
// (no KLAP here) switches to AES, and AES's 1003 (KlapOnlyError: the firmware
// moved to KLAP) switches back. Neither answer means a request was applied,
// so the request is sent on the other transport. What answered is remembered
// until the device says otherwise. HTTP 403 on handshake1 (TPAP firmware, or
// Third-Party Compatibility off) is the KLAP transport's AuthError, passed on
// as is: it is a diagnosis, not a reason to try AES.

import { TplinkError } from '../errors';
import type { Transport, TransportOptions, TransportStats } from './transport';
import { isKlapOnly } from './aes';

export type MakeTransport = (name: string, opts: TransportOptions) => Transport;

/** True for KlapTransport's "handshake1 answered 404". */
export function isKlapNotServed(err: unknown): boolean {
  return err instanceof TplinkError && (err as { klapNotServed?: unknown }).klapNotServed === true;
}

export class SmartTransport implements Transport {
  readonly name = 'smart';
  readonly host: string;
  readonly port: number;
  private current: Transport;
  private closed = false;
  private readonly earlier: TransportStats = { connects: 0, retries: 0, handshakes: 0 };
  /** switches made so far (tests, benchmarks) */
  switches = 0;

  constructor(private readonly opts: TransportOptions, private readonly make: MakeTransport, first: 'klap' | 'aes' = 'klap') {
    this.host = opts.host;
    this.port = opts.port;
    this.current = make(first, opts);
  }

  /** 'klap' or 'aes': the one in use now. */
  get using(): string {
    return this.current.name;
  }

  get stats(): TransportStats {
    const s = this.current.stats;
    return {
      connects: s.connects + this.earlier.connects,
      retries: s.retries + this.earlier.retries,
      handshakes: (s.handshakes ?? 0) + (this.earlier.handshakes ?? 0),
    };
  }

  async send(request: string, timeout: number): Promise<string> {
    try {
      return await this.current.send(request, timeout);
    } catch (err) {
      const other = this.current.name === 'klap' ? (isKlapNotServed(err) ? 'aes' : null) : (isKlapOnly(err) ? 'klap' : null);
      if (!other || this.closed) throw err;
      this.switchTo(other);
      // One switch per request: a device answering "not me" on both ends is reported, not chased.
      return this.current.send(request, timeout);
    }
  }

  close(): void {
    this.closed = true;
    this.current.close();
  }

  private switchTo(name: string): void {
    const s = this.current.stats;
    this.earlier.connects += s.connects;
    this.earlier.retries += s.retries;
    this.earlier.handshakes = (this.earlier.handshakes ?? 0) + (s.handshakes ?? 0);
    this.current.close();
    this.current = this.make(name, this.opts);
    this.switches++;
  }
}
