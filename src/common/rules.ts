// The value rules the editor and the runtime share, so both accept exactly the
// same settings: outlets, ports, intervals, timeouts, the queue limit. One source:
// tsc compiles it for the runtime (nodes/common/rules.js) and
// scripts/build-editor-scripts.js wraps that output for the editor
// (resources/tplink-rules.js, window.TplinkRules). So: plain ES2022, no imports,
// no Node or browser APIs.

/** Node's timers overflow past this many ms and then fire after 1 ms, again and again. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The longest interval in seconds that still fits a timer (whole seconds, for the messages). */
export const MAX_INTERVAL_S = Math.floor(MAX_TIMER_MS / 1000);

interface NumberRule {
  kind: 'number';
  min: number;
  max: number;
  integer: boolean;
  /** blank (missing, null, '' or spaces) is accepted: the caller applies its default */
  optional: boolean;
  expected: string;
}

interface PatternRule {
  kind: 'pattern';
  patterns: RegExp[];
  optional: boolean;
  expected: string;
}

type Rule = NumberRule | PatternRule;

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

// A host name or IPv4 address, or an IPv6 address (no brackets, no port).
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}$/;

/** An outlet given by its 0-based index (anything else is a child id). */
export const OUTLET_INDEX = /^\d{1,2}$/;

function whole(min: number, max: number, what: string, optional = false): NumberRule {
  return { kind: 'number', min, max, integer: true, optional, expected: `${what} from ${min} to ${max}` };
}

