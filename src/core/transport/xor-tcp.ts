// XOR autokey over TCP 9999 (the first-generation Kasa firmware): a 4-byte
// length header and the XOR cipher around each request. One TCP connection to
// one device, reused while the device keeps it open; it carries exactly one
// request at a time (the client's queue guarantees that). A reply timeout
// destroys the socket, so a late reply can never be read as the answer to the
// next request.

import * as net from 'net';
import { encrypt, decryptBytes } from '../cipher';
import { FrameDecoder, DEFAULT_MAX_FRAME, frame } from '../framing';
import { ClientClosedError, ConnectionRefusedError, ProtocolError, TimeoutError, TplinkError, UnreachableError } from '../errors';
import type { Transport, TransportOptions, TransportStats } from './transport';

/** Fresh connections made for a close-after-reply device before a kept-open one is tried again. */
const RELEARN_AFTER = 100;

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export class XorTcpTransport implements Transport {
  readonly name = 'tcp';
  readonly host: string;
  readonly port: number;
  private socket: net.Socket | null = null;
  private decoder: FrameDecoder;
  /** Completes the request in flight; set only while one is pending. */
  private pending: ((err: Error | null, payload?: Buffer) => void) | null = null;
  /** Cancels a connection being opened (close() during connect). */
  private connecting: ((err: Error) => void) | null = null;
  private closed = false;
  /** Counters for tests and benchmarks. */
  readonly stats: TransportStats = { connects: 0, retries: 0 };

  /** what this transport uses of its options: no account (legacy has none, and it must not linger here) */
  private readonly opts: Omit<TransportOptions, 'credentials'>;

  constructor(opts: TransportOptions) {
    const { credentials: _unused, ...rest } = opts;
    this.opts = rest;
    this.host = opts.host;
    this.port = opts.port;
    this.decoder = new FrameDecoder(opts.maxReplyBytes ?? DEFAULT_MAX_FRAME);
  }

  async send(request: string, timeout: number): Promise<string> {
    return decryptBytes(await this.request(encrypt(request), timeout)).toString('utf8');
  }

  /** Ends the connection (and one being opened); a pending or later request fails with `closed`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new ClientClosedError(this.host, this.port);
    this.connecting?.(err);
    this.destroy(err);
  }

  /** Sends one encrypted payload (no header) and resolves with the reply payload (no header). */
  async request(payload: Buffer, replyTimeout: number): Promise<Buffer> {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
    const reused = this.socket !== null;
    try {
      return await this.attempt(payload, replyTimeout);
    } catch (err) {
      // A kept-open socket may have been closed by the device since the last reply
      // (idle timeout, reboot). If it failed before any reply byte, try once fresh.
      if (reused && err instanceof StaleSocketError && !this.closed) {
        this.stats.retries++;
        return await this.attempt(payload, replyTimeout); // await: `finally` must run after the retry
      }
      throw err instanceof StaleSocketError ? err.real : err;
    } finally {
      // Once the device has shown it closes after each reply, stop offering it a
      // socket it is about to close: that would only cost a failed write and a retry.
      if (this.opts.reuse === false || this.closesAfterReply) {
        this.destroy();
        // Firmware can be updated and a plug replaced at the same address: now and then
        // offer a kept-open socket again, which costs at most one retried request.
        if (this.closesAfterReply && ++this.freshSinceLearned >= RELEARN_AFTER) this.closesAfterReply = false;
      }
    }
  }

  /** Ends the connection; a pending request fails. */
  destroy(err?: Error): void {
    const s = this.socket;
    this.socket = null;
    this.decoder.reset();
    if (s) {
      s.removeAllListeners('data');
      s.destroy();
    }
    if (err) this.finish(err);
  }

  private async attempt(payload: Buffer, replyTimeout: number): Promise<Buffer> {
    if (this.socket !== null) {
      // A device that closes after each reply often sends its FIN with the reply;
      // one turn of the event loop lets us see it before writing into a dying socket.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.closed) throw new ClientClosedError(this.host, this.port);
    const wasReused = this.socket !== null;
    const socket = this.socket ?? (await this.connect());
    this.replyBytes = 0;
    return new Promise<Buffer>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      this.pending = (err, reply) => {
        this.pending = null;
        if (timer) clearTimeout(timer);
        if (err) reject(wasReused && this.replyBytes === 0 && isStale(err) ? new StaleSocketError(err) : err);
        else resolve(reply as Buffer);
      };
      timer = setTimeout(() => {
        this.destroy(new TimeoutError(this.opts.host, this.opts.port, replyTimeout));
      }, replyTimeout);
      socket.write(frame(payload));
    });
  }

  /** Learned from the device: it ends the connection after every reply. */
  private closesAfterReply = false;
  private freshSinceLearned = 0;

  private learnClosesAfterReply(): void {
    this.closesAfterReply = true;
    this.freshSinceLearned = 0;
  }

  /** Bytes received for the request in flight (a stale socket has received none). */
  private replyBytes = 0;

  /** Replies read on the current socket: an end after several is an idle close or a reboot. */
  private repliesOnSocket = 0;

  private connect(): Promise<net.Socket> {
    const { host, port, connectTimeout } = this.opts;
    return new Promise<net.Socket>((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      socket.setNoDelay(true);
      let connected = false;
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.connecting = null;
        socket.destroy();
        reject(err);
      };
      // close() while the connection is being opened: nothing may be sent on it.
      this.connecting = fail;
      const timer = setTimeout(() => fail(new TimeoutError(host, port, connectTimeout, 'connection')), connectTimeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.connecting = null;
        connected = true;
        this.stats.connects++;
        this.socket = socket;
        this.repliesOnSocket = 0;
        this.decoder.reset();
        resolve(socket);
      });
      socket.on('data', (chunk) => this.onData(socket, chunk));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected) {
          fail(mapConnectError(host, port, err));
          return;
        }
        this.onClosed(socket, mapSocketError(this.decoder.pending, err));
      });
      // Firmware that closes after each reply: forget the socket at once, so the
      // next request opens a fresh one instead of writing into a closing socket.
      socket.on('end', () => {
        if (socket === this.socket && !this.pending) {
          // Only an end right after a socket's first reply is that firmware's habit.
          if (this.repliesOnSocket === 1) this.learnClosesAfterReply();
          this.socket = null;
          socket.destroy();
        }
      });
      socket.on('close', () => {
        // A socket we already let go (fresh-connection mode closes one per request):
        // return before building an error nobody will see.
        if (!connected || socket !== this.socket) return;
        const got = this.decoder.pending;
        this.onClosed(socket, new ProtocolError(
          got > 0
            ? `connection closed by ${host}:${port} in the middle of a reply (${got} bytes received)`
            : `connection closed by ${host}:${port} before a reply`,
        ));
      });
    });
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.replyBytes += chunk.length;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.destroy(err as Error); // oversized length header
      return;
    }
    for (const f of frames) {
      if (this.pending) {
        this.repliesOnSocket++;
        this.finish(null, f);
      } else this.destroy(); // unsolicited bytes: the stream can't be trusted any more
    }
  }

  private onClosed(socket: net.Socket, err: Error): void {
    if (socket !== this.socket) return; // an old socket we already let go
    // Closed after exactly one reply, under the next request's unanswered bytes: the
    // same close-after-reply habit, seen when requests follow each other closely.
    if (this.repliesOnSocket === 1 && this.pending && this.replyBytes === 0) this.learnClosesAfterReply();
    this.socket = null;
    this.decoder.reset();
    socket.destroy();
    this.finish(err);
  }

  private finish(err: Error | null, payload?: Buffer): void {
    const p = this.pending;
    if (p) p(err, payload);
  }
}

/** Marks a failure of a reused socket before any reply byte: worth one retry. */
class StaleSocketError extends Error {
  constructor(readonly real: Error) {
    super(real.message);
  }
}

function isStale(err: Error): boolean {
  return !(err instanceof TimeoutError) && (err instanceof ProtocolError || (err as NodeJS.ErrnoException).code !== undefined);
}

function mapConnectError(host: string, port: number, err: NodeJS.ErrnoException): TplinkError {
  if (err.code === 'ECONNREFUSED') return new ConnectionRefusedError(host, port, err);
  if (err.code && UNREACHABLE_CODES.has(err.code)) return new UnreachableError(host, port, err.code, err);
  return new UnreachableError(host, port, err.message, err);
}

function mapSocketError(received: number, err: NodeJS.ErrnoException): TplinkError {
  const what = err.code === 'ECONNRESET' ? 'connection reset by the device' : `socket error ${err.code ?? err.message}`;
  return new ProtocolError(received > 0 ? `${what} in the middle of a reply (${received} bytes received)` : `${what} before a reply`, err);
}
