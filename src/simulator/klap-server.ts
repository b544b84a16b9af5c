// A real HTTP server speaking KLAP from the device's side: handshake1 (seed
// and proof, Set-Cookie TP_SESSIONID;TIMEOUT), handshake2 (the client's proof),
// then /app/request?seq=N bodies checked, opened, handed to `handle` as JSON
// text and the answer sealed under the same seq. It carries any dialect: the
// IOT plugs here, the SMART dialect later. Sessions really expire.

import { randomBytes } from 'crypto';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import {
  klapAuthHash, klapClientProof, KlapHashVersion, klapOpen, klapSeal, klapServerProof, klapSessionKeys, KlapSessionKeys,
} from '../core/transport/klap-crypto';
import * as net from 'net';
import { assertAllowedHost, closeServer, listenTcp, normalizeHost } from './net-util';

export type KlapHandler = (plaintextJson: string) => Promise<string> | string;

export type KlapFaultType =
  | 'short-timeout' // handshake1 names a short session life (`seconds`, default 2) and the session really ends then
  | 'forbid-request' // 403 (or `status`: 401) on the next request (the session is dropped, as a device that forgot it)
  | 'forbid-handshake' // 403 on handshake1 (TPAP firmware, or third-party access off)
  | 'wrong-proof' // handshake1 answers a server proof of nothing
  | 'http-500' // the request is handled, then answered 500
  | 'undecryptable' // the request is handled, then answered 200 with a body that does not decrypt
  | 'stall' // the request is handled and never answered; the socket stays open
  | 'close-after-reply'; // every answer (handshakes included) is followed by closing the connection

export interface KlapFault {
  type: KlapFaultType;
  /** apply to this many occasions, then heal; default until cleared */
  times?: number;
  /** for short-timeout */
  seconds?: number;
  /** for forbid-request: 403 (default) or 401 */
  status?: 401 | 403;
}

export const KLAP_FAULT_TYPES: readonly KlapFaultType[] = [
  'short-timeout', 'forbid-request', 'forbid-handshake', 'wrong-proof', 'http-500', 'undecryptable', 'stall', 'close-after-reply',
];

/** Where each fault applies, and so when its `times` counts down. */
const STAGE: Record<KlapFaultType, 'handshake1' | 'request' | 'any'> = {
  'short-timeout': 'handshake1', 'forbid-handshake': 'handshake1', 'wrong-proof': 'handshake1',
  'forbid-request': 'request', 'http-500': 'request', undecryptable: 'request', stall: 'request', 'close-after-reply': 'any',
};

export interface KlapServerOptions {
  handle: KlapHandler;
  /** hash the device proves with */
  hashVersion: KlapHashVersion;
  /** the owner's account; absent or blank = never bound to the cloud (blank account) */
  username?: string;
  password?: string;
  /** session life in seconds named in the cookie (default 86400) */
  sessionTimeout?: number;
  host?: string;
  port?: number;
  allowLan?: boolean;
}

interface ServerSession {
  localSeed: Buffer;
  remoteSeed: Buffer;
  confirmed: boolean;
  keys: KlapSessionKeys;
  /** Date.now() past which the session is gone */
  expiresAt: number;
}

export class KlapServer {
  readonly host: string;
  readonly hashVersion: KlapHashVersion;
  /** what was seen, for tests */
  readonly counts = { handshake1: 0, handshake2: 0, requests: 0, handled: 0, forbidden: 0 };
  /** TCP connections accepted so far, open now, and the most open at once (as PlugSimulator counts them) */
  connectionsOpened = 0;
  activeConnections = 0;
  peakConnections = 0;
  /** the Cookie header of every handshake2 and request, in order (undefined when absent) */
  readonly cookieHeaders: (string | undefined)[] = [];
  sessionTimeout: number;
  private readonly handle: KlapHandler;
  private authHash: Buffer;
  private readonly sessions = new Map<string, ServerSession>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server | null = null;
  private _port: number;
  private fault: KlapFault | null = null;
  private faultLeft = Infinity;

  constructor(opts: KlapServerOptions) {
    this.host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(this.host, opts.allowLan);
    this.hashVersion = opts.hashVersion;
    this.handle = opts.handle;
    this.sessionTimeout = opts.sessionTimeout ?? 86_400;
    this.authHash = klapAuthHash(opts.hashVersion, opts.username ?? '', opts.password ?? '');
    this._port = opts.port ?? 0;
  }

