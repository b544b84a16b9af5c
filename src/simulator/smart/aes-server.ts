// AesSmartServer: a SmartDevice behind the AES "securePassthrough" firmware's
// HTTP API on 127.0.0.1: POST /app handshake (real RSA: the AES key and IV go
// back encrypted with the client's public key, PKCS#1 v1.5), login_device
// (v1 `password` or v2 `password2`), then AES-128-CBC requests with the token.

import * as crypto from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { AesKey, aesDecryptBase64, aesEncryptBase64, loginParams, rsaEncryptPkcs1v15 } from '../../core/transport/aes-crypto';
import { assertAllowedHost, closeServer, listenTcp, normalizeHost } from '../net-util';
import { SmartDevice, SmartDeviceOptions } from './device';
import { AesFault, AesFaultPlan } from './aes-faults';

export interface AesServerOptions extends SmartDeviceOptions {
  host?: string;
  port?: number;
  allowLan?: boolean;
  /** The account the device is bound to. Default: the unbound test@tp-link.net / test. */
  username?: string;
  password?: string;
  /** login_device version the firmware checks: 2 wants `password2`. Default 1. */
  loginVersion?: 1 | 2;
  /** TIMEOUT cookie, seconds. Default 1440 (what P100 firmware sends). */
  sessionTimeout?: number;
  /** Session cookie name. Default TP_SESSIONID. */
  cookieName?: 'TP_SESSIONID' | 'SESSIONID';
  /** Serve an existing device model (e.g. shared with a KLAP server). */
  device?: SmartDevice;
}

interface Session {
  id: string;
  aes: AesKey;
  token: string | null;
  expires: number;
  served: number;
}

const MAX_BODY = 64 * 1024;

export class AesSmartServer {
  readonly host: string;
  readonly device: SmartDevice;
  readonly stats = { handshakes: 0, logins: 0, loginFailures: 0, requests: 0, connections: 0 };
  private readonly opts: AesServerOptions;
  private readonly sessions = new Map<string, Session>();
  private readonly faults = new AesFaultPlan();
  private readonly sockets = new Set<net.Socket>();
  private server: http.Server | null = null;
  private _port: number;

  constructor(opts: AesServerOptions) {
    this.host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(this.host, opts.allowLan);
    this.opts = opts;
    this.device = opts.device ?? new SmartDevice(opts);
    this._port = opts.port ?? 0;
  }

  static async start(opts: AesServerOptions): Promise<AesSmartServer> {
    const s = new AesSmartServer(opts);
    await s.listen();
    return s;
  }

  get port(): number {
    return this._port;
  }

  setFault(f: AesFault | null): void {
    this.faults.set(f);
  }

  /** Closes every open connection (an idle keep-alive socket the device drops). */
  dropConnections(): void {
    for (const sock of this.sockets) sock.destroy();
  }

  /** Forgets every session (as a reboot does). */
  dropSessions(): void {
    this.sessions.clear();
  }

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      this.stats.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this._port = await listenTcp(server as unknown as net.Server, this.host, this._port);
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await closeServer(s as unknown as net.Server);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST' || !/^\/app(\?|$)/.test(req.url ?? '')) {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    // The firmware answers 500 to a body without an explicit length.
    if (req.headers['content-length'] === undefined) {
      res.writeHead(500).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      this.answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    let msg: { method?: unknown; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(body);
    } catch {
      return this.json(res, { error_code: -1003 });
    }
    if (!msg || typeof msg !== 'object') return this.json(res, { error_code: -1003 });
    if (msg.method === 'handshake') return this.handshake(res, msg.params);
    if (msg.method === 'securePassthrough') return this.passthrough(req, res, msg.params);
    return this.json(res, { error_code: -1002 });
  }

