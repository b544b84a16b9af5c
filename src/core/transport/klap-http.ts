// One HTTP POST of raw bytes to a KLAP device on a keep-alive agent, with a
// deadline, a reply-size cap, abort on close, and the socket errors mapped to
// the core's error kinds. Knows nothing of KLAP itself.

import * as http from 'http';
import { ClientClosedError, ProtocolError, TimeoutError, TplinkError, UnreachableError } from '../errors';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
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

export class HttpPoster {
  private readonly agent: http.Agent;
  /** for devices that end the connection after every reply: one connection per request */
  private readonly oneShot = new http.Agent({ keepAlive: false, maxSockets: 1 });
  private closesAfterReply = false;
  private freshSinceLearned = 0;
  private readonly reuse: boolean;
  private readonly inflight = new Set<(err: Error) => void>();
  private closed = false;
  connects = 0;

  constructor(private readonly host: string, private readonly port: number, private readonly maxReplyBytes: number, reuse: boolean) {
    this.reuse = reuse;
    this.agent = new http.Agent({ keepAlive: reuse, maxSockets: 1 });
  }

  /** Fails every request in flight with `closed` and ends the sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const abort of [...this.inflight]) abort(new ClientClosedError(this.host, this.port));
    this.agent.destroy();
    this.oneShot.destroy();
  }

  /**
   * The device ended a kept-open socket right after its first reply: it closes
   * after every reply, so stop offering it sockets it is about to close (each
   * would cost a failed write and a retry). Now and then offer one again:
   * firmware gets updated.
   */
  private watchSocket(socket: import('net').Socket): void {
    const replies = (this.replies.get(socket) ?? 0) + 1;
    this.replies.set(socket, replies);
    if (replies !== 1) return;
    socket.once('end', () => {
      if ((this.replies.get(socket) ?? 0) === 1) {
        this.closesAfterReply = true;
        this.freshSinceLearned = 0;
      }
    });
  }

  private readonly replies = new WeakMap<object, number>();

  private pickAgent(): http.Agent {
    if (!this.reuse || !this.closesAfterReply) return this.agent;
    if (++this.freshSinceLearned >= RELEARN_AFTER) this.closesAfterReply = false;
    return this.oneShot;
  }

  async post(o: PostOptions): Promise<HttpReply> {
    // A device that closes after each reply often sends its FIN just after the
    // reply; one turn of the event loop lets the agent see it before reusing the socket.
    if (this.reuse && !this.closesAfterReply) await new Promise<void>((resolve) => setImmediate(resolve));
    const { host, port } = this;
    if (this.closed) throw new ClientClosedError(host, port);
    const agent = this.pickAgent();
    return new Promise<HttpReply>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream', 'Content-Length': o.body.length };
      // Only the session id, never TIMEOUT, and no header at all without one.
      if (o.cookie !== null) headers.Cookie = `TP_SESSIONID=${o.cookie}`;
      const req = http.request({ host, port, method: 'POST', path: o.path, agent, headers });
      let settled = false;
      let responded = false;
      const finish = (err: Error | null, reply?: HttpReply): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(abort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(reply as HttpReply);
      };
      const abort = (err: Error): void => finish(err);
      this.inflight.add(abort);
      // Bounded: Node fires timers past 2^31-1 ms at once.
      const timer = setTimeout(() => finish(new TimeoutError(host, port, o.timeout, o.what)), Math.min(Math.max(1, o.timeout), 2 ** 31 - 1));
      req.on('socket', (socket) => {
        if (socket.connecting) socket.once('connect', () => this.connects++);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const mapped = mapError(host, port, err, responded);
        finish(req.reusedSocket && !responded && STALE_CODES.has(String(err.code)) ? new StaleSocketError(mapped) : mapped);
      });
      req.on('response', (res) => {
        responded = true;
        if (agent === this.agent && this.reuse) this.watchSocket(res.socket);
        const declared = Number(res.headers['content-length']);
        if (declared > this.maxReplyBytes) {
          finish(tooBig(host, port, this.maxReplyBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxReplyBytes) finish(tooBig(host, port, this.maxReplyBytes));
          else chunks.push(c);
        });
        res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('aborted', () => finish(new ProtocolError(`connection closed by ${host}:${port} in the middle of a reply (${size} bytes received)`)));
        res.on('error', (err) => finish(mapError(host, port, err as NodeJS.ErrnoException, true)));
      });
      req.end(o.body);
    });
  }
}

function tooBig(host: string, port: number, max: number): ProtocolError {
  return new ProtocolError(`reply from ${host}:${port} is larger than ${max} bytes`);
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
