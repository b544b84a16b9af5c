// The parameters an admin request may carry, checked before any default applies.
// A body that is not an object (an array, a text Node-RED could not parse) or a
// misspelt parameter would otherwise be ignored, and the defaults (e.g. the
// 255.255.255.255 broadcast) would be used instead of what the caller meant.

import type { Request } from 'express';
import { ValidationError } from '../core/errors';
import { isObject } from '../core/commands/command';

/** Throws a ValidationError unless the request's body is absent or an object, and every parameter is one of `allowed`. */
export function checkRequestParams(req: Request, allowed: readonly string[]): void {
  const body = req.body as unknown;
  const expected = `a JSON object with only ${allowed.join(', ')} (or those in the query string)`;
  if (body !== undefined && !isObject(body)) throw new ValidationError('body', expected, body);
  // A body the JSON/form parsers did not read (say text/plain) reaches us as {}: refuse it rather than ignore it.
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBytes = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBytes && !req.is(['application/json', 'application/x-www-form-urlencoded'])) {
    const type = String(req.headers['content-type'] ?? 'none').slice(0, 60);
    throw new ValidationError('body', `${expected}, sent as application/json or form fields (a ${type} body is not read)`);
  }
  for (const [where, o] of [['query', req.query], ['body', body]] as const) {
    if (!isObject(o)) continue;
    const unknown = Object.keys(o).find((k) => !allowed.includes(k));
    if (unknown !== undefined) throw new ValidationError(`${where}.${unknown.slice(0, 40)}`, `only the parameters ${allowed.join(', ')}`);
  }
}
