// `tplink-countdown`: one on/off action after N seconds (get, add, edit, delete,
// deleteAll). Most firmware holds a single countdown and answers -10 "table is full"
// to a second add, so "replace existing" deletes them all first.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { JsonObject } from './core/commands/command';
import { ValidationError } from './core/errors';
import { setupActionNode, ActionNodeDef, ActionResult, Msg, ActionContext } from './common/action-node';
import { idOf, intSetting, operationOf, ownCopy, payloadHasRule } from './common/rule-ops';

interface CountdownDef extends ActionNodeDef {
  operation: string;
  ruleId: string;
  delay: string; // seconds
  ruleAction: string; // on | off
  ruleName: string;
  replace: boolean;
}

const OPS = ['get', 'add', 'edit', 'delete', 'deleteAll'] as const;
type Op = (typeof OPS)[number];

function ruleInput(msg: Msg, c: CountdownDef): Record<string, unknown> {
  if (payloadHasRule(msg)) return ownCopy(msg.payload as object);
  const rule: Record<string, unknown> = { delay: intSetting(c.delay), action: c.ruleAction || 'on' };
  if (c.ruleName) rule.name = c.ruleName;
  return rule;
}

/** msg.replace (true/false) overrides the node's "replace existing". */
function replaceOf(msg: Msg, c: CountdownDef): boolean {
  if (msg.replace === undefined) return c.replace === true;
  if (typeof msg.replace !== 'boolean') throw new ValidationError('replace', 'true or false', msg.replace);
  return msg.replace;
}

function statusOf(rules: JsonObject[]): string {
  const live = rules.find((r) => r.enable === 1);
  if (!live) return text(rules.length ? 'countdownStopped' : 'countdownNone');
  const action = live.action ?? '?';
  return typeof live.remain === 'number' ? text('countdownIn', { action, seconds: live.remain }) : text('countdownAfter', { action, seconds: live.delay });
}

/**
 * Through the device model, for both dialects (docs/smart-model.md): IotModel sends
 * the same count_down commands the node used to build itself, SmartModel the Tapo ones.
 */
async function perform(op: Op, msg: Msg, c: CountdownDef, ctx: ActionContext): Promise<ActionResult> {
  const { device, outlet } = ctx;
  const m = await device.session.model();
  switch (op) {
    case 'get': {
      const { value: rules, reply } = await m.countdownRules(outlet);
      return { payload: rules, reply, statusText: statusOf(rules), statusFill: rules.some((r) => r.enable === 1) ? 'green' : 'grey' };
    }
    case 'add': {
      const replace = replaceOf(msg, c);
      const { value, reply } = await m.addCountdown(ruleInput(msg, c), { replace }, outlet);
      return { payload: value, reply, statusText: statusOf([value]) };
    }
    case 'edit': {
      const { value, reply } = await m.editCountdown(idOf(msg, c.ruleId), ruleInput(msg, c), outlet);
      return { payload: value, reply, statusText: text('edited') };
    }
    case 'delete': {
      const { value, reply } = await m.deleteCountdown(idOf(msg, c.ruleId), outlet);
      return { payload: value, reply, statusText: text('deleted'), statusFill: 'grey' };
    }
    case 'deleteAll': {
      const { reply } = await m.deleteAllCountdowns(outlet);
      return { payload: [], reply, statusText: text('countdownNone'), statusFill: 'grey' };
    }
  }
}

export = function (RED: NodeAPI) {
  function TplinkCountdownNode(this: Node, config: CountdownDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-countdown', config); // flows saved by older versions
    setupActionNode(RED, this, config, async (msg, ctx) => {
      const op = operationOf(config.operation, msg, OPS);
      const res = await perform(op, msg, config, ctx);
      return { ...res, extra: { ...res.extra, operation: op } };
    });
  }
  RED.nodes.registerType('tplink-countdown', TplinkCountdownNode as never);
};
