// What the rule nodes (schedule, count-down, anti-theft) share: which operation a
// message asks for, which rule id and which rule fields it carries. How an edit is
// laid over the stored rule lives in core (core/commands/rule-edit.ts, shared with
// the device model) and is re-exported here. Rule validation itself stays in
// core/commands (buildRule & co).

import { ValidationError } from '../core/errors';
import { Command, isObject, JsonObject } from '../core/commands/command';
import {
  COUNTDOWN_SHAPE, SCHEDULE_SHAPE, ANTITHEFT_SHAPE, RuleShape, describedWithId, editStoredRule, findRule, listRules, mergeEdit, ownCopy,
} from '../core/commands/rule-edit';
import { own, ruleId } from '../core/commands/validate';
import type { ActionContext, Msg } from './action-node';

export { COUNTDOWN_SHAPE, SCHEDULE_SHAPE, ANTITHEFT_SHAPE, RuleShape, describedWithId, findRule, listRules, mergeEdit, ownCopy };

/** Operation from the node setting, or from msg.operation when the setting is "msg". */
export function operationOf<T extends string>(setting: string | undefined, msg: Msg, ops: readonly T[]): T {
  const fromMsg = !setting || setting === 'msg';
  const v = fromMsg ? msg.operation : setting;
  // "delete-all", "delete_all" and "DeleteAll" all mean deleteAll.
  const key = typeof v === 'string' ? v.replace(/[\s_-]/g, '').toLowerCase() : undefined;
  const found = ops.find((op) => op.toLowerCase() === key);
  if (found) return found;
  const field = fromMsg ? 'operation' : 'operation (node setting)';
  throw new ValidationError(field, `one of ${ops.map((o) => `"${o}"`).join(', ')}`, v);
}

/** Rule id: msg.payload.id, a string msg.payload, else the node's setting. */
export function idOf(msg: Msg, configured: string | undefined): string {
  const p = msg.payload;
  if (isObject(p) && own(p, 'id') !== undefined) return ruleId('payload.id', own(p, 'id'));
  if (typeof p === 'string' && p.trim() !== '') return ruleId('payload', p.trim());
  const c = typeof configured === 'string' ? configured.trim() : '';
  if (c) return ruleId('rule id (node setting)', c);
  throw new ValidationError('payload.id', 'the id of the rule (msg.payload.id, or the rule id in the node)');
}

/** True when msg.payload is an object with rule fields (anything besides id). */
export function payloadHasRule(msg: Msg): boolean {
  return isObject(msg.payload) && Object.keys(msg.payload).some((k) => k !== 'id');
}

/** A whole number typed into the editor, or the text itself so the builder names the field. */
export function intSetting(v: unknown): unknown {
  if (typeof v === 'number') return v;
  const s = typeof v === 'string' ? v.trim() : '';
  return /^-?\d{1,7}$/.test(s) ? Number(s) : v;
}

/**
 * Edits rule `id` through the node's device (core/commands/rule-edit.ts editStoredRule).
 */
export async function runEdit(
  ctx: ActionContext,
  id: string,
  patch: object,
  shape: RuleShape,
  list: Command,
  edit: (id: string, rule: Record<string, unknown>) => Command,
): Promise<{ command: Command; reply: JsonObject }> {
  return editStoredRule((cmd, outlet) => ctx.device.run(cmd, outlet), ctx.outlet, id, patch, shape, list, edit);
}
