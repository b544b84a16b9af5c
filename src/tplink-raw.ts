// `tplink-raw`: sends any request object (module → method → arguments) and outputs
// the whole reply. The request is rebuilt from validated data, never sent as given
// (core/raw-request.ts, shared with the CLI's -j), and commands that can break a
// device need the node's explicit permission.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { checkReply, isObject, JsonObject } from './core/commands/command';
import { parseRawRequest, parseSmartRawRequest, refuseDeviceChanging, refuseSmartDeviceChanging, SmartRawRequest } from './core/raw-request';
import { ValidationError } from './core/errors';
import { controlChild, multipleRequest, SmartDeviceError, SmartRequest } from './core/smart';
import { outletKey } from './core/model/device-model';
import type { DeviceConfigNode } from './common/device-node';
import { setupActionNode, ActionNodeDef } from './common/action-node';

interface RawDef extends ActionNodeDef {
  request?: string;
  allowDestructive?: boolean;
  checkErrors?: boolean;
}

/** The first non-zero err_code of a reply, for the status text. */
function firstErrCode(reply: unknown): number | undefined {
  if (!isObject(reply)) return undefined;
  for (const mod of Object.values(reply)) {
    if (!isObject(mod)) continue;
    if (typeof mod.err_code === 'number' && mod.err_code !== 0) return mod.err_code;
    for (const res of Object.values(mod)) {
      if (isObject(res) && typeof res.err_code === 'number' && res.err_code !== 0) return res.err_code;
    }
  }
  return undefined;
}

/** The first non-zero error_code of a SMART reply (the reply's own, a batch's, a child's). */
function smartErrorCode(reply: unknown): number | undefined {
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

/** A strip outlet (index or child id) to its device_id, from the device model's outlet list. */
async function smartChildId(device: DeviceConfigNode, outlet: string | number): Promise<string> {
  const outlets = await (await device.session.model()).outlets();
  const key = outletKey(outlet);
  const hit = key === undefined ? undefined : 'index' in key ? outlets.find((o) => o.index === key.index) : outlets.find((o) => o.id.toUpperCase() === key.id.toUpperCase());
  if (!hit) throw new ValidationError('outlet', outlets.length ? `an outlet index 0-${outlets.length - 1} or the child id of one` : 'no outlet: this device is not a strip', outlet);
  return hit.id;
}

export = function (RED: NodeAPI) {
  function TplinkRawNode(this: Node, config: RawDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-raw', config); // flows saved by older versions
    const allowDestructive = config.allowDestructive === true;
    const checkErrors = config.checkErrors !== false;
    const fixed = String(config.request ?? '').trim();

    setupActionNode(RED, this, config, async (msg, { device, outlet }) => {
      if (await device.session.isSmart()) {
        // Tapo / SMART Kasa: {method, params} or an array of them (one multipleRequest).
        const list = fixed !== '' ? parseSmartRawRequest(fixed, 'request') : parseSmartRawRequest(msg.payload, 'payload');
        refuseSmartDeviceChanging(list, allowDestructive);
        const childId = outlet === undefined ? undefined : await smartChildId(device, outlet);
        const wrap = (r: SmartRawRequest): SmartRawRequest => (childId ? controlChild(childId, r as SmartRequest) as SmartRawRequest : r);
        const sent = list.length === 1 ? wrap(list[0]) : multipleRequest(list.map(wrap) as SmartRequest[]);
        const reply = await device.session.request(sent as unknown as JsonObject);
        const code = smartErrorCode(reply);
        if (checkErrors && code !== undefined) throw new SmartDeviceError(list.length === 1 ? list[0].method : 'multipleRequest', code);
        return code === undefined
          ? { payload: reply, statusText: text('ok') }
          : { payload: reply, statusText: text('errCode', { code }), statusFill: 'grey' };
      }
      // The editor's request, when set, is the node's job; otherwise the message carries it.
      const request = fixed !== '' ? parseRawRequest(fixed, 'request') : parseRawRequest(msg.payload, 'payload');
      refuseDeviceChanging(request, allowDestructive);
      const sent = outlet === undefined ? request : await device.session.forOutlet(request, outlet);
      const reply = await device.request(sent);
      if (checkErrors) checkReply(sent, reply);
      const code = firstErrCode(reply);
      return code === undefined
        ? { payload: reply, statusText: text('ok') }
        : { payload: reply, statusText: text('errCode', { code }), statusFill: 'grey' };
    });
  }
  RED.nodes.registerType('tplink-raw', TplinkRawNode as never);
};
