// One small status helper shared by every node: the dot tells the user what the
// last exchange with the device did, in about 20 characters.

import type { Node } from 'node-red';

const MAX_TEXT = 24;

export function short(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export const status = {
  sending(node: Node): void {
    node.status({ fill: 'yellow', shape: 'ring', text: 'sending…' });
  },
  ok(node: Node, text: string, fill: 'green' | 'grey' | 'blue' = 'green', shape: 'dot' | 'ring' = 'dot'): void {
    node.status({ fill, shape, text: short(text) });
  },
  error(node: Node, err: unknown): void {
    node.status({ fill: 'red', shape: 'ring', text: short(reason(err)) });
  },
  clear(node: Node): void {
    node.status({});
  },
};

/** A short reason for the status dot, from an error's kind. */
export function reason(err: unknown): string {
  const e = err as { kind?: string; errCode?: number; field?: string; message?: string };
  switch (e && e.kind) {
    case 'refused': return 'refused';
    case 'unreachable': return 'unreachable';
    case 'timeout': return 'timeout';
    case 'protocol': return 'bad reply';
    case 'device': return `device error ${e.errCode}`;
    case 'closed': return 'closed';
    case 'queue-full': return 'queue full';
    case 'invalid-input': return `invalid ${e.field}`;
    case 'not-allowed': return 'not allowed';
    default: return e && e.message ? e.message : String(err);
  }
}
