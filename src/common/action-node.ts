// The input/close plumbing every action node shares: look up the device config
// node, show "sending…", run the node's action, put the answer in msg.payload and
// the device in msg.device, or hand the error to done(err) with a red dot.
// Nothing throws out of a handler.

import type { NodeAPI, Node, NodeDef, NodeMessageInFlow } from 'node-red';
import type { DeviceConfigNode } from './device-node';
import { ValidationError } from '../core/errors';
import { status, text, useLocale } from './status';
import { OUTLET_INDEX } from './rules';
import { outletSetting } from './settings';

export interface ActionNodeDef extends NodeDef {
  device: string;
  outlet?: string;
}

export type Msg = NodeMessageInFlow & Record<string, unknown>;

export interface ActionContext {
  device: DeviceConfigNode;
  /** outlet from msg.outlet, else the node's setting; undefined = whole device */
  outlet: string | number | undefined;
}

export interface ActionResult {
  payload: unknown;
  /** the device's whole reply, kept in msg.reply */
  reply?: unknown;
  /** status text after success (default "ok"), from status.text() */
  statusText?: string;
  statusFill?: 'green' | 'grey' | 'blue';
  /** extra msg properties to set */
  extra?: Record<string, unknown>;
}

export type Perform = (msg: Msg, ctx: ActionContext) => Promise<ActionResult>;

/** Reads msg.outlet / the node's outlet setting: a 0-based index or a child id. */
export function outletOf(msg: Msg, configured: string | undefined): string | number | undefined {
  const v = msg.outlet !== undefined ? msg.outlet : configured;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new ValidationError('outlet', 'a whole number from 0 (first outlet) or a child id', v);
    return v;
  }
  if (typeof v === 'string') {
    // Refused here, before the device is asked for its outlets (the editor's rule too).
    const s = outletSetting(v);
    if (s === undefined) return undefined;
    return OUTLET_INDEX.test(s) ? Number(s) : s;
  }
  throw new ValidationError('outlet', 'a whole number from 0 (first outlet) or a child id string', v);
}

export function setupActionNode(RED: NodeAPI, node: Node, config: ActionNodeDef, perform: Perform): void {
  useLocale(RED);
  const device = RED.nodes.getNode(config.device) as DeviceConfigNode | null;
  if (device) device.register(node);
  else status.problem(node, 'noDevice');

  node.on('input', (m: NodeMessageInFlow, send, done) => {
    const msg = m as Msg;
    if (!device) {
      const err = new ValidationError('device', 'a tplink-device config node selected in this node');
      status.error(node, err);
      done(err);
      return;
    }
    status.sending(node);
    Promise.resolve()
      .then(() => perform(msg, { device, outlet: outletOf(msg, config.outlet) }))
      .then((res) => {
        msg.payload = res.payload;
        if (res.reply !== undefined) msg.reply = res.reply;
        if (res.extra) Object.assign(msg, res.extra);
        msg.device = device.info();
        status.ok(node, res.statusText ?? text('ok'), res.statusFill);
        send(msg);
        done();
      })
      .catch((err: unknown) => {
        status.error(node, err);
        done(err instanceof Error ? err : new Error(String(err)));
      });
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    // Don't wait on the config node: it may be closing at the same moment.
    if (device) device.deregister(node);
    done();
  });
}
