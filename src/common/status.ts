// One small status helper shared by every node: the dot tells the user what the
// last exchange with the device did, in about 20 characters. The words come from
// the locale files (nodes/locales/<lang>/tplink-device.json, "status"), through
// the runtime's RED._, so they follow Node-RED's language setting.

import type { Node, NodeAPI } from 'node-red';

const MAX_TEXT = 24;
const KEYS = 'node-red-contrib-tplink-smartplug/tplink-device:tplink-device.status.';

type Translate = (key: string, subs?: Record<string, unknown>) => string;
// Until a node file hands over RED._: the key's last part, so a missing hand-over shows.
let translate: Translate = (key) => key.slice(KEYS.length);

/** Called by each node file with its RED: status texts are translated from then on. */
export function useLocale(RED: NodeAPI): void {
  const t = (RED as unknown as { _?: Translate })._;
  if (typeof t === 'function') translate = (key, subs) => t(key, subs);
}

/** The status text `key` (tplink-device.status.<key>) with its substitutions. */
export function text(key: string, subs?: Record<string, unknown>): string {
  return translate(KEYS + key, subs);
}

export function short(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

export const status = {
  sending(node: Node): void {
    node.status({ fill: 'yellow', shape: 'ring', text: text('sending') });
  },
  ok(node: Node, s: string, fill: 'green' | 'grey' | 'blue' = 'green', shape: 'dot' | 'ring' = 'dot'): void {
    node.status({ fill, shape, text: short(s) });
  },
  error(node: Node, err: unknown): void {
    node.status({ fill: 'red', shape: 'ring', text: short(reason(err)) });
  },
  /** A red ring with the text `key`. */
  problem(node: Node, key: string, subs?: Record<string, unknown>): void {
    node.status({ fill: 'red', shape: 'ring', text: short(text(key, subs)) });
  },
  clear(node: Node): void {
    node.status({});
  },
};

/** A short reason for the status dot, from an error's kind. */
export function reason(err: unknown): string {
  const e = err as { kind?: string; errCode?: number; field?: string; message?: string };
  switch (e && e.kind) {
    case 'refused': return text('refused');
    case 'unreachable': return text('unreachable');
    case 'timeout': return text('timeout');
    case 'protocol': return text('badReply');
    case 'device': return text('deviceError', { code: e.errCode });
    case 'closed': return text('closed');
    case 'queue-full': return text('queueFull');
    case 'invalid-input': return text('invalid', { field: e.field });
    case 'not-allowed': return text('notAllowed');
    // The message (and the Catch node) says what to do; the dot names which of the two it is.
    case 'auth': return text((e as { reason?: string }).reason === 'third-party-off' ? 'thirdPartyOff' : 'authRefused');
    default: return e && e.message ? e.message : String(err);
  }
}