export const RULES = {
  /** a device's address; blank only where it is found by MAC or device id */
  host: { kind: 'pattern', patterns: [HOST_NAME, IPV6], optional: true, expected: 'an IP address or host name (no port)' },
  /** a device's TCP/UDP port */
  port: whole(1, 65535, 'a port number'),
  /** tplink-device: the device's port; blank = the protocol's (9999 legacy and auto, 80 KLAP) */
  devicePort: { kind: 'number', min: 1, max: 65535, integer: true, optional: true, expected: 'a port number from 1 to 65535, or blank for the protocol\'s (9999; 80 for KLAP and SMART)' },
  /** tplink-device: how the device is spoken to; blank = auto */
  protocol: { kind: 'pattern', patterns: [/^(auto|legacy|klap|smart)$/], optional: true, expected: '"auto", "legacy", "klap" or "smart"' },
  /** tplink-device credential: the TP-Link account e-mail (blank: the firmware's default accounts) */
  username: { kind: 'pattern', patterns: [/^[^\u0000-\u001f\u007f]{1,128}$/], optional: true, expected: 'the TP-Link account e-mail (up to 128 characters, no control characters)' },
  /** tplink-device credential: the account password (kept as typed: case and spaces matter) */
  password: { kind: 'pattern', patterns: [/^[^\u0000-\u001f\u007f]{1,128}$/], optional: true, expected: 'a password of up to 128 characters without control characters' },
  /** where discovery probes go; blank = 9999 */
  discoveryPort: whole(1, 65535, 'a port number', true),
  /** tplink-device reply timeout, ms */
  deviceTimeout: whole(100, 120_000, 'a whole number of ms'),
  /** tplink-discover: how long a round listens, ms */
  discoverTimeout: whole(100, 60_000, 'a whole number of ms'),
  /** requests waiting for one device; blank = 1000 */
  queueLimit: whole(1, 100_000, 'a whole number', true),
  /** tplink-monitor: seconds between polls */
  monitorInterval: { kind: 'number', min: 0.1, max: MAX_INTERVAL_S, integer: false, optional: false, expected: `a number of seconds from 0.1 to ${MAX_INTERVAL_S}` },
  /** tplink-monitor: seconds between energy readings; blank or 0 = off */
  emeterInterval: { kind: 'number', min: 0, max: MAX_INTERVAL_S, integer: false, optional: true, expected: `a number of seconds from 0 (off) to ${MAX_INTERVAL_S}` },
  /** tplink-discover: seconds between automatic searches; blank or 0 = only on input */
  discoverInterval: { kind: 'number', min: 0, max: MAX_INTERVAL_S, integer: false, optional: true, expected: `a number of seconds from 0 (only on input) to ${MAX_INTERVAL_S}` },
  /** tplink-monitor: watts; blank = no in-use events */
  /** tplink-emeter: what msg.payload holds; blank = full */
  emeterOutput: { kind: 'pattern', patterns: [/^(full|chart)$/], optional: true, expected: '"full" or "chart"' },
  threshold: { kind: 'number', min: 0, max: 1_000_000, integer: false, optional: true, expected: 'a number of watts from 0 to 1000000' },
  hysteresis: { kind: 'number', min: 0, max: 1_000_000, integer: false, optional: true, expected: 'a number of watts from 0 to 1000000' },
  /** where discovery probes go (tplink-device, the Search button); blank = 255.255.255.255 */
  broadcast: { kind: 'pattern', patterns: [IPV4], optional: true, expected: 'an IPv4 address such as 255.255.255.255 or 192.168.1.255' },
  /** tplink-discover: where its probes go */
  discoverBroadcast: { kind: 'pattern', patterns: [IPV4], optional: false, expected: 'an IPv4 address such as 255.255.255.255 or 192.168.1.255' },
  /** tplink-device bound by MAC: 12 hex digits, in pairs with one kind of optional separator */
  mac: { kind: 'pattern', patterns: [/^[0-9A-Fa-f]{2}([:.\- ]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/], optional: false, expected: 'a MAC address such as 50:C7:BF:01:02:03' },
  /** tplink-device bound by device id */
  deviceId: { kind: 'pattern', patterns: [/^[0-9A-Fa-f]{8,64}$/], optional: false, expected: 'a device id (hex digits, 40 on Kasa devices)' },
  /** an outlet of a strip: its 0-based index, or its child id; blank = whole device */
  outlet: {
    kind: 'pattern',
    patterns: [OUTLET_INDEX, /^[0-9A-Za-z]{1,64}$/],
    optional: true,
    expected: 'a whole number from 0 (first outlet) or a child id (1 to 64 letters and digits)',
  },
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;

/** What a rule made of a value: the value to use (undefined = blank), or what was expected. */
export type Outcome = { ok: true; value: number | string | undefined } | { ok: false; expected: string };

// Decimal notation only: no hex, exponents, Infinity or thousands separators.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return Number(v.trim());
  return NaN;
}

/** Applies rule `name` to `v` (a saved setting: a number or the text typed in the editor). */
export function check(name: RuleName, v: unknown): Outcome {
  const rule: Rule = RULES[name];
  if (isBlank(v)) return rule.optional ? { ok: true, value: undefined } : { ok: false, expected: rule.expected };
  if (rule.kind === 'pattern') {
    const s = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : null;
    return s !== null && rule.patterns.some((p) => p.test(s)) ? { ok: true, value: s } : { ok: false, expected: rule.expected };
  }
  const n = toNumber(v);
  const fits = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && n >= rule.min && n <= rule.max;
  return fits ? { ok: true, value: n } : { ok: false, expected: rule.expected };
}

/** true when rule `name` accepts `v`: the editor's validate functions. */
export function valid(name: RuleName, v: unknown): boolean {
  return check(name, v).ok;
}

/** A Node-RED editor `validate` function for rule `name`. */
export function validator(name: RuleName): (v: unknown) => boolean {
  return (v) => valid(name, v);
}

/**
 * What a SMART (Tapo) device does not have, by node and setting: the editor greys
 * these choices out once it knows the device speaks SMART, and the runtime refuses
 * them ("… is not available on this device (P110, SMART)"), nothing sent for them.
 * test/smart-editor-parity.test.js runs every entry, and every other choice, on a P110.
 */
export const SMART_UNAVAILABLE: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'tplink-emeter': { action: ['daystat', 'monthstat', 'gains', 'erase'] },
  'tplink-schedule': { operation: ['next', 'enableAll', 'disableAll'] },
  'tplink-antitheft': { operation: ['list', 'add', 'edit', 'delete', 'deleteAll', 'enableAll', 'disableAll'] },
  'tplink-system': {
    action: ['location', 'time', 'timezone', 'set-timezone', 'cloud-info', 'scan', 'reset', 'set-mac', 'set-device-id', 'set-hw-id',
      'test-mode', 'download-firmware', 'flash-firmware', 'join-wifi', 'cloud-bind', 'cloud-unbind', 'cloud-server'],
  },
};
