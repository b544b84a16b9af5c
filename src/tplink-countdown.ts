// `tplink-countdown`: one on/off action after N seconds (get, add, edit, delete,
// deleteAll). Most firmware holds a single countdown and answers -10 "table is full"
// to a second add, so "replace existing" deletes them all first.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { JsonObject } from './core/commands/command';
import { DeviceError, ValidationError } from './core/errors';
import * as countdown from './core/commands/countdown';
import { setupActionNode, ActionNodeDef, ActionResult, Msg, ActionContext } from './common/action-node';
import {
  COUNTDOWN_SHAPE, describedWithId, idOf, intSetting, listRules, operationOf, ownCopy, payloadHasRule, runEdit,
} from './common/rule-ops';

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

// The builder checks every field at run time; the type only names them.
const asInput = (r: Record<string, unknown>) => r as unknown as countdown.CountdownInput;

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

/** Tapo / SMART Kasa: the device model, the same payloads (docs/smart-model.md). */
async function performSmart(op: Op, msg: Msg, c: CountdownDef, ctx: ActionContext): Promise<ActionResult> {
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

async function perform(op: Op, msg: Msg, c: CountdownDef, ctx: ActionContext): Promise<ActionResult> {
  const { device, outlet } = ctx;
  if (await device.session.isSmart()) return performSmart(op, msg, c, ctx);
  switch (op) {
    case 'get': {
      const { result, reply } = await device.run(countdown.getRules(), outlet);
      const rules = listRules(result);
      return { payload: rules, reply, statusText: statusOf(rules), statusFill: rules.some((r) => r.enable === 1) ? 'green' : 'grey' };
    }
    case 'add': {
      const replace = replaceOf(msg, c);
      const cmd = countdown.addRule(asInput(ruleInput(msg, c))); // validates before anything is sent
      if (replace) await device.run(countdown.deleteAllRules(), outlet);
      let res;
      try {
        res = await device.run(cmd, outlet);
      } catch (err) {
        if (err instanceof DeviceError && err.errCode === -10) {
          err.message += ' (the device holds one countdown: delete it first, or tick "replace existing" / set msg.replace = true)';
        }
        throw err;
      }
      const payload = describedWithId(res.result.id, (cmd.request.count_down as JsonObject).add_rule as JsonObject);
      return { payload, reply: res.reply, statusText: statusOf([payload]) };
    }
    case 'edit': {
      const id = idOf(msg, c.ruleId);
      const edit = (ruleId: string, rule: Record<string, unknown>) => countdown.editRule(ruleId, asInput(rule));
      const { command, reply } = await runEdit(ctx, id, ruleInput(msg, c), COUNTDOWN_SHAPE, countdown.getRules(), edit);
      const built = (command.request.count_down as JsonObject).edit_rule as JsonObject;
      return { payload: describedWithId(built.id, built), reply, statusText: text('edited') };
    }
    case 'delete': {
      const id = idOf(msg, c.ruleId);
      const { reply } = await device.run(countdown.deleteRule(id), outlet);
      return { payload: { id }, reply, statusText: text('deleted'), statusFill: 'grey' };
    }
    case 'deleteAll': {
      const { reply } = await device.run(countdown.deleteAllRules(), outlet);
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
