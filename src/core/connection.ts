// How a device is spoken to: a config node's (or the CLI's) settings
// {protocol, transport, port, credentials} become client options {transport
// name, port, httpPort, credentials}. A Connector builds the device's clients
// from them and, for `auto`, keeps what answered for its own life, so a client
// made again (after a MAC re-resolution, or the last user letting go) goes
// straight to the protocol the device speaks. A new protocol ('smart' …) is one
// more row in PROTOCOLS. No Node-RED here.

import { DeviceClient } from './client';
import { ValidationError } from './errors';
import type { Credentials, Transport } from './transport/transport';

export interface ProtocolSpec {
  /** port when none is given */
  defaultPort: number;
  /** transport name (./transport/factory.ts) for a given legacy transport choice */
  transport: (legacy: 'tcp' | 'udp') => string;
  /** takes an account */
  account: boolean;
}

export const PROTOCOLS = {
  /** legacy XOR on 9999 first, then KLAP on 80 (or the given port for both) */
  auto: { defaultPort: 9999, transport: () => 'auto', account: true },
  /** XOR on 9999, TCP or UDP: firmware before the 2020 and 2024-26 updates */
  legacy: { defaultPort: 9999, transport: (t) => t, account: false },
  /** KLAP over HTTP on 80: HS100(UK) hw 4.1 (v1 hash), the 2024-26 new_klap firmware (v2) */
  klap: { defaultPort: 80, transport: () => 'klap', account: true },
  /** Tapo and SMART Kasa: the SMART dialect over KLAP v2, or AES securePassthrough on older firmware */
  smart: { defaultPort: 80, transport: () => 'smart', account: true },
} satisfies Record<string, ProtocolSpec>;

export type Protocol = keyof typeof PROTOCOLS;

/** The port KLAP (and later the other HTTP protocols) listen on by default. */
export const DEFAULT_HTTP_PORT = 80;

export function isProtocol(v: unknown): v is Protocol {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(PROTOCOLS, v);
}

export interface ConnectionSettings {
  protocol: Protocol;
  /** legacy only: 'tcp' (default) or 'udp' */
  transport?: 'tcp' | 'udp';
  /** undefined = the protocol's default */
  port?: number;
  credentials?: Credentials;
}

/** What a client is built from (see ClientOptions). */
export interface ConnectionPlan {
  transport: string;
  port: number;
  /** auto: where the HTTP protocol is tried */
  httpPort?: number;
}

/** The port used when none is given. */
export function defaultPort(protocol: Protocol): number {
  return PROTOCOLS[protocol].defaultPort;
}

/** Settings → transport name and ports. `auto` with a port tries it for both generations. */
export function connectionPlan(s: ConnectionSettings): ConnectionPlan {
  if (!isProtocol(s.protocol)) throw new ValidationError('protocol', `one of ${Object.keys(PROTOCOLS).join(', ')}`, s.protocol);
  const spec: ProtocolSpec = PROTOCOLS[s.protocol];
  const port = s.port ?? spec.defaultPort;
  const plan: ConnectionPlan = { transport: spec.transport(s.transport === 'udp' ? 'udp' : 'tcp'), port };
  if (s.protocol === 'auto') plan.httpPort = s.port ?? DEFAULT_HTTP_PORT;
  return plan;
}

/** What answered, for the editor and logs. Never an account. */
export interface ProtocolFound {
  protocol: 'legacy' | 'klap' | string;
  /** the transport that answered: tcp, udp, klap … */
  transport: string;
  port: number;
  /** KLAP: the hash version the device proved with */
  hashVersion?: number;
  /** KLAP: the device took a firmware default account, not the configured one */
  defaultAccount?: boolean;
}

const PROTOCOL_OF: Record<string, string> = { tcp: 'legacy', udp: 'legacy', klap: 'klap' };

/** What `t` (an auto transport's find, or a fixed one that has answered) says about the device. */
function describeTransport(t: Transport): ProtocolFound | null {
  const inner = t.name === 'auto' ? (t as unknown as { found: Transport | null }).found : t;
  if (!inner) return null;
  // 'smart' carries KLAP or AES: report the one in use.
  const carried = inner.name === 'smart' ? (inner as unknown as { using: string }).using : inner.name;
  const found: ProtocolFound = { protocol: PROTOCOL_OF[inner.name] ?? inner.name, transport: carried, port: inner.port };
  const klap = inner as unknown as { hashVersion?: number | null; usedDefaultCredentials?: boolean | null };
  if (inner.name === 'klap') {
    if (klap.hashVersion == null) return null; // no handshake yet: nothing proven
    found.hashVersion = klap.hashVersion;
    found.defaultAccount = klap.usedDefaultCredentials === true;
  }
  return found;
}

export interface ConnectorOptions {
  timeout: number;
  maxQueue?: number;
}

/**
 * Builds one device's clients from its connection settings. The account is held
 * in a native private field only: no inspect, log or JSON of a connector (or of
 * a session holding its createClient) can show it.
 */
export class Connector {
  readonly protocol: Protocol;
  private readonly plan: ConnectionPlan;
  private readonly opts: ConnectorOptions;
  readonly #credentials: Credentials | undefined;
  /** what answered, for the life of this connector */
  private learned: ProtocolFound | null = null;
  private last: DeviceClient | null = null;

  constructor(settings: ConnectionSettings, opts: ConnectorOptions) {
    this.protocol = settings.protocol;
    this.plan = connectionPlan(settings);
    this.opts = opts;
    const c = settings.credentials;
    this.#credentials = c && (c.username !== '' || c.password !== '') ? { username: c.username, password: c.password } : undefined;
  }

  /** The port the first attempt goes to (shown as the device's port before anything answered). */
  get port(): number {
    return this.plan.port;
  }

  /** What answered so far (kept across clients), or null. */
  found(): ProtocolFound | null {
    this.absorb();
    return this.learned;
  }

  /** A client for `host` (port: the configured or discovered one; a learned protocol keeps its own). */
  createClient = (host: string, port: number = this.plan.port): DeviceClient => {
    this.absorb();
    const l = this.protocol === 'auto' ? this.learned : null;
    // A discovered address (9999 discovery) says nothing about the HTTP port: KLAP keeps its own.
    if (this.protocol === 'klap') port = this.plan.port;
    const client = l
      ? new DeviceClient({ host, port: l.port, transport: l.transport, credentials: this.#credentials, timeout: this.opts.timeout, maxQueue: this.opts.maxQueue })
      : new DeviceClient({
        host, port, transport: this.plan.transport, httpPort: this.plan.httpPort, credentials: this.#credentials, timeout: this.opts.timeout, maxQueue: this.opts.maxQueue,
      });
    this.last = client;
    return client;
  };

  /** Learns from the latest client once it has an answer. */
  private absorb(): void {
    const c = this.last;
    if (!c) return;
    const now = describeTransport(c.transportInfo);
    if (!now) return;
    // `auto` goes on with what answered; a fixed protocol just reports it (e.g. the hash version).
    this.learned = now;
  }
}
