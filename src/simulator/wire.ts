// Bytes a reply turns into on the wire, normally or under a payload fault.

import { randomBytes } from 'crypto';
import { decrypt, encrypt } from '../core/cipher';
import { Fault } from './faults';
import { Reply } from './replies';

/** Random bytes guaranteed not to decrypt to JSON. */
export function garbageBytes(n: number): Buffer {
  for (;;) {
    const b = randomBytes(Math.max(8, n));
    try {
      JSON.parse(decrypt(b));
    } catch {
      return b;
    }
  }
}

/** The encrypted reply body (no header) for a normal reply or a payload fault. */
export function replyBody(reply: Reply, fault: Fault | null): Buffer {
  const json = JSON.stringify(reply);
  switch (fault?.type) {
    case 'garbage':
      return garbageBytes(json.length);
    case 'non-json':
      return encrypt(fault.text ?? '<html><body><h1>400 Bad Request</h1></body></html>');
    case 'wrong-shape':
      return encrypt(JSON.stringify(fault.body ?? { foo: 1 }));
    default:
      return encrypt(json);
  }
}

export function header(length: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(length >>> 0, 0);
  return h;
}
