// Errors of the AES securePassthrough transport that the shared error module
// does not have. A refused login is the shared AuthError (SmartAuthError is its
// old name here); KlapOnlyError tells the SMART transport (./smart.ts) to switch
// this device to KLAP instead of failing.

import { AuthError, TplinkError } from '../errors';

/** The device refused every account tried: the shared AuthError (kind 'auth', reason 'credentials'). */
export { AuthError as SmartAuthError };

/** Error 1003 on the AES handshake or a request: this firmware speaks KLAP only. */
export class KlapOnlyError extends TplinkError {
  readonly klapOnly = true;
  constructor(readonly host: string, readonly port: number) {
    super('protocol', `${host}:${port} answered 1003: its firmware speaks KLAP, not AES securePassthrough`);
    this.name = 'KlapOnlyError';
  }
}
