// Finds a device's current address by its MAC or deviceId through UDP discovery,
// for config nodes bound to the device rather than to an address (DHCP may move
// it). The answer is cached until invalidate(), which the device session calls after
// a connection failure so the next use looks again.

import { discover, DiscoveredDevice } from './discovery';
import { TplinkError } from './errors';

export type FindBy = 'mac' | 'deviceId';

/** MAC as 12 upper-case hex digits (separators dropped), for comparing. */
export function normalizeMac(v: unknown): string {
  return typeof v === 'string' ? v.replace(/[^0-9A-Fa-f]/g, '').toUpperCase() : '';
}

export interface Address {
  host: string;
  port: number;
  alias: string;
}

export interface ResolverOptions {
  by: FindBy;
  /** MAC (any separators) or deviceId */
  value: string;
  broadcast: string;
  /** UDP port the probe goes to */
  port: number;
  /** longest wait for the device to answer, ms */
  timeout: number;
}

export class AddressResolver {
  private current: Address | null = null;
  private pending: Promise<Address> | null = null;
  /** discovery rounds run, for tests and logs */
  lookups = 0;

  constructor(private readonly opts: ResolverOptions) {}

  get address(): Address | null {
    return this.current;
  }

  /** The cached address, or one discovery round shared by every caller waiting on it. */
  resolve(): Promise<Address> {
    if (this.current) return Promise.resolve(this.current);
    if (!this.pending) {
      this.pending = this.lookup().then(
        (addr) => {
          this.pending = null;
          this.current = addr;
          return addr;
        },
        (err: unknown) => {
          this.pending = null;
          throw err;
        },
      );
    }
    return this.pending;
  }

  invalidate(): void {
    this.current = null;
  }

  private matches(d: DiscoveredDevice): boolean {
    if (this.opts.by === 'mac') return normalizeMac(d.mac) === normalizeMac(this.opts.value);
    return d.deviceId.toUpperCase() === this.opts.value.toUpperCase();
  }

  private lookup(): Promise<Address> {
    this.lookups++;
    const { broadcast, port, timeout, by, value } = this.opts;
    return new Promise<Address>((resolve, reject) => {
      let done = false;
      // Settle on the first matching answer; the probe socket closes by itself at `timeout`.
      discover({
        broadcast,
        port,
        timeout,
        onDevice: (d) => {
          if (done || !this.matches(d)) return;
          done = true;
          resolve({ host: d.host, port: d.port, alias: d.alias });
        },
      }).then(
        () => {
          if (done) return;
          done = true;
          reject(new TplinkError('unreachable', `no device with ${by === 'mac' ? 'MAC' : 'device id'} ${value} answered discovery sent to ${broadcast}:${port} within ${timeout} ms`));
        },
        (err: unknown) => {
          if (done) return;
          done = true;
          reject(new TplinkError('unreachable', `discovery on ${broadcast}:${port} failed: ${(err as Error).message}`, { cause: err }));
        },
      );
    });
  }
}
