// `tplink-antitheft`: away mode, the plug switching at random inside a time window
// (list, add, edit, delete, deleteAll, enableAll, disableAll), picked in the editor
// or by msg.operation.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { JsonObject } from './core/commands/command';
import * as antitheft from './core/commands/antitheft';
import { setupActionNode, ActionNodeDef, ActionResult, Msg, ActionContext } from './common/action-node';
import {
  ANTITHEFT_SHAPE, describedWithId, idOf, intSetting, listRules, operationOf, ownCopy, payloadHasRule, runEdit,
} from './common/rule-ops';

interface AntitheftDef extends ActionNodeDef {
  operation: string;
  ruleId: string;
  days: string; // "mon,thu"
  startType: string; // time | sunrise | sunset
  start: string; // "HH:MM"
  endType: string;
  end: string;
  frequency: string;
  duration: string; // minutes
  repeat: string; // weekly | once
  date: string; // "YYYY-MM-DD"
  ruleName: string;
  enabled: boolean;
}

const OPS = ['list', 'add', 'edit', 'delete', 'deleteAll', 'enableAll', 'disableAll'] as const;
type Op = (typeof OPS)[number];

const timeOf = (type: string, clock: string): string => (type === 'sunrise' || type === 'sunset' ? type : clock);

/** The rule set up in the editor, in the friendly form buildRule reads. */
function editorRule(c: AntitheftDef): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    time: timeOf(c.startType, c.start),
    end: timeOf(c.endType, c.end),
    enabled: c.enabled !== false,
  };
  // Blank = the builder's defaults (those of the reference example).
  if (c.frequency !== undefined && String(c.frequency).trim() !== '') rule.frequency = intSetting(c.frequency);
  if (c.duration !== undefined && String(c.duration).trim() !== '') rule.duration = intSetting(c.duration);
  if (c.repeat === 'once') rule.once = c.date;
  else rule.days = c.days ?? '';
  if (c.ruleName) rule.name = c.ruleName;
  return rule;
}

function ruleInput(msg: Msg, c: AntitheftDef): Record<string, unknown> {
  return payloadHasRule(msg) ? ownCopy(msg.payload as object) : editorRule(c);
}

async function perform(op: Op, msg: Msg, c: AntitheftDef, ctx: ActionContext): Promise<ActionResult> {
  const { device, outlet } = ctx;
  // Tapo / SMART Kasa have no away mode: "… not available on this device (P110, SMART)", nothing sent for it.
  if (await device.session.isSmart()) await (await device.session.model()).require('antitheft');
  switch (op) {
    case 'list': {
      const { result, reply } = await device.run(antitheft.getRules(), outlet);
      const rules = listRules(result);
      return { payload: rules, reply, statusText: text('rules', { count: rules.length }), extra: { enabled: result.enable === 1 } };
    }
    case 'add': {
      const cmd = antitheft.addRule(ruleInput(msg, c)); // validates before anything is sent
      const { result, reply } = await device.run(cmd, outlet);
      const built = (cmd.request.anti_theft as JsonObject).add_rule as JsonObject;
      return { payload: describedWithId(result.id, built), reply, statusText: text('added') };
    }
    case 'edit': {
      const id = idOf(msg, c.ruleId);
      const { command, reply } = await runEdit(ctx, id, ruleInput(msg, c), ANTITHEFT_SHAPE, antitheft.getRules(), antitheft.editRule);
      const built = (command.request.anti_theft as JsonObject).edit_rule as JsonObject;
      return { payload: describedWithId(built.id, built), reply, statusText: text('edited') };
    }
    case 'delete': {
      const id = idOf(msg, c.ruleId);
      const { reply } = await device.run(antitheft.deleteRule(id), outlet);
      return { payload: { id }, reply, statusText: text('deleted') };
    }
    case 'deleteAll': {
      const { reply } = await device.run(antitheft.deleteAllRules(), outlet);
      return { payload: [], reply, statusText: text('allDeleted'), statusFill: 'grey' };
    }
    case 'enableAll':
    case 'disableAll': {
      const enabled = op === 'enableAll';
      const { reply } = await device.run(antitheft.setOverallEnable(enabled), outlet);
      return { payload: { enabled }, reply, statusText: text(enabled ? 'awayOn' : 'awayOff'), statusFill: enabled ? 'green' : 'grey' };
    }
  }
}

export = function (RED: NodeAPI) {
  function TplinkAntitheftNode(this: Node, config: AntitheftDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-antitheft', config); // flows saved by older versions
    setupActionNode(RED, this, config, async (msg, ctx) => {
      const op = operationOf(config.operation, msg, OPS);
      const res = await perform(op, msg, config, ctx);
      return { ...res, extra: { ...res.extra, operation: op } };
    });
  }
  RED.nodes.registerType('tplink-antitheft', TplinkAntitheftNode as never);
};
