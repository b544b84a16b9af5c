// `tplink-relay`: on / off / toggle / get state. msg.payload out is the relay
// state after the command, a boolean, with the device's reply in msg.reply.

import { migrate } from './common/migrate';
import type { NodeAPI, Node } from 'node-red';
import { ValidationError } from './core/errors';
import { isObject, JsonObject, resultOf } from './core/commands/command';
import * as system from './core/commands/system';
import { setupActionNode, ActionNodeDef, Msg } from './common/action-node';
import { text } from './common/status';
import { listOutlets, resolveChildId, withContext } from './core/commands/context';

interface RelayDef extends ActionNodeDef {
  action: string; // on | off | toggle | get | msg
}

type Action = 'on' | 'off' | 'toggle' | 'get';
const EXPECTED = 'true/false, 1/0, "on"/"off", "toggle", "get" or {on: true|false}';

/** What the message asks for; the node's own setting wins unless it is "msg". */
function relayAction(setting: string, payload: unknown): Action {
  if (setting === 'on' || setting === 'off' || setting === 'toggle' || setting === 'get') return setting;
  if (payload === true || payload === 1) return 'on';
  if (payload === false || payload === 0) return 'off';
  if (typeof payload === 'string') {
    const p = payload.trim().toLowerCase();
    if (p === 'on' || p === 'true' || p === '1') return 'on';
    if (p === 'off' || p === 'false' || p === '0') return 'off';
    if (p === 'toggle' || p === 'get') return p;
  }
  if (isObject(payload) && Object.prototype.hasOwnProperty.call(payload, 'on')) {
    if (typeof payload.on === 'boolean') return payload.on ? 'on' : 'off';
    throw new ValidationError('payload.on', 'true or false', payload.on);
  }
  throw new ValidationError('payload', EXPECTED, payload);
}

/** Relay state of the device, or of one outlet, from get_sysinfo. */
function relayState(sys: JsonObject, childId: string | undefined): boolean {
  if (childId === undefined) return sys.relay_state === 1;
  const child = listOutlets(sys).find((o) => o.id === childId);
  return child !== undefined && child.on;
}

export = function (RED: NodeAPI) {
  function TplinkRelayNode(this: Node, config: RelayDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-relay', config); // flows saved by older versions
    setupActionNode(RED, this, config, async (msg: Msg, { device, outlet }) => {
      const action = relayAction(config.action || 'msg', msg.payload);
      let on: boolean;
      let reply: unknown;
      if (action !== 'toggle') {
        // Through the device model for both dialects: IotModel reads a fresh get_sysinfo or
        // sends set_relay_state as this node did (SMART: msg.reply = {method, result}).
        const m = await device.session.model();
        ({ value: on, reply } = action === 'get' ? await m.getState(outlet) : await m.setState(action === 'on', outlet));
      } else if (await device.session.isSmart()) {
        // A toggle reads and sets as one held exchange (two toggles at once flip it twice).
        ({ value: on, reply } = await device.session.heldModel((held) => held.toggle(outlet)));
      } else {
        // IOT: the same, with the one get_sysinfo that also resolves the outlet (a held
        // IotModel would ask for it again).
        ({ on, reply } = await device.session.exclusive(async (d) => {
          const sys = await d.run(system.getSysinfo());
          const childId = outlet === undefined ? undefined : resolveChildId(sys, outlet);
          const set = system.setRelayState(!relayState(sys, childId));
          const cmd = childId === undefined ? set : withContext(set, [childId]);
          const res = await d.send(cmd.request);
          resultOf(cmd, res);
          return { on: !relayState(sys, childId), reply: res };
        }));
      }
      return { payload: on, reply, statusText: text(on ? 'on' : 'off'), statusFill: on ? 'green' : 'grey' };
    });
  }
  RED.nodes.registerType('tplink-relay', TplinkRelayNode as never);
};
