// `tplink-schedule`: the plug's weekly / one-off on-off rules. One node does every
// operation (list, next, add, edit, delete, deleteAll, enableAll, disableAll), picked
// in the editor or by msg.operation, because a rule's own `action` means on/off.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { JsonObject } from './core/commands/command';
import { ValidationError } from './core/errors';
import * as schedule from './core/commands/schedule';
import { formatAction, formatTime } from './core/commands/rulefields';
import { setupActionNode, ActionNodeDef, ActionResult, Msg, ActionContext } from './common/action-node';
import { idOf, intSetting, operationOf, ownCopy, payloadHasRule } from './common/rule-ops';

interface ScheduleDef extends ActionNodeDef {
  operation: string;
  ruleId: string;
  days: string; // "mon,thu"
  timeType: string; // time | sunrise | sunset
  time: string; // "HH:MM"
  offset: string; // minutes, sunrise/sunset only
  ruleAction: string; // on | off
  repeat: string; // weekly | once
  date: string; // "YYYY-MM-DD"
  ruleName: string;
  enabled: boolean;
}

const OPS = ['list', 'next', 'add', 'edit', 'delete', 'deleteAll', 'enableAll', 'disableAll'] as const;
type Op = (typeof OPS)[number];

/** The rule set up in the editor, in the friendly form buildRule reads. */
function editorRule(c: ScheduleDef): Record<string, unknown> {
  const sun = c.timeType === 'sunrise' || c.timeType === 'sunset';
  const rule: Record<string, unknown> = {
    time: sun ? c.timeType : c.time,
    action: c.ruleAction || 'on',
    enabled: c.enabled !== false,
  };
  if (sun && c.offset !== undefined && String(c.offset).trim() !== '') rule.offset = intSetting(c.offset);
  if (c.repeat === 'once') rule.once = c.date;
  else rule.days = c.days ?? '';
  if (c.ruleName) rule.name = c.ruleName;
  return rule;
}

function ruleInput(msg: Msg, c: ScheduleDef): Record<string, unknown> {
  return payloadHasRule(msg) ? ownCopy(msg.payload as object) : editorRule(c);
}

/** get_next_action in friendly form: {scheduled, id, time, action, type, schd_sec}. */
function nextOf(r: JsonObject): JsonObject {
  const out: JsonObject = { scheduled: typeof r.type === 'number' && r.type >= 0 };
  if (typeof r.id === 'string') out.id = r.id;
  if (typeof r.schd_sec === 'number' && r.schd_sec >= 0 && r.schd_sec < 86400) {
    const time = formatTime(0, Math.floor(r.schd_sec / 60));
    if (time) out.time = time;
  }
  const action = formatAction(r.action);
  if (action) out.action = action;
  if (r.type !== undefined) out.type = r.type;
  if (r.schd_sec !== undefined) out.schd_sec = r.schd_sec;
  return out;
}

/**
 * Rule lists and edits go through the device model for both dialects (docs/smart-model.md):
 * IotModel sends the same schedule commands the node used to build itself. "next" and
 * the overall switch are IOT commands the model does not carry: a SMART device that
 * lacks them is refused, nothing sent.
 */
async function perform(op: Op, msg: Msg, c: ScheduleDef, ctx: ActionContext): Promise<ActionResult> {
  const { device, outlet } = ctx;
  const m = await device.session.model();
  switch (op) {
    case 'list': {
      const { value, reply } = await m.scheduleRules(outlet);
      return { payload: value.rules, reply, statusText: text('rules', { count: value.rules.length }), extra: { enabled: value.enabled } };
    }
    case 'add': {
      const { value, reply } = await m.addSchedule(ruleInput(msg, c), outlet);
      return { payload: value, reply, statusText: text('added') };
    }
    case 'edit': {
      const { value, reply } = await m.editSchedule(idOf(msg, c.ruleId), ruleInput(msg, c), outlet);
      return { payload: value, reply, statusText: text('edited') };
    }
    case 'delete': {
      const { value, reply } = await m.deleteSchedule(idOf(msg, c.ruleId), outlet);
      return { payload: value, reply, statusText: text('deleted') };
    }
    case 'deleteAll': {
      const { reply } = await m.deleteAllSchedules(outlet);
      return { payload: [], reply, statusText: text('allDeleted'), statusFill: 'grey' };
    }
  }
  if (await device.session.isSmart()) {
    await m.require(op === 'next' ? 'schedule-next' : 'schedule-enable-all');
    throw new ValidationError('operation', 'an operation this device has', op);
  }
  switch (op) {
    case 'next': {
      const { result, reply } = await device.run(schedule.getNextAction(), outlet);
      const next = nextOf(result);
      const shown = next.scheduled ? text('nextRule', { action: next.action ?? '?', time: next.time ?? '' }).trim() : text('nothingScheduled');
      return { payload: next, reply, statusText: shown, statusFill: next.scheduled ? 'green' : 'grey' };
    }
    case 'enableAll':
    case 'disableAll': {
      const enabled = op === 'enableAll';
      const { reply } = await device.run(schedule.setOverallEnable(enabled), outlet);
      return { payload: { enabled }, reply, statusText: text(enabled ? 'enabled' : 'disabled'), statusFill: enabled ? 'green' : 'grey' };
    }
  }
}

export = function (RED: NodeAPI) {
  function TplinkScheduleNode(this: Node, config: ScheduleDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-schedule', config); // flows saved by older versions
    setupActionNode(RED, this, config, async (msg, ctx) => {
      const op = operationOf(config.operation, msg, OPS);
      const res = await perform(op, msg, config, ctx);
      return { ...res, extra: { ...res.extra, operation: op } };
    });
  }
  RED.nodes.registerType('tplink-schedule', TplinkScheduleNode as never);
};
