// The device client: one per host:port. Serialises requests through a FIFO
// queue over one reused TCP connection (or UDP datagrams), encrypts, decodes
// and checks replies.

import { encrypt, decryptBytes } from './cipher';
import { DEFAULT_MAX_FRAME } from './framing';
import { ClientClosedError, ProtocolError, QueueFullError } from './errors';
import { TcpTransport } from './tcp-transport';
import { udpRequest, parseJson } from './udp-transport';
import { RequestQueue } from './request-queue';
import { Command, JsonObject, resultOf, timeoutFor } from './commands/command';

export interface ClientOptions {
  host: string;
  /** default 9999 */
  port?: number;
  /** ms to wait for a reply once a request is sent (default 5000) */
  timeout?: number;
  /** ms to establish a TCP connection (default: the reply timeout) */
  connectTimeout?: number;
  /** 'tcp' (default) or 'udp' */
  transport?: 'tcp' | 'udp';
  /** largest reply accepted in bytes (default 1 MiB) */
  maxReplyBytes?: number;
  /** most requests allowed to wait behind the one in flight (default 1000) */
  maxQueue?: number;
  /** keep the TCP connection open between requests (default true) */
  reuseConnection?: boolean;
}

export interface RequestOptions {
  /** reply timeout for this request, ms */
  timeout?: number;
}

export const DEFAULT_PORT = 9999;
export const DEFAULT_TIMEOUT = 5000;
export const DEFAULT_MAX_QUEUE = 1000;

export class DeviceClient {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly transport: 'tcp' | 'udp';
  private readonly tcp: TcpTransport;
  private readonly queue: RequestQueue<unknown>;
  private closed = false;

  constructor(opts: ClientOptions) {
    this.host = opts.host;
    this.port = opts.port ?? DEFAULT_PORT;
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT;
    this.transport = opts.transport ?? 'tcp';
    this.tcp = new TcpTransport({
      host: this.host,
      port: this.port,
      connectTimeout: opts.connectTimeout ?? this.timeout,
      maxReplyBytes: opts.maxReplyBytes ?? DEFAULT_MAX_FRAME,
      reuse: opts.reuseConnection ?? true,
    });
    this.queue = new RequestQueue<unknown>(opts.maxQueue ?? DEFAULT_MAX_QUEUE);
  }

  /** TCP connections opened so far (and stale-socket retries), for tests and benchmarks. */
  get stats(): { connects: number; retries: number } {
    return this.tcp.stats;
  }

  /** Requests waiting behind the one in flight. */
  get queued(): number {
    return this.queue.size;
  }

  /** Sends a raw request object; resolves with the parsed reply (err_codes not checked). */
  send(request: JsonObject, opts: RequestOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new ClientClosedError(this.host, this.port));
    const timeout = opts.timeout ?? this.timeout;
    // Encrypt up front: a request that can't be serialised fails before it is queued.
    const payload = encrypt(JSON.stringify(request));
    return new Promise<unknown>((resolve, reject) => {
      const accepted = this.queue.push({
        run: () => this.exchange(payload, timeout),
        resolve,
        reject,
      });
      if (!accepted) reject(new QueueFullError(this.host, this.port, this.queue.limit));
    });
  }

  /** Sends a command and returns its method's result; throws DeviceError on err_code != 0. */
  async run(cmd: Command, opts: RequestOptions = {}): Promise<JsonObject> {
    const timeout = timeoutFor(cmd, opts.timeout ?? this.timeout);
    return resultOf(cmd, await this.send(cmd.request, { timeout }));
  }

  /** Ends the connection and rejects everything still queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ClientClosedError(this.host, this.port);
    for (const entry of this.queue.clear()) entry.reject(err);
    this.tcp.destroy(err);
  }

  private async exchange(payload: Buffer, timeout: number): Promise<unknown> {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
    const from = `${this.host}:${this.port}`;
    const text = this.transport === 'udp'
      ? await udpRequest(this.host, this.port, payload, timeout)
      : decryptBytes(await this.tcp.request(payload, timeout)).toString('utf8');
    const parsed = parseJson(text, from);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ProtocolError(`reply from ${from} is JSON but not an object`);
    }
    return parsed;
  }
}
