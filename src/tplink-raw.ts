// `tplink-raw`: sends any request object (module → method → arguments) and outputs
// the whole reply. The request is rebuilt from validated data, never sent as given
// (core/raw-request.ts, shared with the CLI's -j), and commands that can break a
// device need the node's explicit permission.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { checkReply, isObject } from './core/commands/command';
import { parseRawRequest, parseSmartRawRequest, refuseDeviceChanging, refuseSmartDeviceChanging } from './core/raw-request';
import { SmartDeviceError } from './core/smart';
import { smartOutletId, smartRawEnvelope, smartReplyErrorCode } from './core/smart-raw';
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
        const childId = outlet === undefined ? undefined : await smartOutletId(await device.session.model(), outlet);
        const reply = await device.session.request(smartRawEnvelope(list, childId));
        const code = smartReplyErrorCode(reply);
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
