// SMART request envelopes ({"method":…,"params":…}) and the reply check. Pure:
// no I/O. The transports carry the text; callers build and check it here.

import { ProtocolError, ValidationError, describe } from '../errors';
import { SmartDeviceError } from './error-codes';

export interface SmartRequest {
  method: string;
  params?: Record<string, unknown> | null;
  /** Some firmware wants it on login; others ignore it. */
  request_time_milis?: number;
  terminal_uuid?: string;
}

const METHOD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Checks a method name: letters, digits and "_", as every SMART method is spelled. */
export function smartMethod(field: string, v: unknown): string {
  if (typeof v !== 'string' || !METHOD.test(v)) throw new ValidationError(field, 'a SMART method name (letters, digits, "_", e.g. "get_device_info")', v);
  return v;
}

/** One request. `params` omitted when undefined (some methods take none). */
export function smartRequest(method: string, params?: Record<string, unknown> | null, extra?: { requestTimeMillis?: number; terminalUuid?: string }): SmartRequest {
  const req: SmartRequest = { method: smartMethod('method', method) };
  if (params !== undefined) {
    if (params !== null && (typeof params !== 'object' || Array.isArray(params))) throw new ValidationError('params', 'an object or null', params);
    req.params = params;
  }
  if (extra?.requestTimeMillis !== undefined) req.request_time_milis = extra.requestTimeMillis;
  if (extra?.terminalUuid !== undefined) req.terminal_uuid = extra.terminalUuid;
  return req;
}

/** Parses reply text; anything that is not a JSON object is a protocol error. */
export function parseSmartReply(text: string, method: string): Record<string, unknown> {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(`reply to ${method} is not JSON`, err);
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) throw new ProtocolError(`reply to ${method} is ${describe(reply)}, expected an object`);
  return reply as Record<string, unknown>;
}

/**
 * The result of a SMART reply (text or parsed object): error_code 0 gives
 * `result` ({} when absent, as set_* methods answer); any other code a
 * SmartDeviceError; a missing or non-integer code a ProtocolError.
 */
export function checkSmartReply(reply: string | Record<string, unknown>, method: string): Record<string, unknown> {
  const obj = typeof reply === 'string' ? parseSmartReply(reply, method) : reply;
  const code = own(obj, 'error_code');
  if (typeof code !== 'number' || !Number.isInteger(code)) throw new ProtocolError(`reply to ${method} has no integer error_code (got ${describe(code)})`);
  if (code !== 0) throw new SmartDeviceError(method, code);
  const result = own(obj, 'result');
  if (result === undefined) return {};
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new ProtocolError(`reply to ${method} has result ${describe(result)}, expected an object`);
  return result as Record<string, unknown>;
}

/** Methods that only read: resending them after an unclear failure cannot change a device. */
export function isReadOnlyMethod(method: string): boolean {
  return /^get_/.test(method) || method === 'component_nego';
}

/**
 * True when the request text surely changes nothing on the device: a read, a
 * batch of reads, or a control_child around a read. Unknown shapes: false.
 */
export function isReadOnlyRequest(text: string): boolean {
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    return false;
  }
  return readOnly(req, 0);
}

function readOnly(req: unknown, depth: number): boolean {
  if (depth > 4 || typeof req !== 'object' || req === null) return false;
  const method = own(req as object, 'method');
  if (typeof method !== 'string') return false;
  const params = own(req as object, 'params');
  if (method === 'multipleRequest') {
    const list = params && typeof params === 'object' ? own(params as object, 'requests') : undefined;
    return Array.isArray(list) && list.every((r) => readOnly(r, depth + 1));
  }
  if (method === 'control_child') {
    const inner = params && typeof params === 'object' ? own(params as object, 'requestData') : undefined;
    return readOnly(inner, depth + 1);
  }
  return isReadOnlyMethod(method);
}

export function own(obj: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}
