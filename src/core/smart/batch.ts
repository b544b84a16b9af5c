// multipleRequest: several SMART requests in one round trip. The device answers
// {"responses":[{method, result, error_code}, …]} in request order and stops at
// the first error, so later requests of the batch are reported as not run.

import { ProtocolError, TplinkError, ValidationError, describe } from '../errors';
import { SmartRequest, own } from './envelope';
import { SmartDeviceError } from './error-codes';

/**
 * Requests per batch. Devices' real limit is not documented; 5 is a size every
 * recorded firmware answered. Callers with longer lists use chunkRequests().
 */
export const DEFAULT_BATCH_SIZE = 5;

export type SmartBatchOutcome =
  | { method: string; ok: true; result: Record<string, unknown> }
  /** `skipped`: the device stopped at an earlier error and never ran this one. */
  | { method: string; ok: false; skipped: boolean; error: TplinkError };

export function multipleRequest(requests: readonly SmartRequest[]): SmartRequest {
  if (!Array.isArray(requests) || requests.length === 0) throw new ValidationError('requests', 'a non-empty array of SMART requests', requests);
  requests.forEach((r, i) => {
    if (!r || typeof r.method !== 'string') throw new ValidationError(`requests[${i}]`, 'a SMART request {method, params}', r);
    if (r.method === 'multipleRequest') throw new ValidationError(`requests[${i}].method`, 'a method other than multipleRequest (batches do not nest)', r.method);
  });
  return { method: 'multipleRequest', params: { requests: requests.map((r) => ({ ...r })) } };
}

/** Splits a list into batches of at most `size`. */
export function chunkRequests<T>(requests: readonly T[], size = DEFAULT_BATCH_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new ValidationError('batch size', 'an integer of at least 1', size);
  const out: T[][] = [];
  for (let i = 0; i < requests.length; i += size) out.push(requests.slice(i, i + size));
  return out;
}

/**
 * Maps the result of a multipleRequest onto its requests, one outcome each, in
 * order. A response for the wrong method, or more responses than requests, is
 * a protocol error: the pairing could not be trusted.
 */
export function splitMultipleReply(result: Record<string, unknown>, requests: readonly SmartRequest[]): SmartBatchOutcome[] {
  const responses = own(result, 'responses');
  if (!Array.isArray(responses)) throw new ProtocolError(`multipleRequest reply has responses ${describe(responses)}, expected an array`);
  if (responses.length > requests.length) throw new ProtocolError(`multipleRequest reply has ${responses.length} responses for ${requests.length} requests`);
  const out: SmartBatchOutcome[] = [];
  let failed = false;
  requests.forEach((req, i) => {
    const r = responses[i] as unknown;
    if (r === undefined) {
      out.push({ method: req.method, ok: false, skipped: true, error: new SmartDeviceError(req.method, 1200) });
      return;
    }
    if (typeof r !== 'object' || r === null) throw new ProtocolError(`multipleRequest response ${i} is ${describe(r)}, expected an object`);
    const method = own(r, 'method');
    if (method !== undefined && method !== req.method) throw new ProtocolError(`multipleRequest response ${i} is for ${describe(method)}, expected ${req.method}`);
    const code = own(r, 'error_code');
    if (typeof code !== 'number' || !Number.isInteger(code)) throw new ProtocolError(`multipleRequest response ${i} (${req.method}) has no integer error_code`);
    if (code !== 0) {
      failed = true;
      out.push({ method: req.method, ok: false, skipped: false, error: new SmartDeviceError(req.method, code) });
      return;
    }
    if (failed) throw new ProtocolError(`multipleRequest response ${i} (${req.method}) follows an error, but devices stop at the first error`);
    const res = own(r, 'result');
    if (res !== undefined && (typeof res !== 'object' || res === null || Array.isArray(res))) throw new ProtocolError(`multipleRequest response ${i} (${req.method}) has result ${describe(res)}`);
    out.push({ method: req.method, ok: true, result: (res ?? {}) as Record<string, unknown> });
  });
  return out;
}
