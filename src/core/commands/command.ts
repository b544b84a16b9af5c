// What every command builder returns, and how a reply is checked against it.

import { DeviceError, ProtocolError } from '../errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Command {
  /** Module of the method whose result is the command's answer, e.g. "system". */
  module: string;
  /** That method, e.g. "set_relay_state". */
  method: string;
  /** The whole request, e.g. {system:{set_relay_state:{state:1}}}; may hold more methods and a `context`. */
  request: JsonObject;
  /** True for docs/protocol.md's "commands that can break a device". */
  destructive: boolean;
  /** Least reply timeout (ms) the command needs, when the device takes long on purpose (a Wi-Fi scan). */
  minTimeout?: number;
  /** Argument names of the method that hold a password; outputs go through commands/secret.ts. */
  secretArgs?: string[];
}

/** The reply timeout for a command: the caller's, stretched to what the command needs. */
export function timeoutFor(cmd: Command, timeout: number): number {
  return Math.max(timeout, cmd.minTimeout ?? 0);
}

/** Builds a one-method command. */
export function command(module: string, method: string, args: Json = {}, destructive = false): Command {
  return { module, method, request: { [module]: { [method]: args } }, destructive };
}

/**
 * Checks every module.method of `request` in `reply` and throws a DeviceError for the
 * first non-zero err_code (at module or method level); a missing answer is a ProtocolError.
 */
export function checkReply(request: JsonObject, reply: unknown): void {
  if (!isObject(reply)) throw new ProtocolError(`reply is not a JSON object: ${preview(reply)}`);
  for (const module of Object.keys(request)) {
    if (module === 'context') continue;
    const modReply = reply[module];
    if (!isObject(modReply)) throw new ProtocolError(`reply has no "${module}" object`);
    const methods = request[module];
    const methodNames = isObject(methods) ? Object.keys(methods) : [];
    if (typeof modReply.err_code === 'number' && modReply.err_code !== 0) {
      throw new DeviceError(module, methodNames[0] ?? '', modReply.err_code, String(modReply.err_msg ?? ''));
    }
    for (const method of methodNames) {
      const res = modReply[method];
      if (res === undefined) throw new ProtocolError(`reply has no "${module}.${method}" answer`);
      if (isObject(res) && typeof res.err_code === 'number' && res.err_code !== 0) {
        throw new DeviceError(module, method, res.err_code, String(res.err_msg ?? ''));
      }
      // Some firmware answers a bare number for set_overall_enable-style calls; accept non-objects.
    }
  }
}

/** Checks the reply and returns the command's own method result. */
export function resultOf(cmd: Command, reply: unknown): JsonObject {
  checkReply(cmd.request, reply);
  const res = (reply as JsonObject)[cmd.module] as JsonObject;
  const out = res[cmd.method];
  return isObject(out) ? (out as JsonObject) : {};
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
