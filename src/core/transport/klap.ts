// KLAP over HTTP: handshake1/handshake2 open a session (key, iv, signature,
// sequence numbers), then each request is one encrypted POST. Both account hash
// versions and the firmware's default accounts are tried against the one
// handshake1 answer, so a session never costs more than two round trips.
// Wire facts: docs/klap.md.

import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import { AuthError, ClientClosedError, ProtocolError, TplinkError, ValidationError } from '../errors';
import { HttpPoster, HttpReply, StaleSocketError } from './klap-http';
import {
  klapAuthHash, klapClientProof, KlapHashVersion, klapNextSeq, klapOpen, klapSeal, klapServerProof, klapSessionKeys, KlapSessionKeys,
} from './klap-crypto';
import { Credentials, Transport, TransportOptions, TransportStats } from './transport';
import { sendWakeProbe, WAKE_PORT, WAKE_WAIT_MS, WakeProbe } from './klap-wake';

/**
 * Accounts the firmware accepts besides the owner's, in the order tried: the
 * Kasa default (bound devices switch to it now and then), the test account,
 * and blank (never bound to the cloud).
 */
const DEFAULT_ACCOUNTS: readonly Credentials[] = [
  { username: 'kasa@tp-link.net', password: 'kasaSetup' },
  { username: 'test@tp-link.net', password: 'test' },
  { username: '', password: '' },
];

/** Session life when the cookie names none, seconds. */
const DEFAULT_TIMEOUT_S = 86_400;
/** Renew this long before the device forgets the session (or at half-life for short sessions). */
const RENEW_EARLY_MS = 20 * 60_000;

/** One account to try, kept as its two hashes only: no credential text is retained. */
interface Candidate {
  hashes: Record<KlapHashVersion, Buffer>;
  isDefault: boolean;
}

interface Session {
  cookie: string | null;
  keys: KlapSessionKeys;
  seq: number;
  /** performance.now() after which a new handshake is made first */
  renewAt: number;
}

/**
 * handshake1 answered 404: this firmware has no KLAP (AES securePassthrough only).
 * Nothing was delivered, so the SMART transport (./smart.ts) may switch to AES.
 */
export class KlapNotServedError extends ProtocolError {
  readonly klapNotServed = true;
  constructor(readonly host: string, readonly port: number) {
    super(`${host}:${port} answered HTTP 404 to handshake1: this firmware does not speak KLAP`);
    this.name = 'KlapNotServedError';
  }
}

export class KlapTransport implements Transport {
  readonly name = 'klap';
  readonly host: string;
  readonly port: number;
  private readonly http: HttpPoster;
  /** native private: the hashes open sessions, so no inspect, log or JSON of the transport may show them */
  readonly #candidates: Candidate[];
  private readonly connectTimeout: number;
  /** native private too: session keys stay out of inspect and logs */
  #session: Session | null = null;
  private closed = false;
  private _hashVersion: KlapHashVersion | null = null;
  private _defaultAccountMatched: boolean | null = null;
  private readonly counters = { retries: 0, handshakes: 0, wakeProbes: 0 };
  private readonly port20002: number;
  /** the wake probe is sent at most once per transport */
  private wakeTried = false;
  private waking: WakeProbe | null = null;

