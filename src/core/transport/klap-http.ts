// One HTTP/1.1 POST of raw bytes to a KLAP device over a kept-open `net`
// socket, with a deadline, a reply-size cap, abort on close, and the socket
// errors mapped to the core's error kinds. Knows nothing of KLAP itself.
// A lean client rather than node:http: per request node:http's agent, request
// and response objects cost more CPU than the whole KLAP exchange
// (docs/performance.md); this does one write and one parse per request.

import * as net from 'net';
import { ClientClosedError, ProtocolError, TimeoutError, TplinkError, UnreachableError } from '../errors';
import { HttpHeaders, HttpReplyParser } from './http1-reply';

export interface HttpReply {
  status: number;
  headers: HttpHeaders;
  body: Buffer;
}

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** Fresh connections made for a close-after-reply device before a kept-open one is offered again. */
const RELEARN_AFTER = 100;

/**
 * A kept-open socket the device had already closed: the request failed before
 * any reply byte, on a reused socket, so the device cannot have read it whole.
 * The one case a caller may send again.
 */
export class StaleSocketError extends Error {
  constructor(readonly real: TplinkError) {
    super(real.message);
  }
}

export interface PostOptions {
  path: string;
  body: Buffer;
  cookie: string | null;
  timeout: number;
  /** words for the timeout message: "handshake reply", "reply" */
  what: string;
}

/** What a connection's socket events go to: the exchange in flight, or nothing while idle. */
interface Exchange {
  data(chunk: Buffer): void;
  end(): void;
  error(err: NodeJS.ErrnoException): void;
}

interface Conn {
  socket: net.Socket;
  /** replies read on it */
  replies: number;
  /** the device ended it (or it failed) */
  gone: boolean;
  exchange: Exchange | null;
}

export class HttpPoster {
  private idle: Conn | null = null;
  private closesAfterReply = false;
  private freshSinceLearned = 0;
  private readonly reuse: boolean;
  private inflight: ((err: Error) => void) | null = null;
  /** callers waiting for the exchange in flight to end */
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  /** the request head's fixed lines, built once */
  private readonly fixedHead: string;
  /**
   * One reply timer for all exchanges, re-armed with refresh() (a new timer per
   * request and its clearTimeout cost more than the rest of the bookkeeping;
   * docs/performance.md). It calls what the exchange in flight armed it with; one
   * firing while idle does nothing. Unref'd: an exchange's socket is ref'd.
   * Native private, like the session: a transport stays JSON-serialisable.
   */
  #timer: NodeJS.Timeout | null = null;
  #timerMs = 0;
  #onTimeout: (() => void) | null = null;
  connects = 0;

  constructor(private readonly host: string, private readonly port: number, private readonly maxReplyBytes: number, reuse: boolean) {
    this.reuse = reuse;
    this.fixedHead = `Host: ${hostHeader(host, port)}\r\nContent-Type: application/octet-stream\r\nConnection: ${reuse ? 'keep-alive' : 'close'}\r\n`;
  }

