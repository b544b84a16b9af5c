// Errors of the AES securePassthrough transport that the shared error module
// does not have yet. SmartAuthError is a stand-in for the 'auth' kind (the lead
// unifies it with the KLAP transport's AuthError); KlapOnlyError tells the
// transport factory to switch this device to KLAP instead of failing.

import { TplinkError, TplinkErrorKind } from '../errors';

/** The device refused every account tried. Never carries the credentials. */
export class SmartAuthError extends TplinkError {
  constructor(readonly host: string, readonly port: number, detail: string) {
    super('auth' as TplinkErrorKind, `login to ${host}:${port} refused: ${detail}`);
    this.name = 'SmartAuthError';
  }
}

/** Error 1003 on the AES handshake or a request: this firmware speaks KLAP only. */
export class KlapOnlyError extends TplinkError {
  readonly klapOnly = true;
  constructor(readonly host: string, readonly port: number) {
    super('protocol', `${host}:${port} answered 1003: its firmware speaks KLAP, not AES securePassthrough`);
    this.name = 'KlapOnlyError';
  }
}
