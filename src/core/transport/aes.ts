// AES "securePassthrough" transport (Tapo and SMART Kasa plugs on older
// firmware): HTTP POST /app on a keep-alive agent. A session is an RSA-1024
// handshake (the device hands us an AES key and IV), then login_device for a
// token; every request is then AES-CBC inside {"method":"securePassthrough"}.
//
// Resending rules (nothing is sent twice unless the device surely did not act):
//   9999, HTTP 401/403   session gone, the device refused the request: new
//                        session, resend once
//   1002, 1112, -1001    resent once only when the request only reads
//   -1501 on login       new handshake, then the default test account
//   1003                 KlapOnlyError: the factory switches the device to KLAP
//   timeout              never resent

import * as http from 'http';
import { AuthError, ClientClosedError, ProtocolError, TplinkError, describe } from '../errors';
import { SmartDeviceError, SMART_RETRYABLE_CODES } from '../smart/error-codes';
import { isReadOnlyRequest } from '../smart/envelope';
import { Credentials, Transport, TransportOptions, TransportStats } from './transport';
import { AesKey, aesDecryptBase64, aesEncryptBase64, generateRsaKeyPair, loginParams, rsaDecryptPkcs1v15, splitAesKey } from './aes-crypto';
import { HttpReply, PostHandle, StaleSocketError, httpPost } from './aes-http';
import { KlapOnlyError } from './aes-errors';

export interface AesTransportOptions extends TransportOptions {
  /** login_device version: 2 sends `password2` (discovery's `lv: 2`). Default 1. */
  loginVersion?: 1 | 2;
  /** Clock for session expiry (tests move it forward). Default Date.now. */
  now?: () => number;
}

/** The account devices fall back to (documented by TP-Link's own apps' behaviour). */
const FALLBACK_USER = 'test@tp-link.net';
const FALLBACK_PASS = 'test';
/** Session life when the device sends no TIMEOUT, seconds. */
const DEFAULT_TIMEOUT_S = 86_400;
/** Renew this long before the device's TIMEOUT runs out (at most half the life). */
const RENEW_EARLY_S = 20 * 60;

const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json', requestByApp: 'true' };

interface Session {
  aes: AesKey;
  cookie: string;
  token: string;
  renewAt: number;
}

/** The device ended the session (9999, 401, 403): it did not act on the request. */
class SessionGone extends Error {}

export class AesTransport implements Transport {
  readonly name = 'aes';
  readonly host: string;
  readonly port: number;
  readonly stats: TransportStats = { connects: 0, retries: 0, handshakes: 0 };
  private readonly agent: http.Agent;
  private readonly now: () => number;
  private session: Session | null = null;
  private closed = false;
  private inFlight: PostHandle | null = null;
  /** Which account logged in last: tried first next time. */
  private useFallbackFirst = false;

  constructor(private readonly opts: AesTransportOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.now = opts.now ?? Date.now;
    this.agent = new http.Agent({ keepAlive: opts.reuse !== false, maxSockets: 1 });
  }