  /** Common faults; true when one answered instead of the device. */
  private wireFault(res: http.ServerResponse, f: AesFault | null): boolean {
    if (!f) return false;
    switch (f.type) {
      case 'stall':
        return true; // never answered; stop() destroys the socket
      case 'garbage':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(crypto.randomBytes(200));
        return true;
      case 'huge': {
        const n = f.bytes ?? 4 * 1024 * 1024;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(n) });
        res.end(Buffer.alloc(n, 0x61));
        return true;
      }
      case 'http-500':
        res.writeHead(500).end();
        return true;
      case 'klap-only':
        this.json(res, { error_code: 1003 });
        return true;
      default:
        return false;
    }
  }

  private handshake(res: http.ServerResponse, params: Record<string, unknown> | undefined): void {
    const f = this.faults.take('handshake');
    if (this.wireFault(res, f)) return;
    const pem = params && typeof params === 'object' ? params.key : undefined;
    let material = crypto.randomBytes(32);
    let encrypted: Buffer;
    try {
      if (typeof pem !== 'string') throw new Error('no key');
      const pub = crypto.createPublicKey(pem);
      if (pub.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
      if (f?.type === 'bad-padding') {
        // 00 01 … instead of 00 02 …: a block no PKCS#1 v1.5 decryption may accept.
        const k = ((pub.asymmetricKeyDetails?.modulusLength ?? 1024) + 7) >> 3;
        const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - 35, 0xff), Buffer.from([0]), material]);
        encrypted = crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_NO_PADDING }, em);
      } else {
        encrypted = rsaEncryptPkcs1v15(pem, material);
      }
    } catch {
      return this.json(res, { error_code: -1010 });
    }
    const id = crypto.randomBytes(16).toString('hex').toUpperCase();
    const life = this.opts.sessionTimeout ?? 1440;
    this.sessions.set(id, { id, aes: { key: material.subarray(0, 16), iv: material.subarray(16, 32) }, token: null, expires: this.device.clock.now() + life * 1000, served: 0 });
    material = Buffer.alloc(0);
    this.stats.handshakes++;
    const cookie = `${this.opts.cookieName ?? 'TP_SESSIONID'}=${id};TIMEOUT=${life}`;
    this.json(res, { error_code: 0, result: { key: encrypted.toString('base64') } }, { 'Set-Cookie': cookie });
  }

  private session(req: http.IncomingMessage): Session | null {
    const name = this.opts.cookieName ?? 'TP_SESSIONID';
    const m = new RegExp(`(?:^|;\\s*)${name}=([0-9A-F]+)`).exec(String(req.headers.cookie ?? ''));
    const s = m ? this.sessions.get(m[1]) : undefined;
    if (!s) return null;
    if (this.device.clock.now() >= s.expires) {
      this.sessions.delete(s.id);
      return null;
    }
    return s;
  }

  private passthrough(req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, unknown> | undefined): void {
    const s = this.session(req);
    const loggedIn = s !== null && s.token !== null;
    const f = this.faults.take(loggedIn ? 'request' : 'login', (x) => x.type !== 'forbidden-after' || (s !== null && s.served >= x.requests));
    if (this.wireFault(res, f)) return;
    if (!s) return this.json(res, { error_code: 9999 });
    const request = params && typeof params === 'object' ? params.request : undefined;
    let inner: string;
    try {
      if (typeof request !== 'string') throw new Error('no request');
      inner = aesDecryptBase64(s.aes, request);
    } catch {
      return this.json(res, { error_code: -1005 });
    }
    if (!loggedIn) return this.reply(res, s, this.login(s, inner, f));
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    if (token !== s.token) return this.json(res, { error_code: 9999 });
    if (f?.type === 'forbidden-after') {
      this.sessions.delete(s.id);
      res.writeHead(403).end();
      return;
    }
    if (f?.type === 'session-timeout') {
      this.sessions.delete(s.id);
      return this.json(res, { error_code: 9999 });
    }
    if (f?.type === 'err-code') return this.json(res, { error_code: f.code });
    s.served++;
    this.stats.requests++;
    const out = this.device.handleSmartRequest(inner);
    if (f?.type === 'non-json-inner') return this.reply(res, s, '<html>busy</html>');
    if (f?.type === 'bad-cipher') return this.json(res, { error_code: 0, result: { response: crypto.randomBytes(48).toString('base64') } });
    this.reply(res, s, out);
  }

  /** login_device on a fresh session: sets the token, or -1501. */
  private login(s: Session, inner: string, f: AesFault | null): string {
    let msg: { method?: unknown; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(inner);
    } catch {
      return JSON.stringify({ error_code: -1003 });
    }
    if (!msg || msg.method !== 'login_device') return JSON.stringify({ error_code: 9999 });
    if (f?.type === 'login-code') return JSON.stringify({ error_code: f.code });
    const v = this.opts.loginVersion ?? 1;
    const want = loginParams(this.opts.username ?? 'test@tp-link.net', this.opts.password ?? 'test', v);
    const p = msg.params ?? {};
    const field = v === 2 ? 'password2' : 'password';
    if (p.username !== want.username || p[field] !== want[field]) {
      this.stats.loginFailures++;
      return JSON.stringify({ error_code: -1501 });
    }
    s.token = crypto.randomBytes(16).toString('hex').toUpperCase();
    this.stats.logins++;
    return JSON.stringify({ error_code: 0, result: { token: s.token } });
  }

  private reply(res: http.ServerResponse, s: Session, innerText: string): void {
    this.json(res, { error_code: 0, result: { response: aesEncryptBase64(s.aes, innerText) } });
  }

  private json(res: http.ServerResponse, obj: unknown, headers: Record<string, string> = {}): void {
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(body.length), ...headers });
    res.end(body);
  }
}