  constructor(opts: TransportOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.connectTimeout = opts.connectTimeout;
    this.port20002 = opts.port20002 ?? WAKE_PORT;
    if (!Number.isInteger(this.port20002) || this.port20002 < 1 || this.port20002 > 65535) throw new ValidationError('port20002', 'a port number from 1 to 65535', this.port20002);
    this.http = new HttpPoster(opts.host, opts.port, opts.maxReplyBytes, opts.reuse !== false);
    const c = opts.credentials;
    // Names the field only: a credential's value never goes into a message.
    if (c !== undefined && (c === null || typeof c.username !== 'string')) throw new ValidationError('credentials.username', 'a string (the account e-mail, may be empty)');
    if (c !== undefined && typeof c.password !== 'string') throw new ValidationError('credentials.password', 'a string (may be empty)');
    const accounts = c ? [{ account: c, isDefault: false }] : [];
    for (const account of DEFAULT_ACCOUNTS) accounts.push({ account, isDefault: true });
    this.#candidates = accounts.map(({ account, isDefault }) => ({
      hashes: { 1: klapAuthHash(1, account.username, account.password), 2: klapAuthHash(2, account.username, account.password) },
      isDefault,
    }));
  }

  get stats(): TransportStats {
    return { connects: this.http.connects, retries: this.counters.retries, handshakes: this.counters.handshakes };
  }

  /** Wake probes sent (0 or 1), for tests. */
  get wakeProbes(): number {
    return this.counters.wakeProbes;
  }

  /** Hash version the device proved with at the last handshake; null before one. */
  get hashVersion(): KlapHashVersion | null {
    return this._hashVersion;
  }

  /** Whether the last handshake matched a firmware default account rather than the configured one; null before one. */
  get usedDefaultCredentials(): boolean | null {
    return this._defaultAccountMatched;
  }

  close(): void {
    this.closed = true;
    this.#session = null;
    this.waking?.cancel();
    this.http.close();
  }

  async send(request: string, timeout: number): Promise<string> {
    this.checkOpen();
    let session = this.#session && performance.now() < this.#session.renewAt ? this.#session : await this.handshake();
    let reply = await this.exchange(session, request, timeout);
    if (reply.status === 403 || reply.status === 401) {
      // The device has forgotten the session and refused the request unread:
      // a new session and one resend cannot apply it twice.
      this.#session = null;
      this.counters.retries++;
      session = await this.handshake();
      reply = await this.exchange(session, request, timeout);
      if (reply.status === 403 || reply.status === 401) {
        this.#session = null;
        throw new ProtocolError(`${this.host}:${this.port} refused a request (HTTP ${reply.status}) on a session it had just accepted`);
      }
    }
    if (reply.status !== 200) throw new ProtocolError(`${this.host}:${this.port} answered HTTP ${reply.status} to a request`);
    try {
      return klapOpen(session.keys, reply.seq, reply.body).toString('utf8');
    } catch (err) {
      // Keys out of step with the device's: start afresh next time.
      if (this.#session === session) this.#session = null;
      // OpenSSL's own words ("error:1C800064:Provider routines::bad decrypt") mean nothing to a user.
      const why = /^error:/.test((err as Error).message) ? 'bad padding (wrong session key, or a corrupted body)' : (err as Error).message;
      throw new ProtocolError(`reply from ${this.host}:${this.port} does not decrypt: ${why}`, err);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ClientClosedError(this.host, this.port);
  }

  /** One encrypted request; a socket the device had already closed is tried once more, fresh. */
  private async exchange(session: Session, request: string, timeout: number): Promise<HttpReply & { seq: number }> {
    for (let attempt = 0; ; attempt++) {
      session.seq = klapNextSeq(session.seq);
      const seq = session.seq;
      try {
        const reply = await this.http.post({
          path: `/app/request?seq=${seq}`, body: klapSeal(session.keys, seq, request), cookie: session.cookie, timeout, what: 'reply',
        });
        return { status: reply.status, headers: reply.headers, body: reply.body, seq };
      } catch (err) {
        if (err instanceof StaleSocketError && attempt === 0 && !this.closed) {
          this.counters.retries++;
          continue;
        }
        throw err instanceof StaleSocketError ? err.real : err;
      }
    }
  }

  /** POST with one fresh retry on a kept-open socket the device had closed (a handshake is harmless to repeat). */
  private async post(path: string, body: Buffer, cookie: string | null, deadline: number): Promise<HttpReply> {
    for (let attempt = 0; ; attempt++) {
      const timeout = Math.max(1, Math.ceil(deadline - performance.now()));
      try {
        return await this.http.post({ path, body, cookie, timeout, what: 'handshake reply' });
      } catch (err) {
        if (err instanceof StaleSocketError && attempt === 0 && !this.closed) continue;
        throw err instanceof StaleSocketError ? err.real : err;
      }
    }
  }

  private async handshake(): Promise<Session> {
    this.checkOpen();
    this.#session = null;
    const deadline = performance.now() + this.connectTimeout;
    const localSeed = randomBytes(16);
    let h1: HttpReply;
    try {
      h1 = await this.post('/app/handshake1', localSeed, null, deadline);
    } catch (err) {
      // The wait takes at most half of what is left: the retry keeps the rest.
      if (!(await this.wokeAfterRefusal(err, Math.min(WAKE_WAIT_MS, (deadline - performance.now()) / 2)))) throw err;
      h1 = await this.post('/app/handshake1', localSeed, null, deadline);
    }
    if (h1.status === 403) throw new AuthError(this.host, this.port, 'third-party-off');
    if (h1.status === 404) throw new KlapNotServedError(this.host, this.port);
    if (h1.status !== 200) throw new ProtocolError(`${this.host}:${this.port} answered HTTP ${h1.status} to handshake1`);
    if (h1.body.length !== 48) throw new ProtocolError(`handshake1 answer from ${this.host}:${this.port} has ${h1.body.length} bytes, expected 48`);
    const remoteSeed = h1.body.subarray(0, 16);
    const proof = h1.body.subarray(16, 48);
    const cookie = parseCookie(h1.headers['set-cookie'], this.host, this.port);
    const match = this.matchProof(localSeed, remoteSeed, proof);
    // A wrong account still gets 200 with a proof we can't reproduce: stop, send no handshake2.
    if (!match) throw new AuthError(this.host, this.port, 'credentials');
    const { version, candidate } = match;
    const hash = candidate.hashes[version];
    const h2 = await this.post('/app/handshake2', klapClientProof(version, localSeed, remoteSeed, hash), cookie.id, deadline);
    if (h2.status !== 200) throw new ProtocolError(`${this.host}:${this.port} answered HTTP ${h2.status} to handshake2`);
    this.checkOpen();
    const keys = klapSessionKeys(localSeed, remoteSeed, hash);
    const lifeMs = cookie.timeoutS * 1000;
    const session: Session = {
      cookie: cookie.id, keys, seq: keys.seq0, renewAt: performance.now() + lifeMs - Math.min(RENEW_EARLY_MS, lifeMs / 2),
    };
    this.#session = session;
    this._hashVersion = version;
    this._defaultAccountMatched = candidate.isDefault;
    this.counters.handshakes++;
    return session;
  }

  /**
   * The very first handshake found the port closed: some devices open it only after
   * the UDP 20002 probe. Sends it once (to this host only, ./klap-wake.ts), waits
   * for the answer or `waitMs`, and says whether to try again. Nothing was delivered,
   * so trying again cannot apply anything twice.
   */
  private async wokeAfterRefusal(err: unknown, waitMs: number): Promise<boolean> {
    if (!(err instanceof TplinkError) || err.kind !== 'refused' || this.wakeTried || this.counters.handshakes > 0 || this.closed) return false;
    this.wakeTried = true;
    const probe = sendWakeProbe(this.host, this.port20002, Math.max(1, Math.floor(waitMs)));
    this.waking = probe;
    try {
      if (!(await probe.done)) return false; // a name or a broadcast address: no probe, nothing to wait for
    } finally {
      this.waking = null;
    }
    this.counters.wakeProbes++;
    this.checkOpen();
    return true;
  }

  /** The account and hash version whose server proof is the device's: configured first, both versions each. */
  private matchProof(localSeed: Buffer, remoteSeed: Buffer, proof: Buffer): { version: KlapHashVersion; candidate: Candidate } | null {
    for (const candidate of this.#candidates) {
      for (const version of [2, 1] as const) {
        if (klapServerProof(version, localSeed, remoteSeed, candidate.hashes[version]).equals(proof)) return { version, candidate };
      }
    }
    return null;
  }
}

/** TP_SESSIONID and TIMEOUT from handshake1's Set-Cookie ("TP_SESSIONID=<id>;TIMEOUT=86400"). */
export function parseCookie(setCookie: string[] | undefined, host: string, port: number): { id: string | null; timeoutS: number } {
  let id: string | null = null;
  let timeoutS = DEFAULT_TIMEOUT_S;
  for (const line of setCookie ?? []) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim().toUpperCase();
      const value = part.slice(eq + 1).trim();
      if (name === 'TP_SESSIONID') {
        // Sent back in a header: printable, no separators.
        if (!/^[\x21-\x7e]{1,256}$/.test(value) || /[;,"\\]/.test(value)) throw new ProtocolError(`handshake1 answer from ${host}:${port} has an unusable session cookie`);
        id = value;
      } else if (name === 'TIMEOUT') {
        const n = Number(value);
        if (Number.isInteger(n) && n > 0) timeoutS = Math.min(n, DEFAULT_TIMEOUT_S * 30);
      }
    }
  }
  return { id, timeoutS };
}
