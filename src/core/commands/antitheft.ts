// Builders for the "anti_theft" module (away mode: random on/off inside a time window).
// Rule input: see rules.ts; a window needs both `time` and `end`.

import { Command, command } from './command';
import { buildRule, RuleInput } from './rules';
import { bool, ruleId } from './validate';

const M = 'anti_theft';

export function getRules(): Command {
  return command(M, 'get_rules', null);
}

/**
 * Adds a rule and switches away mode on. The reference example sends the bare form
 * `"set_overall_enable":1` here (not `{enable:1}`), so this does the same.
 */
export function addRule(rule: RuleInput): Command {
  const built = buildRule('anti_theft', rule);
  return {
    module: M,
    method: 'add_rule',
    request: { [M]: { add_rule: built, set_overall_enable: 1 } },
    destructive: false,
  };
}

export function editRule(id: string, rule: RuleInput): Command {
  const checkedId = ruleId('id', id);
  const built = buildRule('anti_theft', rule);
  built.id = checkedId;
  return command(M, 'edit_rule', built);
}

export function deleteRule(id: string): Command {
  return command(M, 'delete_rule', { id: ruleId('id', id) });
}

export function deleteAllRules(): Command {
  return command(M, 'delete_all_rules', null);
}

export function setOverallEnable(enable: boolean): Command {
  return command(M, 'set_overall_enable', { enable: bool('enable', enable) ? 1 : 0 });
}
