// Typed errors of the protocol core. Each has a stable `kind` so callers
// (nodes, CLI, tests) can branch without parsing messages.

export type TplinkErrorKind =
  | 'refused' // nothing listens on host:port
  | 'unreachable' // no route / host down / DNS failure
  | 'timeout' // no connection, or no (whole) reply, in time
  | 'protocol' // bad length, oversized reply, undecodable or non-JSON reply, reset mid-reply
  | 'device' // the device answered with err_code != 0
  | 'closed' // the client was closed while the request waited
  | 'queue-full' // too many requests waiting for one device
  | 'invalid-input' // a command argument failed validation; nothing was sent
  | 'not-allowed' // a command that can break a device, not explicitly allowed
  | 'auth'; // the device refused the account (KLAP, AES), or third-party access is off

export class TplinkError extends Error {
  readonly kind: TplinkErrorKind;
  constructor(kind: TplinkErrorKind, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'TplinkError';
    this.kind = kind;
    if (options && options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export class ConnectionRefusedError extends TplinkError {
  constructor(readonly host: string, readonly port: number, cause?: unknown) {
    super('refused', `connection refused by ${host}:${port} (is it a TP-Link plug with the local protocol on port ${port}? newer "KLAP" firmware closes it)`, { cause });
    this.name = 'ConnectionRefusedError';
  }
}

export class UnreachableError extends TplinkError {
  constructor(readonly host: string, readonly port: number, detail: string, cause?: unknown) {
    super('unreachable', `${host}:${port} unreachable: ${detail}`, { cause });
    this.name = 'UnreachableError';
  }
}

const CONNECT_HINT = ' (device off or unreachable; plugs with newer "KLAP" firmware do not answer on port 9999)';

export class TimeoutError extends TplinkError {
  constructor(readonly host: string, readonly port: number, readonly ms: number, readonly what = 'reply') {
    super('timeout', `no ${what} from ${host}:${port} within ${ms} ms${what === 'connection' ? CONNECT_HINT : ''}`);
    this.name = 'TimeoutError';
  }
}

export class ProtocolError extends TplinkError {
  constructor(message: string, cause?: unknown) {
    super('protocol', message, { cause });
    this.name = 'ProtocolError';
  }
}

export class DeviceError extends TplinkError {
  constructor(
    readonly module: string,
    readonly method: string,
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super('device', `device error in ${module}.${method}: ${errCode}${errMsg ? ` "${errMsg}"` : ''}`);
    this.name = 'DeviceError';
  }
}

export class ClientClosedError extends TplinkError {
  constructor(host: string, port: number) {
    super('closed', `client for ${host}:${port} was closed`);
    this.name = 'ClientClosedError';
  }
}

export class QueueFullError extends TplinkError {
  constructor(host: string, port: number, readonly limit: number) {
    super('queue-full', `request queue for ${host}:${port} is full (${limit} waiting); request rejected`);
    this.name = 'QueueFullError';
  }
}

/** Why a device refused to open a session. */
export type AuthReason = 'credentials' | 'third-party-off';

/**
 * The device would not open a session. Built from the host and a reason only:
 * no credential ever reaches a message.
 */
export class AuthError extends TplinkError {
  /** `detail`: the transport's own words for a refused account (AES says which accounts it tried). */
  constructor(readonly host: string, readonly port: number, readonly reason: AuthReason, detail?: string) {
    super('auth', reason === 'credentials'
      ? detail !== undefined
        ? `login to ${host}:${port} refused: ${detail}`
        : `${host}:${port} refused the account: wrong e-mail or password (both are case sensitive; it wants the TP-Link cloud account used in the Kasa or Tapo app)`
      : `${host}:${port} refused the handshake (HTTP 403): this firmware needs "Third-Party Compatibility" switched on in the Kasa or Tapo app`);
    this.name = 'AuthError';
  }
}

/** A bad argument: names the field and what was expected. Nothing is sent. */
export class ValidationError extends TplinkError {
  constructor(readonly field: string, readonly expected: string, got?: unknown) {
    super('invalid-input', `invalid ${field}: expected ${expected}${got === undefined ? '' : `, got ${describe(got)}`}`);
    this.name = 'ValidationError';
  }
}

export class NotAllowedError extends TplinkError {
  constructor(readonly command: string) {
    super('not-allowed', `${command} can break the device and is refused unless "allow device-changing commands" is ticked`);
    this.name = 'NotAllowedError';
  }
}

/** Short, safe description of a bad value for error messages (never dumps huge strings). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 40)}… (${value.length} chars)` : value;
    return JSON.stringify(s);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** A feature the device (its dialect or model) lacks: refused before anything is sent. */
export class UnsupportedError extends TplinkError {
  constructor(readonly feature: string, readonly model: string, readonly dialect: string) {
    super('not-allowed', `${feature} is not available on this device (${model}, ${dialect})`);
    this.name = 'UnsupportedError';
  }
}
