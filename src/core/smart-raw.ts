// Sending a checked raw SMART request (raw-request.ts parseSmartRawRequest): the
// strip outlet it goes to, the envelope it goes in, and the error code its reply
// carries. Shared by the tplink-raw node and the CLI's -j on a SMART device.

import { isObject, JsonObject } from './commands/command';
import { ValidationError } from './errors';
import { DeviceModel, Outlet, outletKey } from './model/device-model';
import { controlChild, multipleRequest, SmartRequest } from './smart';
import type { SmartRawRequest } from './raw-request';

/** A strip outlet (index or child id) to its device_id, from the device model's outlet list. */
export async function smartOutletId(model: DeviceModel, outlet: Outlet): Promise<string> {
  const outlets = await model.outlets();
  const key = outletKey(outlet);
  const hit = key === undefined ? undefined : 'index' in key ? outlets.find((o) => o.index === key.index) : outlets.find((o) => o.id.toUpperCase() === key.id.toUpperCase());
  if (!hit) throw new ValidationError('outlet', outlets.length ? `an outlet index 0-${outlets.length - 1} or the child id of one` : 'no outlet: this device is not a strip', outlet);
  return hit.id;
}

/** What goes on the wire: one request, or a batch as one multipleRequest; each for `childId` when given. */
export function smartRawEnvelope(list: readonly SmartRawRequest[], childId?: string): JsonObject {
  const wrap = (r: SmartRawRequest): SmartRequest => (childId ? controlChild(childId, r as SmartRequest) : r as SmartRequest);
  return (list.length === 1 ? wrap(list[0]) : multipleRequest(list.map(wrap))) as unknown as JsonObject;
}

/** The first non-zero error_code of a SMART reply (the reply's own, a batch's, a child's). */
export function smartReplyErrorCode(reply: unknown): number | undefined {
  if (!isObject(reply)) return undefined;
  if (typeof reply.error_code === 'number' && reply.error_code !== 0) return reply.error_code;
  const result = reply.result;
  const responses = isObject(result) && Array.isArray(result.responses) ? result.responses : isObject(result) ? [result] : [];
  for (const r of responses) {
    if (!isObject(r)) continue;
    if (typeof r.error_code === 'number' && r.error_code !== 0) return r.error_code;
    const inner = isObject(r.result) ? r.result.responseData : r.responseData;
    if (isObject(inner) && typeof inner.error_code === 'number' && inner.error_code !== 0) return inner.error_code;
  }
  return undefined;
}
