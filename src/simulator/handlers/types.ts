// What a module method handler sees: the device, the outlets the request's
// `context` addresses (or all of them), and the method's raw argument.

import type { SimulatedDevice } from '../device';
import type { Outlet, RuleSet } from '../outlet';
import type { Reply } from '../replies';

export interface Target {
  /** The context's children, or every outlet when there is no context. */
  outlets: Outlet[];
  /** Rule tables: the first addressed child's, or the device's own. */
  rules: RuleSet;
  /** True when a context picked children (alias then renames those, not the strip). */
  byContext: boolean;
}

export type Handler = (dev: SimulatedDevice, target: Target, args: unknown) => Reply;

export type ModuleHandlers = Record<string, Handler>;
