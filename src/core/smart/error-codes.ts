// The SMART dialect's error_code values and what they mean in plain words. Codes
// are facts from recorded device replies and public clients; the wording is ours.
// Transport-level codes (handshake, session) come back on the outer AES or KLAP
// reply as well as inside it.

import { TplinkError } from '../errors';

export const SMART_ERROR_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  [-1]: 'the device reported a general failure',
  [-1001]: 'the device reported an unspecified error (it may be busy; try again)',
  [-1002]: 'this device does not know the method',
  [-1003]: 'the device could not parse the request as JSON',
  [-1004]: 'the device could not encode its reply',
  [-1005]: 'the device could not decrypt the request',
  [-1006]: 'the request is too long for the device',
  [-1007]: 'the device could not reach the TP-Link cloud',
  [-1008]: 'the device refused the parameters',
  [-1010]: 'the device refused the public key (bad length)',
  [-1012]: 'the device refused the terminal id',
  [-1101]: 'the device refused the session parameters',
  [-1201]: 'quick setup failed on the device',
  [-1301]: 'the device refused the request (too many requests or a device fault)',
  [-1401]: 'firmware error',
  [-1402]: 'firmware version error',
  [-1501]: 'the device refused the login (e-mail or password wrong; both are case sensitive)',
  [-1601]: 'the device clock is not set',
  [-1602]: 'the device could not set its clock',
  [-1603]: 'the device could not save its clock',
  [-1701]: 'wireless settings error',
  [-1702]: 'wireless setting not supported',
  [-1801]: 'the schedule rule is invalid',
  [-1802]: 'the schedule is full',
  [-1803]: 'the schedule rule conflicts with another rule',
  [-1804]: 'the device could not save the schedule',
  [-1805]: 'no schedule rule at that index',
  [-1901]: 'the countdown rule is invalid',
  [-1902]: 'a countdown is already set (one at most)',
  [-1903]: 'the device could not save the countdown',
  [-2001]: 'the away-mode rule is invalid',
  [-2002]: 'the away-mode rule conflicts with another rule',
  [-2003]: 'the device could not save the away-mode rule',
  [-2101]: 'account error on the device',
  [-2201]: 'the device has no statistics for that period',
  [-2202]: 'the device could not save its statistics',
  [-2301]: 'daylight-saving setting error',
  [-2302]: 'the device could not save the daylight-saving setting',
  1000: 'the device has no transport for the request',
  1001: 'the device cancelled the command',
  1002: 'the device transport is not available (try again)',
  1003: 'this firmware speaks KLAP only, not AES',
  1100: 'the handshake failed',
  1111: 'the login failed',
  1112: 'the device HTTP transport failed (try again)',
  1200: 'a request of the batch failed',
  9999: 'the session timed out',
});

export function smartErrorMeaning(code: number): string {
  return Object.prototype.hasOwnProperty.call(SMART_ERROR_MEANINGS, code) ? SMART_ERROR_MEANINGS[code] : 'unknown error code';
}

/** Codes a client may resend on, when the request cannot have been applied. */
export const SMART_RETRYABLE_CODES: ReadonlySet<number> = new Set([1002, 1112, -1001]);

/** The device answered a SMART request with error_code != 0. */
export class SmartDeviceError extends TplinkError {
  readonly meaning: string;
  constructor(readonly method: string, readonly code: number) {
    const meaning = smartErrorMeaning(code);
    super('device', `device error in ${method}: ${code} (${meaning})`);
    this.name = 'SmartDeviceError';
    this.meaning = meaning;
  }
}
