// Builders for the "count_down" module (one action after N seconds; most firmware holds
// a single rule and answers -10 "table is full" to a second add).

import { Command, command, JsonObject } from './command';
import { ValidationError } from '../errors';
import { parseAction } from './rulefields';
import { flag, has, int, onlyKeys, own, record, ruleId, text } from './validate';
import { RULE_NAME_MAX_BYTES } from './rules';

const M = 'count_down';

/** Longest countdown: one day. */
export const MAX_COUNTDOWN_S = 86400;

export interface CountdownInput {
  /** Seconds until the action, 1..86400. */
  delay: number;
  /** true = switch on, false = off (or action: "on"/"off", or the raw act: 1/0). */
  on?: boolean;
  action?: 'on' | 'off';
  act?: 0 | 1;
  name?: string;
  /** Default true. */
  enable?: boolean;
}

export function getRules(): Command {
  return command(M, 'get_rules', null);
}

export function addRule(rule: CountdownInput): Command {
  const r = countdownRule(rule);
  return command(M, 'add_rule', { enable: r.enable, delay: r.delay, act: r.act, name: r.name });
}

export function editRule(id: string, rule: CountdownInput): Command {
  const checkedId = ruleId('id', id);
  const r = countdownRule(rule);
  return command(M, 'edit_rule', { enable: r.enable, id: checkedId, delay: r.delay, act: r.act, name: r.name });
}

export function deleteRule(id: string): Command {
  return command(M, 'delete_rule', { id: ruleId('id', id) });
}

export function deleteAllRules(): Command {
  return command(M, 'delete_all_rules', null);
}

function countdownRule(input: unknown): { enable: number; delay: number; act: number; name: string } & JsonObject {
  const o = record('rule', input);
  // "id" and "remain" appear in get_rules output; accepted so a listed rule can be re-sent.
  onlyKeys('rule', o, ['delay', 'on', 'action', 'act', 'name', 'enable', 'enabled', 'id', 'remain']);
  const delay = int('delay', own(o, 'delay'), 1, MAX_COUNTDOWN_S, 'seconds');
  const acts: Array<[string, number]> = [];
  if (has(o, 'on')) acts.push(['on', flag('on', own(o, 'on'))]);
  if (has(o, 'action')) acts.push(['action', parseAction(own(o, 'action'), 'action')]);
  if (has(o, 'act')) {
    const act = own(o, 'act');
    if (act !== 0 && act !== 1) throw new ValidationError('act', '1 (on) or 0 (off)', act);
    acts.push(['act', act]);
  }
  if (acts.length === 0) throw new ValidationError('on', 'true (switch on) or false (switch off) when the countdown ends');
  const conflict = acts.find(([, v]) => v !== acts[0][1]);
  if (conflict) throw new ValidationError(conflict[0], `the same action as ${acts[0][0]}`, own(o, conflict[0]));
  const act = acts[0][1];
  const enables = ['enable', 'enabled'].filter((k) => has(o, k)).map((k) => flag(k, own(o, k)));
  if (enables.length === 2 && enables[0] !== enables[1]) throw new ValidationError('enabled', 'the same value as enable', own(o, 'enabled'));
  const name = has(o, 'name') ? text('name', own(o, 'name'), { min: 0, max: RULE_NAME_MAX_BYTES, what: 'a name' }) : act ? 'turn on' : 'turn off';
  return { enable: enables[0] ?? 1, delay, act, name };
}
