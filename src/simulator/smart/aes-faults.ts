// Misbehaviours of the simulated AES firmware. Each applies to the next `times`
// exchanges it concerns (default: until cleared). Unless noted the device does
// NOT run the request (it refused it), which is what lets a client resend.

export type AesFault =
  | { type: 'forbidden-after'; requests: number; times?: number } // HTTP 403 once a session has served N requests; session dropped
  | { type: 'session-timeout'; times?: number } // outer 9999 to a request, session dropped
  | { type: 'klap-only'; times?: number } // 1003 to everything (firmware moved to KLAP)
  | { type: 'err-code'; code: number; times?: number } // outer error_code on a request (not run)
  | { type: 'login-code'; code: number; times?: number } // inner error_code on login_device
  | { type: 'stall'; times?: number } // never answers; the socket stays open
  | { type: 'garbage'; times?: number } // HTTP 200, random bytes
  | { type: 'bad-cipher'; times?: number } // a response that does not decrypt (the request WAS run)
  | { type: 'non-json-inner'; times?: number } // a properly encrypted response that is not JSON (the request WAS run)
  | { type: 'bad-padding'; times?: number } // handshake key with broken RSA padding
  | { type: 'huge'; bytes?: number; times?: number } // a reply body of `bytes` (default 4 MiB)
  | { type: 'http-500'; times?: number };

/** Which exchanges a fault concerns. */
const SCOPE: Record<AesFault['type'], 'any' | 'handshake' | 'login' | 'request'> = {
  'forbidden-after': 'request', 'session-timeout': 'request', 'klap-only': 'any', 'err-code': 'request', 'login-code': 'login',
  stall: 'any', garbage: 'any', 'bad-cipher': 'request', 'non-json-inner': 'request', 'bad-padding': 'handshake', huge: 'any', 'http-500': 'any',
};

export class AesFaultPlan {
  private fault: AesFault | null = null;
  private left = Infinity;

  set(f: AesFault | null): void {
    if (f && !Object.prototype.hasOwnProperty.call(SCOPE, f.type)) throw new Error(`unknown AES fault "${String((f as { type: unknown }).type)}"`);
    this.fault = f ? { ...f } : null;
    this.left = f?.times ?? Infinity;
  }

  /** The fault for this exchange (counting it down), or null. `applies` may veto (e.g. forbidden-after before N). */
  take(kind: 'handshake' | 'login' | 'request', applies: (f: AesFault) => boolean = () => true): AesFault | null {
    const f = this.fault;
    if (!f) return null;
    const scope = SCOPE[f.type];
    if (scope !== 'any' && scope !== kind) return null;
    if (!applies(f)) return null;
    if (--this.left <= 0) this.fault = null;
    return f;
  }
}
