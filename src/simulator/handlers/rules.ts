// The rule modules: schedule, count_down and anti_theft share add / edit /
// delete / list; schedule adds next action and runtime statistics.

import { Handler, ModuleHandlers, Target } from './types';
import type { SimulatedDevice } from '../device';
import { RuleKind, RuleOptions, RuleTable } from '../rules';
import { booleanRuleFlags } from '../models';
import { argsOf, ArgError, ERR, ok, reqNum, isPlainObject } from '../replies';
import { nextAction } from '../schedule-next';
import { merge } from './emeter';

const YEAR = { min: 2000, max: 2099, int: true };

function tableOf(kind: RuleKind, t: Target): RuleTable {
  if (kind === 'schedule') return t.rules.schedule;
  if (kind === 'count_down') return t.rules.countdown;
  return t.rules.antiTheft;
}

/** How this model's firmware takes rule flags (booleans on hardware 1.x). */
function ruleOptions(dev: SimulatedDevice): RuleOptions {
  return { booleanFlags: booleanRuleFlags(dev.spec) };
}

function common(kind: RuleKind): ModuleHandlers {
  const get_rules: Handler = (dev, t) => {
    const table = tableOf(kind, t);
    const rule_list = table.list(dev.clock.now());
    return kind === 'count_down' ? ok({ rule_list }) : ok({ rule_list, enable: table.enable, version: 2 });
  };
  return {
    get_rules,
    add_rule: (dev, t, raw) => ok({ id: tableOf(kind, t).add(argsOf(raw), dev.clock.now(), ruleOptions(dev)).id }),
    edit_rule: (dev, t, raw) => {
      tableOf(kind, t).edit(argsOf(raw), dev.clock.now(), ruleOptions(dev));
      return ok();
    },
    delete_rule: (_dev, t, raw) => {
      tableOf(kind, t).delete(argsOf(raw).id);
      return ok();
    },
    delete_all_rules: (_dev, t) => {
      tableOf(kind, t).clear();
      return ok();
    },
  };
}

/** Takes both {"enable":1} and the bare `1` some clients write. */
function overallEnable(kind: RuleKind): Handler {
  return (_dev, t, raw) => {
    let v: unknown = raw;
    if (isPlainObject(raw)) {
      if (raw.enable === undefined || raw.enable === null) throw new ArgError(ERR.MISSING);
      v = raw.enable;
    }
    if (v !== 0 && v !== 1) throw new ArgError(v === null || v === undefined ? ERR.MISSING : ERR.INVALID);
    tableOf(kind, t).enable = v;
    return ok();
  };
}

function runtimeDays(dev: SimulatedDevice, t: Target, year: number, month: number) {
  const today = dev.clock.today();
  return merge(t.outlets.map((o) => o.runtime.days(year, month, today)), (d) => d.day);
}

export const schedule: ModuleHandlers = {
  ...common('schedule'),
  get_next_action: (dev, t) => ok({ ...nextAction(t.rules.schedule, dev.clock) }),
  set_overall_enable: overallEnable('schedule'),
  get_daystat: (dev, t, raw) => {
    const a = argsOf(raw);
    const year = reqNum(a, 'year', YEAR);
    const month = reqNum(a, 'month', { min: 1, max: 12, int: true });
    const days = runtimeDays(dev, t, year, month);
    return ok({ day_list: days.map((d) => ({ year: d.year, month: d.month, day: d.day, time: Math.round(d.value) })) });
  },
  get_monthstat: (dev, t, raw) => {
    const year = reqNum(argsOf(raw), 'year', YEAR);
    const today = dev.clock.today();
    const months = merge(t.outlets.map((o) => o.runtime.months(year, today)), (m) => m.month);
    return ok({ month_list: months.map((m) => ({ year: m.year, month: m.month, time: Math.round(m.value) })) });
  },
  erase_runtime_stat: (dev, t) => {
    const today = dev.clock.today();
    for (const o of t.outlets) o.runtime.erase(today);
    return ok();
  },
};

export const count_down: ModuleHandlers = common('count_down');

export const anti_theft: ModuleHandlers = {
  ...common('anti_theft'),
  set_overall_enable: overallEnable('anti_theft'),
};
