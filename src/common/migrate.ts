// Brings a node's saved settings to the current shape. Flows saved before nodes
// carried a `version` are version 0. The runtime migrates at node creation, the
// editor when a dialog opens (and saves the current version), so old flows keep
// working and then get validated by the same rules (./rules) as new ones.
// Like rules.ts this is plain ES2022 without imports: it is also an editor script
// (resources/tplink-rules.js, window.TplinkMigrate).
//
// Each step takes version n to n+1 and must leave settings already in the newer
// shape unchanged: the editor fills a missing `version` with the current one on
// import, so a step may meet a node it was not written for.

export const CURRENT_VERSION = 2;

type Settings = Record<string, unknown>;
type Step = (s: Settings) => void;

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** Version 0 filled a blank setting with a default at run time; now the setting holds it. */
function fill(defaults: Settings): Step {
  return (s) => {
    for (const key of Object.keys(defaults)) if (blank(s[key])) s[key] = defaults[key];
  };
}

/**
 * Version 1 spoke only the legacy protocol: a device node without `protocol` is
 * legacy (auto would also try port 80 where 9999 is silent). A node that has one
 * is newer: its blank port means the protocol's default, so step 0 leaves it.
 */
function deviceV0(s: Settings): void {
  fill(blank(s.protocol) ? { port: 9999, timeout: 5000, transport: 'tcp', findBy: 'host' } : { timeout: 5000, transport: 'tcp', findBy: 'host' })(s);
}

/** Steps by node type; STEPS[type][n] takes version n to n+1. Types without steps only get the version. */
const STEPS: Record<string, Step[]> = {
  'tplink-device': [deviceV0, fill({ protocol: 'legacy' })],
  'tplink-monitor': [fill({ interval: 5, hysteresis: 0, emeter: 0 })],
  'tplink-discover': [fill({ broadcast: '255.255.255.255', port: 9999, timeout: 3000, interval: 0, output: 'each' })],
};

/** The version a node was saved with: 0 when it has none (or nonsense). */
export function versionOf(settings: object): number {
  const v = Number((settings as Settings).version);
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/**
 * A copy of `settings` (a node's saved config) in the current shape, with
 * `version` set to CURRENT_VERSION. Settings from a newer version are returned
 * as they are: nothing here knows how to take them back.
 */
export function migrate<T extends object>(type: string, settings: T): T {
  const from = versionOf(settings);
  if (from > CURRENT_VERSION) return settings;
  const copy: Settings = { ...(settings as Settings) };
  const steps = STEPS[type] ?? [];
  for (let v = from; v < CURRENT_VERSION; v++) {
    const step = steps[v];
    if (step) step(copy);
  }
  copy.version = CURRENT_VERSION;
  return copy as T;
}
