// control_child: strips (P300, P304M) have one child per outlet, reached by
// wrapping a request as {"device_id":…, "requestData":{method, params}}; the
// child's answer comes back inside result.responseData.

import { ProtocolError, ValidationError, describe } from '../errors';
import { SmartRequest, checkSmartReply, own } from './envelope';

const CHILD_ID = /^[0-9A-Za-z_-]{1,80}$/;

export function childId(field: string, v: unknown): string {
  if (typeof v !== 'string' || !CHILD_ID.test(v)) throw new ValidationError(field, 'a child device_id (1 to 80 letters, digits, "-" or "_", as get_child_device_list lists it)', v);
  return v;
}

export function controlChild(deviceId: string, request: SmartRequest): SmartRequest {
  const id = childId('device_id', deviceId);
  if (!request || typeof request.method !== 'string') throw new ValidationError('requestData', 'a SMART request {method, params}', request);
  if (request.method === 'control_child') throw new ValidationError('requestData.method', 'a method other than control_child', request.method);
  return { method: 'control_child', params: { device_id: id, requestData: { ...request } } };
}

/** The child's own result out of a control_child result (its error_code checked). */
export function childResult(result: Record<string, unknown>, method: string): Record<string, unknown> {
  const data = own(result, 'responseData');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ProtocolError(`control_child reply for ${method} has responseData ${describe(data)}, expected an object`);
  return checkSmartReply(data as Record<string, unknown>, method);
}
