// The SMART request function the device model speaks through (SmartModel's
// SmartRequest): builds the envelope, wraps strip-outlet requests in
// control_child, checks error_code, and unwraps the result. Reads asked for in
// the same tick (e.g. get_device_info and component_nego for one node, or
// several nodes polling one device) go as one multipleRequest round trip (the
// device's own, not a strip outlet's); a
// read the device skipped after an earlier error is asked again on its own
// (reads change nothing, so asking twice is harmless). Writes always go alone.

import type { JsonObject } from '../commands/command';
import { SmartRequest as Envelope, checkSmartReply, isReadOnlyMethod, smartRequest } from './envelope';
import { childResult, controlChild } from './child';
import { SmartDeviceError } from './error-codes';
import { DEFAULT_BATCH_SIZE, chunkRequests, multipleRequest, splitMultipleReply } from './batch';

/** Sends one SMART request object; resolves with the device's whole reply. */
export type SmartSend = (request: JsonObject) => Promise<unknown>;
export type SmartRequestFn = (method: string, params?: JsonObject | null, childId?: string) => Promise<JsonObject>;

interface Pending {
  env: Envelope;
  method: string;
  childId?: string;
  resolve: (r: JsonObject) => void;
  reject: (e: unknown) => void;
}

/** One request: envelope, control_child, reply check. */
function single(send: SmartSend, env: Envelope, method: string, childId?: string): Promise<JsonObject> {
  return send(env as unknown as JsonObject).then((reply) => {
    const result = checkSmartReply(reply as Record<string, unknown>, env.method);
    return (childId ? childResult(result, method) : result) as JsonObject;
  });
}

export function smartRequestOver(send: SmartSend, opts: { batch?: boolean } = {}): SmartRequestFn {
  let noBatch = opts.batch === false;
  let waiting: Pending[] = [];

  const flush = (): void => {
    const list = waiting;
    waiting = [];
    for (const chunk of chunkRequests(list, DEFAULT_BATCH_SIZE)) {
      if (chunk.length === 1) {
        const p = chunk[0];
        single(send, p.env, p.method, p.childId).then(p.resolve, p.reject);
        continue;
      }
      const envs = chunk.map((p) => p.env);
      send(multipleRequest(envs) as unknown as JsonObject).then((reply) => {
        const outcomes = splitMultipleReply(checkSmartReply(reply as Record<string, unknown>, 'multipleRequest'), envs);
        outcomes.forEach((o, i) => {
          const p = chunk[i];
          if (o.ok) {
            try {
              p.resolve((p.childId ? childResult(o.result, p.method) : o.result) as JsonObject);
            } catch (err) {
              p.reject(err);
            }
          } else if (o.skipped) single(send, p.env, p.method, p.childId).then(p.resolve, p.reject);
          else p.reject(o.error);
        });
      }).catch((err: unknown) => {
        // Firmware without multipleRequest (-1002): ask one by one from now on.
        if (err instanceof SmartDeviceError && err.method === 'multipleRequest' && err.code === -1002) {
          noBatch = true;
          for (const p of chunk) single(send, p.env, p.method, p.childId).then(p.resolve, p.reject);
        } else for (const p of chunk) p.reject(err);
      });
    }
  };

  return (method, params, childId) => {
    let env: Envelope;
    try {
      const inner = smartRequest(method, params);
      env = childId ? controlChild(childId, inner) : inner;
    } catch (err) {
      return Promise.reject(err); // bad method or params: nothing sent
    }
    // Strip outlets' requests go alone: not every firmware takes control_child inside a batch.
    if (noBatch || childId !== undefined || !isReadOnlyMethod(method)) return single(send, env, method, childId);
    return new Promise<JsonObject>((resolve, reject) => {
      if (waiting.length === 0) queueMicrotask(flush);
      waiting.push({ env, method, childId, resolve, reject });
    });
  };
}
