// Decoding a reply's JSON text: the one place for the size and depth guards,
// whatever transport carried it (XOR TCP/UDP, KLAP, AES) and for discovery answers.

import { ProtocolError } from './errors';

/** Most levels of nesting accepted in a reply (real replies have fewer than 10). */
export const MAX_REPLY_DEPTH = 64;

export function parseJson(text: string, from: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`reply from ${from} is not JSON (${text.length} bytes after decryption; a non-TP-Link device or a garbled reply)`);
  }
  // A hostile reply nested thousands of levels deep parses, but then breaks every
  // recursive consumer downstream (message cloning, JSON.stringify): refuse it here.
  if (nestedDeeper(text, MAX_REPLY_DEPTH)) {
    throw new ProtocolError(`reply from ${from} is nested more than ${MAX_REPLY_DEPTH} levels deep; refused`);
  }
  return value;
}

/** Parses a reply that must be a JSON object (every device reply is). */
export function parseReplyObject(text: string, from: string): Record<string, unknown> {
  const parsed = parseJson(text, from);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError(`reply from ${from} is JSON but not an object`);
  }
  return parsed as Record<string, unknown>;
}

/** True when valid JSON text nests objects/arrays deeper than `max` (brackets inside strings don't count). */
function nestedDeeper(text: string, max: number): boolean {
  // Depth can't exceed the number of opening brackets: a reply with no more than
  // `max` of them (nearly every reply) needs no character-by-character scan.
  if (openingBracketsAtMost(text, max)) return false;
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

/** Whether `text` holds at most `max` '{' and '[' in all (strings included), by native searches. */
function openingBracketsAtMost(text: string, max: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++n > max) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++n > max) return false;
  return true;
}