  /** Fails the request in flight with `closed` and ends the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflight?.(new ClientClosedError(this.host, this.port));
    for (const wake of this.waiting.splice(0)) wake(); // each then rejects with closed
    if (this.idle) this.idle.socket.destroy();
    this.idle = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Calls `fire` in `ms` unless disarmed (onTimeout = null) or re-armed first. */
  private arm(ms: number, fire: () => void): void {
    this.#onTimeout = fire;
    if (this.#timer && this.#timerMs === ms) {
      this.#timer.refresh();
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerMs = ms;
    this.#timer = setTimeout(() => {
      const f = this.#onTimeout;
      this.#onTimeout = null;
      f?.();
    }, ms);
    this.#timer.unref();
  }

  post(o: PostOptions): Promise<HttpReply> {
    // A device that closes after each reply often sends its FIN just after the
    // reply: while a socket has carried one reply only, one turn of the event
    // loop lets that FIN be seen before the socket is reused. After two
    // replies the device is known to keep connections: no wait.
    if (this.idle && this.idle.replies === 1) return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.start(o));
    return this.start(o);
  }

  private start(o: PostOptions): Promise<HttpReply> {
    if (this.closed) return Promise.reject(new ClientClosedError(this.host, this.port));
    // One exchange at a time on the one connection (the client's queue already
    // serialises; this keeps any other caller correct, as maxSockets: 1 did).
    if (this.inflight) return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.start(o));
    let conn = this.idle;
    this.idle = null;
    if (conn && (conn.gone || conn.socket.destroyed || conn.socket.readableEnded)) {
      conn.socket.destroy();
      conn = null;
    }
    if (conn && this.closesAfterReply) {
      // Learned since this socket was parked: don't write into a socket about to close.
      conn.socket.destroy();
      conn = null;
    }
    const reused = conn !== null;
    if (!conn) {
      if (this.closesAfterReply && ++this.freshSinceLearned >= RELEARN_AFTER) this.closesAfterReply = false;
      conn = this.open();
    } else conn.socket.ref();
    return this.exchange(conn, reused, o);
  }

  private open(): Conn {
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const conn: Conn = { socket, replies: 0, gone: false, exchange: null };
    socket.once('connect', () => this.connects++);
    socket.on('data', (chunk: Buffer) => {
      if (conn.exchange) conn.exchange.data(chunk);
      else {
        // Unasked-for bytes on an idle connection: it can't be trusted for the next reply.
        conn.gone = true;
        socket.destroy();
      }
    });
    socket.on('end', () => {
      if (conn.exchange) conn.exchange.end();
      else this.lostIdle(conn);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (conn.exchange) conn.exchange.error(err);
      else this.lostIdle(conn);
    });
    socket.on('close', () => {
      if (conn.exchange) conn.exchange.end();
      else this.lostIdle(conn);
    });
    return conn;
  }

  /**
   * An idle connection ended. Right after its first reply: the device ends
   * every connection after a reply, so stop offering it sockets it is about to
   * close (each would cost a failed write and a retry). Now and then one is
   * offered again: firmware gets updated.
   */
  private lostIdle(conn: Conn): void {
    if (!conn.gone && conn.replies === 1 && this.reuse) {
      this.closesAfterReply = true;
      this.freshSinceLearned = 0;
    }
    conn.gone = true;
    conn.socket.destroy();
    if (this.idle === conn) this.idle = null;
  }

  private exchange(conn: Conn, reused: boolean, o: PostOptions): Promise<HttpReply> {
    const { host, port } = this;
    const { socket } = conn;
    return new Promise<HttpReply>((resolve, reject) => {
      const parser = new HttpReplyParser(this.maxReplyBytes);
      let settled = false;
      const onTimeout = (): void => finish(new TimeoutError(host, port, o.timeout, o.what));
      const finish = (err: Error | null, reply?: HttpReply, keep = false): void => {
        if (settled) return;
        settled = true;
        if (this.#onTimeout === onTimeout) this.#onTimeout = null;
        conn.exchange = null;
        this.inflight = null;
        this.waiting.shift()?.();
        if (err) {
          // A kept-open socket found closed right after its first reply: learn it as an idle end.
          if (err instanceof StaleSocketError && conn.replies === 1) this.lostIdle(conn);
          conn.gone = true;
          socket.destroy();
          reject(err);
          return;
        }
        conn.replies++;
        if (keep && this.reuse && !this.closed && !conn.gone) {
          socket.unref(); // an idle connection doesn't keep the process alive
          this.idle = conn;
        } else {
          conn.gone = true;
          socket.destroy();
        }
        resolve(reply as HttpReply);
      };
      // Failed before any reply byte on a reused socket: the device had closed it.
      const beforeReply = (mapped: TplinkError): Error => (reused && parser.received === 0 ? new StaleSocketError(mapped) : mapped);
      conn.exchange = {
        data: (chunk) => {
          let r;
          try {
            r = parser.push(chunk);
          } catch (err) {
            finish(new ProtocolError(`reply from ${host}:${port} ${(err as Error).message}`));
            return;
          }
          if (r) finish(null, { status: r.status, headers: r.headers, body: r.body }, r.keepAlive && !r.extra);
        },
        end: () => {
          try {
            const r = parser.end();
            finish(null, { status: r.status, headers: r.headers, body: r.body });
          } catch (err) {
            finish(beforeReply(new ProtocolError(`connection closed by ${host}:${port} ${parser.received === 0 ? 'before a reply' : `in the middle of a reply (${parser.received} bytes received)`}`, err)));
          }
        },
        error: (err) => {
          const mapped = mapError(host, port, err, parser.received > 0);
          finish(STALE_CODES.has(String(err.code)) ? beforeReply(mapped) : mapped);
        },
      };
      this.inflight = (err) => finish(err);
      // Bounded: Node fires timers past 2^31-1 ms at once.
      this.arm(Math.min(Math.max(1, o.timeout), 2 ** 31 - 1), onTimeout);
      // Only the session id, never TIMEOUT, and no header at all without one.
      const cookie = o.cookie !== null ? `Cookie: TP_SESSIONID=${o.cookie}\r\n` : '';
      const head = `POST ${o.path} HTTP/1.1\r\n${this.fixedHead}Content-Length: ${o.body.length}\r\n${cookie}\r\n`;
      // One buffer, one write: one segment, one wake-up of the device. Latin-1
      // is one byte a character, so the head's size is its length.
      const bytes = Buffer.allocUnsafe(head.length + o.body.length);
      bytes.write(head, 0, head.length, 'latin1');
      o.body.copy(bytes, head.length);
      socket.write(bytes);
    });
  }
}

function hostHeader(host: string, port: number): string {
  const h = net.isIPv6(host) ? `[${host}]` : host;
  return port === 80 ? h : `${h}:${port}`;
}

function mapError(host: string, port: number, err: NodeJS.ErrnoException, responded: boolean): TplinkError {
  if (err instanceof TplinkError) return err;
  const code = String(err.code ?? '');
  if (code === 'ECONNREFUSED') {
    return new TplinkError('refused', `connection refused by ${host}:${port}: its HTTP port is closed (not a KLAP device, or the port is wrong)`, { cause: err });
  }
  if (UNREACHABLE_CODES.has(code)) return new UnreachableError(host, port, code, err);
  return new ProtocolError(
    responded ? `connection closed by ${host}:${port} in the middle of a reply` : `connection closed by ${host}:${port} before a reply (${code || err.message})`,
    err,
  );
}
