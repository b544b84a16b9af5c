// SMART devices keep names (nickname, ssid) as base64 of UTF-8.

import { ValidationError } from '../errors';
import { text } from '../commands/validate';

/** Longest nickname accepted, UTF-8 bytes. The devices' own limit is not documented; the app stops well short of this. */
export const NICKNAME_MAX_BYTES = 64;

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a base64 name. A value that is not canonical base64 of valid UTF-8 is
 * returned as it is (some firmware leaves fields unencoded); a non-string gives ''.
 */
export function decodeNickname(v: unknown): string {
  if (typeof v !== 'string') return '';
  if (!B64.test(v)) return v;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(v, 'base64'));
  } catch {
    return v;
  }
}

/** Checks and encodes a name for set_device_info / the child's nickname. */
export function encodeNickname(name: unknown, field = 'nickname'): string {
  const checked = text(field, name, { min: 1, max: NICKNAME_MAX_BYTES, what: 'a name' });
  if (checked.trim() === '') throw new ValidationError(field, 'a name that is not only spaces', name);
  return Buffer.from(checked, 'utf8').toString('base64');
}
