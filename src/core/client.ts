// The device client: one per device. Serialises requests through a FIFO queue
// over any transport (./transport/), decodes and checks replies. The transport
// owns the bytes (cipher, framing, sessions); the client owns the order.

import { ClientClosedError, QueueFullError, ValidationError } from './errors';
import { DEFAULT_MAX_FRAME } from './framing';
import { parseReplyObject } from './json-reply';
import { RequestQueue } from './request-queue';
import { Command, JsonObject, resultOf, timeoutFor } from './commands/command';
import { createTransport } from './transport/factory';
import type { Credentials, Transport, TransportStats } from './transport/transport';

export interface ClientOptions {
  host: string;
  /** default 9999 */
  port?: number;
  /** ms to wait for a reply once a request is sent (default 5000) */
  timeout?: number;
  /** ms to establish a connection (default: the reply timeout) */
  connectTimeout?: number;
  /** transport name from ./transport/factory.ts: 'tcp' (default), 'udp', … */
  transport?: string;
  /** account, for transports that authenticate (handed to the transport, not kept here) */
  credentials?: Credentials;
  /** 'auto': the port the HTTP protocol (KLAP) is tried on after `port` (default 80) */
  httpPort?: number;
  /** KLAP: the UDP port of the wake probe sent when the first handshake is refused (default 20002) */
  port20002?: number;
  /** largest reply accepted in bytes (default 1 MiB) */
  maxReplyBytes?: number;
  /** most requests allowed to wait behind the one in flight (default 1000) */
  maxQueue?: number;
  /** keep the connection open between requests (default true) */
  reuseConnection?: boolean;
}

export interface RequestOptions {
  /** reply timeout for this request, ms */
  timeout?: number;
}

/** What a holder of the device (see exclusive()) can do while it holds it. */
export interface DeviceHandle {
  send(request: JsonObject, opts?: RequestOptions): Promise<unknown>;
  run(cmd: Command, opts?: RequestOptions): Promise<JsonObject>;
}

export const DEFAULT_PORT = 9999;
export const DEFAULT_TIMEOUT = 5000;
export const DEFAULT_MAX_QUEUE = 1000;
/** Node's timers overflow past this many ms and then fire at once, again and again. */
const MAX_TIMER_MS = 2_147_483_647;

/** A timeout a Node timer can hold: refused (nothing sent) rather than overflowing. */
function timeoutMs(field: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0 || v > MAX_TIMER_MS) throw new ValidationError(field, `a number of ms from 1 to ${MAX_TIMER_MS}`, v);
  return v;
}

export class DeviceClient implements DeviceHandle {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly transport: string;
  private readonly wire: Transport;
  private readonly queue: RequestQueue<unknown>;
  private closed = false;

  constructor(opts: ClientOptions) {
    this.host = opts.host;
    this.port = opts.port ?? DEFAULT_PORT;
    this.timeout = timeoutMs('timeout', opts.timeout ?? DEFAULT_TIMEOUT);
    this.transport = opts.transport ?? 'tcp';
    this.wire = createTransport(this.transport, {
      host: this.host,
      port: this.port,
      connectTimeout: timeoutMs('connectTimeout', opts.connectTimeout ?? this.timeout),
      maxReplyBytes: opts.maxReplyBytes ?? DEFAULT_MAX_FRAME,
      reuse: opts.reuseConnection ?? true,
      credentials: opts.credentials,
      httpPort: opts.httpPort,
      port20002: opts.port20002,
    });
    this.queue = new RequestQueue<unknown>(opts.maxQueue ?? DEFAULT_MAX_QUEUE);
  }

  /** Connections opened so far (and stale-socket retries, handshakes), for tests and benchmarks. */
  get stats(): TransportStats {
    return this.wire.stats;
  }

  /** The transport itself, for what only it knows (e.g. which KLAP hash matched). */
  get transportInfo(): Transport {
    return this.wire;
  }

  /** Requests waiting behind the one in flight. */
  get queued(): number {
    return this.queue.size;
  }

  /** Sends a raw request object; resolves with the parsed reply (err_codes not checked). */
  send(request: JsonObject, opts: RequestOptions = {}): Promise<unknown> {
    // Serialise up front: a request that can't be serialised fails before it is queued.
    let text: string;
    let timeout: number;
    try {
      timeout = timeoutMs('timeout', opts.timeout ?? this.timeout);
      text = JSON.stringify(request);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(() => this.exchange(text, timeout));
  }

  /** Sends a command and returns its method's result; throws DeviceError on err_code != 0. */
  async run(cmd: Command, opts: RequestOptions = {}): Promise<JsonObject> {
    const timeout = timeoutFor(cmd, opts.timeout ?? this.timeout);
    return resultOf(cmd, await this.send(cmd.request, { timeout }));
  }

  /**
   * Holds the device for several exchanges (read-modify-write such as toggle):
   * nothing else queued for it runs until `fn` settles.
   */
  exclusive<T>(fn: (device: DeviceHandle) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      let holding = true;
      const direct = (request: JsonObject, opts: RequestOptions = {}): Promise<unknown> => {
        if (!holding) return Promise.reject(new Error('exclusive() handle used after release'));
        return this.exchange(JSON.stringify(request), timeoutMs('timeout', opts.timeout ?? this.timeout));
      };
      const handle: DeviceHandle = {
        send: direct,
        run: async (cmd, opts = {}) => resultOf(cmd, await direct(cmd.request, { timeout: timeoutFor(cmd, opts.timeout ?? this.timeout) })),
      };
      try {
        return await fn(handle);
      } finally {
        holding = false;
      }
    }) as Promise<T>;
  }

  /** Ends the connection and rejects everything still queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ClientClosedError(this.host, this.port);
    for (const entry of this.queue.clear()) entry.reject(err);
    this.wire.close();
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError(this.host, this.port));
    return new Promise<T>((resolve, reject) => {
      const accepted = this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!accepted) reject(new QueueFullError(this.host, this.port, this.queue.limit));
    });
  }

  private async exchange(text: string, timeout: number): Promise<unknown> {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
    return parseReplyObject(await this.wire.send(text, timeout), `${this.host}:${this.port}`);
  }
}

/** Connection settings a client is built from (config node, CLI, admin probe). */
export type ClientSettings = ClientOptions;

/** The factory: one client from connection settings, whatever the transport. */
export function createClient(settings: ClientSettings): DeviceClient {
  return new DeviceClient(settings);
}
