// Builders for the "schedule" module (actions at given times on given weekdays).
// Rule input: see rules.ts (friendly days/time/action or the raw device fields).

import { Command, command } from './command';
import { buildRule, RuleInput } from './rules';
import { bool, ruleId } from './validate';

const M = 'schedule';

export function getRules(): Command {
  return command(M, 'get_rules', null);
}

export function getNextAction(): Command {
  return command(M, 'get_next_action', null);
}

/** Adds a rule and switches the schedule on, so the new rule actually runs. */
export function addRule(rule: RuleInput): Command {
  const built = buildRule('schedule', rule);
  return {
    module: M,
    method: 'add_rule',
    request: { [M]: { add_rule: built, set_overall_enable: { enable: 1 } } },
    destructive: false,
  };
}

/** Replaces rule `id` with `rule` (all fields are sent again, as the device expects). */
export function editRule(id: string, rule: RuleInput): Command {
  const checkedId = ruleId('id', id);
  const built = buildRule('schedule', rule);
  built.id = checkedId;
  return command(M, 'edit_rule', built);
}

export function deleteRule(id: string): Command {
  return command(M, 'delete_rule', { id: ruleId('id', id) });
}

/** Deletes every rule and, as the reference does, the rules' runtime statistics. */
export function deleteAllRules(): Command {
  return {
    module: M,
    method: 'delete_all_rules',
    request: { [M]: { delete_all_rules: null, erase_runtime_stat: null } },
    destructive: false,
  };
}

export function setOverallEnable(enable: boolean): Command {
  return command(M, 'set_overall_enable', { enable: bool('enable', enable) ? 1 : 0 });
}
