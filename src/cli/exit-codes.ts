// Exit statuses of the tplink-smartplug CLI: one per failure kind, so scripts
// can tell "plug is off the network" from "plug said no" without parsing text.

import type { TplinkErrorKind } from '../core/errors';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badJson: 3,
  notAllowed: 4,
  refused: 5,
  unreachable: 6,
  timeout: 7,
  protocol: 8,
  device: 9,
  auth: 10,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** For --help, in exit-code order. */
export const EXIT_HELP: ReadonlyArray<[ExitCode, string]> = [
  [EXIT.ok, 'success'],
  [EXIT.internal, 'unexpected internal error'],
  [EXIT.usage, 'bad arguments (unknown option or command, missing -t, bad value)'],
  [EXIT.badJson, '-j is not valid JSON, not a JSON object, or not a valid request (names, nesting, size)'],
  [EXIT.notAllowed, 'a command that can break the device, without --allow-destructive'],
  [EXIT.refused, 'connection refused (nothing listens on host:port)'],
  [EXIT.unreachable, 'host unreachable / network error'],
  [EXIT.timeout, 'no connection or no reply in time'],
  [EXIT.protocol, 'the reply was broken (bad length, not JSON, wrong shape, reset)'],
  [EXIT.device, 'the device answered with err_code != 0 (the reply is still printed)'],
  [EXIT.auth, 'the device refused the account (wrong e-mail or password; both are case sensitive)\n        or wants "Third-Party Compatibility" switched on in the Kasa or Tapo app'],
];

export function exitCodeOf(kind: TplinkErrorKind): ExitCode {
  switch (kind) {
    case 'refused': return EXIT.refused;
    case 'unreachable': return EXIT.unreachable;
    case 'timeout': return EXIT.timeout;
    case 'protocol': return EXIT.protocol;
    case 'device': return EXIT.device;
    case 'auth': return EXIT.auth;
    case 'invalid-input': return EXIT.usage;
    case 'not-allowed': return EXIT.notAllowed;
    default: return EXIT.internal; // closed / queue-full can't happen for one request
  }
}