  get port(): number {
    return this._port;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** A new owner account (blank = un-provisioned); open sessions stay valid, like a re-bound plug. */
  setAccount(username: string, password: string): void {
    this.authHash = klapAuthHash(this.hashVersion, username, password);
  }

  /** Sessions the server currently holds (handshake2 done, not expired). */
  get liveSessions(): number {
    const now = Date.now();
    return [...this.sessions.values()].filter((s) => s.confirmed && s.expiresAt > now).length;
  }

  /** Forgets every session (a reboot as the client sees it, minus the downtime). */
  dropSessions(): void {
    this.sessions.clear();
  }

  setFault(f: KlapFault | KlapFaultType | null): void {
    const fault = f === null ? null : typeof f === 'string' ? { type: f } : { ...f };
    if (fault && !KLAP_FAULT_TYPES.includes(fault.type)) throw new Error(`unknown KLAP fault "${String(fault.type)}"`);
    if (fault?.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) throw new Error('times must be a positive integer');
    this.fault = fault;
    this.faultLeft = fault?.times ?? Infinity;
  }

  private take(stage: 'handshake1' | 'request' | 'reply'): KlapFault | null {
    const f = this.fault;
    if (!f) return null;
    const s = STAGE[f.type];
    if (stage === 'reply' ? s !== 'any' : s !== stage) return null;
    if (--this.faultLeft <= 0) this.fault = null;
    return f;
  }

  /**
   * Picks a free port for listen() without listening on it yet (a device whose HTTP
   * port opens later): connections to it are refused until then.
   */
  async reservePort(): Promise<number> {
    if (this.server || this._port !== 0) return this._port;
    const probe = net.createServer();
    this._port = await listenTcp(probe, this.host, 0);
    await closeServer(probe);
    return this._port;
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.serve(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      this.connectionsOpened++;
      this.activeConnections++;
      this.peakConnections = Math.max(this.peakConnections, this.activeConnections);
      let counted = true;
      // Either side ending it stops the count, not the kernel's later 'close'.
      const release = (): void => {
        if (counted) this.activeConnections--;
        counted = false;
      };
      s.on('end', release);
      s.on('finish', release);
      s.on('close', () => {
        this.sockets.delete(s);
        release();
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this._port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this._port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await closeServer(server);
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(); // no device takes more
      else chunks.push(c);
    });
    req.on('end', () => {
      this.route(req, Buffer.concat(chunks)).then(
        (answer) => this.answer(req, res, answer),
        () => this.answer(req, res, { status: 500 }),
      );
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, a: Answer): void {
    if (a.stall) return;
    const closeAfter = this.take('reply') !== null;
    res.statusCode = a.status;
    for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v);
    const body = a.body ?? Buffer.alloc(0);
    res.setHeader('Content-Length', body.length);
    // Like the firmware that does it: no Connection: close announced, the socket is
    // just closed once the reply is out (bytes arriving later are never read).
    res.end(body, () => {
      if (closeAfter) req.socket.destroy();
    });
  }

  private async route(req: http.IncomingMessage, body: Buffer): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://device');
    if (req.method !== 'POST') return { status: 405 };
    switch (url.pathname) {
      case '/app/handshake1':
        return this.handshake1(body);
      case '/app/handshake2':
        this.cookieHeaders.push(req.headers.cookie);
        return this.handshake2(req, body);
      case '/app/request':
        this.cookieHeaders.push(req.headers.cookie);
        return this.request(req, url, body);
      default:
        return { status: 404 };
    }
  }

  private handshake1(localSeed: Buffer): Answer {
    this.counts.handshake1++;
    const fault = this.take('handshake1');
    if (fault?.type === 'forbid-handshake') return { status: 403 };
    if (localSeed.length !== 16) return { status: 400 };
    const remoteSeed = randomBytes(16);
    const proof = fault?.type === 'wrong-proof' ? randomBytes(32) : klapServerProof(this.hashVersion, localSeed, remoteSeed, this.authHash);
    const timeout = fault?.type === 'short-timeout' ? (fault.seconds ?? 2) : this.sessionTimeout;
    const id = randomBytes(16).toString('hex').toUpperCase();
    this.pruneSessions();
    this.sessions.set(id, {
      localSeed, remoteSeed, confirmed: false, keys: klapSessionKeys(localSeed, remoteSeed, this.authHash), expiresAt: Date.now() + timeout * 1000,
    });
    return { status: 200, body: Buffer.concat([remoteSeed, proof]), headers: { 'Set-Cookie': `TP_SESSIONID=${id};TIMEOUT=${timeout}` } };
  }

  private handshake2(req: http.IncomingMessage, body: Buffer): Answer {
    this.counts.handshake2++;
    const s = this.sessionOf(req);
    if (!s) return { status: 403 };
    if (!klapClientProof(this.hashVersion, s.localSeed, s.remoteSeed, this.authHash).equals(body)) return { status: 403 };
    s.confirmed = true;
    return { status: 200 };
  }

  private async request(req: http.IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
    this.counts.requests++;
    const s = this.sessionOf(req);
    if (!s || !s.confirmed) {
      this.counts.forbidden++;
      return { status: 403 };
    }
    const fault = this.take('request');
    if (fault?.type === 'forbid-request') {
      this.counts.forbidden++;
      this.sessions.clear();
      return { status: fault.status === 401 ? 401 : 403 };
    }
    const seqText = url.searchParams.get('seq') ?? '';
    const seq = Number(seqText);
    if (!/^-?\d{1,10}$/.test(seqText) || seq !== (seq | 0)) return { status: 400 };
    let plaintext: string;
    try {
      plaintext = klapOpen(s.keys, seq, body, true).toString('utf8');
    } catch {
      return { status: 400 };
    }
    this.counts.handled++;
    const reply = await this.handle(plaintext);
    if (fault?.type === 'stall') return { status: 0, stall: true };
    if (fault?.type === 'http-500') return { status: 500 };
    if (fault?.type === 'undecryptable') return { status: 200, body: undecryptable(s.keys, seq) };
    return { status: 200, body: klapSeal(s.keys, seq, reply) };
  }

  private sessionOf(req: http.IncomingMessage): ServerSession | null {
    const m = /(?:^|;\s*)TP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '');
    const s = m ? this.sessions.get(m[1]) : undefined;
    if (!s) return null;
    if (s.expiresAt <= Date.now()) {
      this.sessions.delete(m![1]);
      return null;
    }
    return s;
  }

  /** Half-open handshakes of clients that went away must not pile up. */
  private pruneSessions(): void {
    if (this.sessions.size <= 64) return;
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now || !s.confirmed) this.sessions.delete(id);
  }
}

interface Answer {
  status: number;
  body?: Buffer;
  headers?: Record<string, string>;
  stall?: boolean;
}

/** 32 + 32 random bytes that surely fail to open under the session's key at this seq. */
function undecryptable(keys: KlapSessionKeys, seq: number): Buffer {
  for (;;) {
    const b = randomBytes(64);
    try {
      klapOpen(keys, seq, b);
    } catch {
      return b;
    }
  }
}
