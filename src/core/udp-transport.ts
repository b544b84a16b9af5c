// UDP: one datagram each way, same cipher, no length header. A socket per
// request, so a late answer to one request can never reach another.

import * as dgram from 'dgram';
import { encrypt, decrypt } from './cipher';
import { ProtocolError, TimeoutError, UnreachableError } from './errors';

/** Sends one request and resolves with the decrypted text of the first datagram from host:port. */
export function udpRequest(host: string, port: number, payload: Buffer, timeout: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    let done = false;
    const finish = (err: Error | null, text?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(text as string);
    };
    const timer = setTimeout(() => finish(new TimeoutError(host, port, timeout, 'UDP reply')), timeout);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(new UnreachableError(host, port, err.code ?? err.message, err)));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== port) return; // someone else's datagram
      finish(null, decrypt(msg));
    });
    socket.send(payload, port, host, (err) => {
      if (err) finish(new UnreachableError(host, port, (err as NodeJS.ErrnoException).code ?? err.message, err));
    });
  });
}

/** Encrypts a request object for UDP. */
export function encodeUdp(request: unknown): Buffer {
  return encrypt(JSON.stringify(request));
}

/** Most levels of nesting accepted in a reply (real replies have fewer than 10). */
export const MAX_REPLY_DEPTH = 64;

export function parseJson(text: string, from: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`reply from ${from} is not JSON (${text.length} bytes after decryption; a non-Kasa device or a garbled reply)`);
  }
  // A hostile reply nested thousands of levels deep parses, but then breaks every
  // recursive consumer downstream (message cloning, JSON.stringify): refuse it here.
  if (nestedDeeper(text, MAX_REPLY_DEPTH)) {
    throw new ProtocolError(`reply from ${from} is nested more than ${MAX_REPLY_DEPTH} levels deep; refused`);
  }
  return value;
}

/** True when valid JSON text nests objects/arrays deeper than `max` (brackets inside strings don't count). */
function nestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