  async send(request: string, timeout: number): Promise<string> {
    this.checkOpen();
    await this.ensureSession();
    try {
      return await this.exchange(request, timeout);
    } catch (err) {
      if (err instanceof SessionGone) {
        this.stats.retries++;
        this.session = null;
        await this.ensureSession();
        try {
          return await this.exchange(request, timeout);
        } catch (again) {
          if (again instanceof SessionGone) {
            this.session = null;
            throw new ProtocolError(`${this.host}:${this.port} ended the session again right after a new handshake`);
          }
          throw again;
        }
      }
      if (err instanceof SmartDeviceError && err.method === 'securePassthrough' && SMART_RETRYABLE_CODES.has(err.code) && isReadOnlyRequest(request)) {
        this.stats.retries++;
        return await this.exchange(request, timeout);
      }
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session = null;
    this.inFlight?.abort(new ClientClosedError(this.host, this.port));
    this.agent.destroy();
  }

  private checkOpen(): void {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
  }

  /** One request on the current session; the inner reply text. */
  private async exchange(request: string, timeout: number): Promise<string> {
    const s = this.session as Session;
    const inner = await this.passthrough(s, request, `/app?token=${encodeURIComponent(s.token)}`, timeout, 'reply');
    // The session can also end inside the envelope; the request was not run.
    if (innerCode(inner) === 9999) throw new SessionGone();
    return inner;
  }

  private async ensureSession(): Promise<void> {
    if (this.session && this.now() < this.session.renewAt) return;
    this.session = null;
    const accounts = this.accounts();
    for (let i = 0; i < accounts.length; i++) {
      const s = await this.handshake();
      const token = await this.login(s, accounts[i]);
      this.checkOpen();
      if (token !== null) {
        this.useFallbackFirst = accounts[i].fallback;
        this.session = { ...s, token };
        this.stats.handshakes = (this.stats.handshakes ?? 0) + 1;
        return;
      }
    }
    throw new AuthError(this.host, this.port, 'credentials', accounts.length > 1
      ? 'e-mail or password wrong (both are case sensitive; use the TP-Link / Tapo app account); the default test account was refused too'
      : 'the default test account was refused; enter the TP-Link / Tapo app account (e-mail and password, both case sensitive)');
  }

  private accounts(): Array<{ creds: Credentials; fallback: boolean }> {
    const fallback = { creds: { username: FALLBACK_USER, password: FALLBACK_PASS }, fallback: true };
    const c = this.opts.credentials;
    if (!c || (c.username === FALLBACK_USER && c.password === FALLBACK_PASS)) return [fallback];
    const mine = { creds: c, fallback: false };
    return this.useFallbackFirst ? [fallback, mine] : [mine, fallback];
  }

  /** RSA handshake: the session's AES key and cookie. 1002/1112/-1001 retried once (nothing applied yet). */
  private async handshake(retried = false): Promise<Omit<Session, 'token'>> {
    const keys = await generateRsaKeyPair();
    this.checkOpen();
    const body = JSON.stringify({ method: 'handshake', params: { key: keys.publicPem } });
    const reply = await this.post('/app', body, null, this.opts.connectTimeout, 'handshake');
    const outer = this.outer(reply, 'handshake');
    const code = outer.error_code as number;
    if (code === 1003) throw new KlapOnlyError(this.host, this.port);
    if (code !== 0) {
      if (!retried && SMART_RETRYABLE_CODES.has(code)) {
        this.stats.retries++;
        return this.handshake(true);
      }
      throw new SmartDeviceError('handshake', code);
    }
    const result = outer.result as Record<string, unknown> | undefined;
    const key = result && typeof result === 'object' ? result.key : undefined;
    if (typeof key !== 'string' || key.length > 1024) throw new ProtocolError(`handshake reply from ${this.host}:${this.port} has key ${describe(key)}, expected base64 text`);
    const aes = splitAesKey(rsaDecryptPkcs1v15(keys.privateKey, Buffer.from(key, 'base64')));
    const { cookie, timeoutS } = sessionCookie(reply.headers['set-cookie']);
    if (!cookie) throw new ProtocolError(`handshake reply from ${this.host}:${this.port} sets no session cookie`);
    const life = timeoutS * 1000;
    return { aes, cookie, renewAt: this.now() + life - Math.min(RENEW_EARLY_S * 1000, life / 2) };
  }

  /** login_device: the token, or null when the device refused the account (-1501). */
  private async login(s: Omit<Session, 'token'>, account: { creds: Credentials }, retried = false): Promise<string | null> {
    const req = JSON.stringify({
      method: 'login_device',
      params: loginParams(account.creds.username, account.creds.password, this.opts.loginVersion ?? 1),
      request_time_milis: Date.now(),
    });
    let inner: string;
    try {
      inner = await this.passthrough(s, req, '/app', this.opts.connectTimeout, 'login reply');
    } catch (err) {
      if (err instanceof SessionGone) throw new ProtocolError(`${this.host}:${this.port} ended the session during login`);
      if (!retried && err instanceof SmartDeviceError && SMART_RETRYABLE_CODES.has(err.code)) {
        this.stats.retries++;
        return this.login(s, account, true);
      }
      throw err;
    }
    const code = innerCode(inner);
    if (code === -1501 || code === 1111) return null;
    if (code === 1003) throw new KlapOnlyError(this.host, this.port);
    if (code !== 0) {
      if (!retried && SMART_RETRYABLE_CODES.has(code as number)) {
        this.stats.retries++;
        return this.login(s, account, true);
      }
      throw new SmartDeviceError('login_device', code as number);
    }
    const token = (JSON.parse(inner) as { result?: { token?: unknown } }).result?.token;
    if (typeof token !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(token)) throw new ProtocolError(`login reply from ${this.host}:${this.port} has token ${describe(token)}`);
    return token;
  }

  /** securePassthrough round trip: encrypts, posts, checks the outer code, decrypts. */
  private async passthrough(s: { aes: AesKey; cookie: string }, plaintext: string, path: string, timeout: number, what: string): Promise<string> {
    const body = JSON.stringify({ method: 'securePassthrough', params: { request: aesEncryptBase64(s.aes, plaintext) } });
    const reply = await this.post(path, body, s.cookie, timeout, what);
    if (reply.status === 401 || reply.status === 403) throw new SessionGone();
    const outer = this.outer(reply, 'securePassthrough');
    const code = outer.error_code as number;
    if (code === 9999) throw new SessionGone();
    if (code === 1003) throw new KlapOnlyError(this.host, this.port);
    if (code !== 0) throw new SmartDeviceError('securePassthrough', code);
    const result = outer.result as Record<string, unknown> | undefined;
    const response = result && typeof result === 'object' ? result.response : undefined;
    if (typeof response !== 'string') throw new ProtocolError(`reply from ${this.host}:${this.port} has response ${describe(response)}, expected base64 text`);
    return aesDecryptBase64(s.aes, response);
  }

  /** Parses an outer (unencrypted) reply: HTTP 200 and a JSON object with an integer error_code. */
  private outer(reply: HttpReply, method: string): Record<string, unknown> {
    if (reply.status !== 200) throw new ProtocolError(`${this.host}:${this.port} answered HTTP ${reply.status} to ${method}`);
    let obj: unknown;
    try {
      obj = JSON.parse(reply.body.toString('utf8'));
    } catch (err) {
      throw new ProtocolError(`${method} reply from ${this.host}:${this.port} is not JSON`, err);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ProtocolError(`${method} reply from ${this.host}:${this.port} is ${describe(obj)}, expected an object`);
    const code = (obj as Record<string, unknown>).error_code;
    if (typeof code !== 'number' || !Number.isInteger(code)) throw new ProtocolError(`${method} reply from ${this.host}:${this.port} has no integer error_code`);
    return obj as Record<string, unknown>;
  }

  /** POST with one resend when a kept-open socket turned out closed before the device read anything. */
  private async post(path: string, body: string, cookie: string | null, timeout: number, what: string): Promise<HttpReply> {
    const headers: Record<string, string> = { ...HEADERS };
    if (cookie) headers.Cookie = cookie;
    const o = { host: this.host, port: this.port, path, headers, body: Buffer.from(body, 'utf8'), timeout, what, maxBytes: this.opts.maxReplyBytes * 2 + 4096 };
    const once = async (): Promise<HttpReply> => {
      this.checkOpen();
      const h = httpPost(this.agent, o, () => this.stats.connects++);
      this.inFlight = h;
      try {
        return await h.promise;
      } finally {
        if (this.inFlight === h) this.inFlight = null;
      }
    };
    try {
      return await once();
    } catch (err) {
      if (!(err instanceof StaleSocketError)) throw err;
      this.stats.retries++;
      try {
        return await once();
      } catch (again) {
        throw again instanceof StaleSocketError ? again.real : again;
      }
    }
  }
}

/** error_code of an inner reply text; a non-JSON or code-less text is a protocol error. */
function innerCode(text: string): number {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('decrypted reply is not JSON', err);
  }
  const code = obj && typeof obj === 'object' ? (obj as Record<string, unknown>).error_code : undefined;
  if (typeof code !== 'number' || !Number.isInteger(code)) throw new ProtocolError('decrypted reply has no integer error_code');
  return code;
}

/**
 * The session cookie to send back ("TP_SESSIONID=…", or "SESSIONID=…" on some
 * firmware; never TIMEOUT) and the session life in seconds from TIMEOUT.
 */
export function sessionCookie(setCookie: string[] | undefined): { cookie: string | null; timeoutS: number } {
  let cookie: string | null = null;
  let timeoutS = DEFAULT_TIMEOUT_S;
  for (const header of setCookie ?? []) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if ((name === 'TP_SESSIONID' || name === 'SESSIONID') && cookie === null && /^[\x21-\x3a\x3c-\x7e]{1,256}$/.test(value)) cookie = `${name}=${value}`;
      else if (name.toUpperCase() === 'TIMEOUT' && /^\d{1,9}$/.test(value) && Number(value) > 0) timeoutS = Number(value);
    }
  }
  return { cookie, timeoutS };
}

/** True for the error AesTransport raises when the device wants KLAP (lets callers switch). */
export function isKlapOnly(err: unknown): boolean {
  return err instanceof TplinkError && (err as { klapOnly?: unknown }).klapOnly === true;
}
