// What a command's outputs may hold when its request carries a password
// (netif.set_stainfo, cnCloud.bind). The password is hidden by structure, never by
// searching text for it: the arguments echoed back leave out the secret fields, and
// of the device's answer only err_code (all the protocol defines for these methods)
// is kept, so nothing a device writes beside it (an echo, an err_msg) gets out.
// Commands without a secret are output as the device answered, untouched.

import { DeviceError } from '../errors';
import { Command, isObject, JsonObject } from './command';
import { copyOwn } from './copy';

export function carriesSecret(cmd: Command): boolean {
  return Array.isArray(cmd.secretArgs) && cmd.secretArgs.length > 0;
}

/** The arguments the device got for the command's method, without the secret ones. */
export function publicArgs(cmd: Command): JsonObject {
  const mod = cmd.request[cmd.module];
  const args = isObject(mod) ? mod[cmd.method] : undefined;
  const out = isObject(args) ? copyOwn(args) : {};
  for (const key of cmd.secretArgs ?? []) delete out[key];
  return out;
}

/** The reply as output: whole for ordinary commands; only the err_codes for one that carried a secret. */
export function publicReply(cmd: Command, reply: JsonObject): JsonObject {
  if (!carriesSecret(cmd)) return reply;
  const out: JsonObject = {};
  for (const module of Object.keys(cmd.request)) {
    if (module === 'context') continue;
    const modReply = reply[module];
    const methods = cmd.request[module];
    if (!isObject(modReply) || !isObject(methods)) continue;
    const modOut: JsonObject = errCodeOf(modReply);
    for (const method of Object.keys(methods)) {
      const res = modReply[method];
      if (isObject(res)) modOut[method] = errCodeOf(res);
    }
    out[module] = modOut;
  }
  return out;
}

/** A device's answer to a secret-carrying command: the DeviceError without the device's err_msg. */
export class WithheldDeviceError extends DeviceError {
  constructor(err: DeviceError) {
    super(err.module, err.method, err.errCode, '');
    this.message += ' (err_msg not shown: the request held a password)';
    // The stack's first line was built from the shorter message.
    if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(this, WithheldDeviceError);
  }
}

/**
 * The error as output. Of the errors a request can end in, only DeviceError holds text
 * the device wrote (err_msg); the others name host, port, sizes and the request's own
 * module/method names.
 */
export function publicError(cmd: Command, err: unknown): unknown {
  return carriesSecret(cmd) && err instanceof DeviceError ? new WithheldDeviceError(err) : err;
}

function errCodeOf(o: Record<string, unknown>): JsonObject {
  return typeof o.err_code === 'number' ? { err_code: o.err_code } : {};
}
