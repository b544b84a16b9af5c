// Finds a device's current address by its MAC or deviceId through UDP discovery
// (both probes: legacy firmware answers on 9999, KLAP/AES firmware on 20002),
// for config nodes bound to the device rather than to an address (DHCP may move
// it). The answer is cached until invalidate(), which the device session calls after
// a connection failure so the next use looks again.

import { discover, DeviceProtocol, DiscoveredDevice } from './discovery';
import { TplinkError } from './errors';

export type FindBy = 'mac' | 'deviceId';

/** How long a 20002 answer waits for the same device's legacy answer, ms. */
const LEGACY_GRACE_MS = 250;

/** MAC as 12 upper-case hex digits (separators dropped), for comparing. */
export function normalizeMac(v: unknown): string {
  return typeof v === 'string' ? v.replace(/[^0-9A-Fa-f]/g, '').toUpperCase() : '';
}

export interface Address {
  host: string;
  /** the legacy port the device answered from, or its HTTP port (KLAP/AES) */
  port: number;
  /** '' when the device answered on 20002 only (no alias there) */
  alias: string;
  /** what the device speaks, from its discovery answer */
  protocol: DeviceProtocol;
  transport: DiscoveredDevice['transport'];
  needsAuth: boolean;
  httpPort: number | null;
  klapVersion: 1 | 2 | null;
}

export interface ResolverOptions {
  by: FindBy;
  /** MAC (any separators) or deviceId */
  value: string;
  broadcast: string;
  /** UDP port the 9999 probe goes to */
  port: number;
  /** UDP port the 20002 probe goes to (default 20002); null = legacy devices only */
  port20002?: number | null;
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
    const { broadcast, port, port20002, timeout, by, value } = this.opts;
    const where = port20002 === null ? `${broadcast}:${port}` : `${broadcast}:${port} and :${port20002 ?? 20002}`;
    return new Promise<Address>((resolve, reject) => {
      let done = false;
      const settle = (d: DiscoveredDevice): void => {
        if (done || !this.matches(d)) return;
        done = true;
        const { host, port: at, alias, protocol, transport, needsAuth, httpPort, klapVersion } = d;
        resolve({ host, port: at, alias, protocol, transport, needsAuth, httpPort, klapVersion });
      };
      // Settle on the first matching device; the probe sockets close by themselves at `timeout`.
      discover({
        broadcast,
        port,
        port20002,
        timeout,
        // discover() reports a device answering both probes by its legacy side (no account needed).
        onDevice: settle,
      }).then(
        () => {
          if (done) return;
          done = true;
          reject(new TplinkError('unreachable', `no device with ${by === 'mac' ? 'MAC' : 'device id'} ${value} answered discovery sent to ${where} within ${timeout} ms`));
        },
        (err: unknown) => {
          if (done) return;
          done = true;
          reject(new TplinkError('unreachable', `discovery on ${where} failed: ${(err as Error).message}`, { cause: err }));
        },
      );
    });
  }
}
