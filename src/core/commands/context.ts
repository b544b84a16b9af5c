// Addressing the outlets of multi-outlet strips (HS300, KP303, KP400) via a top-level
// `context: {child_ids: [...]}`. A child id is the strip's deviceId plus a two-digit index.

import { Command, isObject, JsonObject } from './command';
import { ValidationError } from '../errors';
import { own } from './validate';

// Child ids are the 40-digit deviceId plus 2 digits; allow some slack for other models.
const CHILD_ID = /^[0-9A-Za-z]{1,64}$/;

/** A new command whose request carries `context.child_ids`; `cmd` is left untouched. */
export function withContext(cmd: Command, childIds: string[]): Command {
  if (!Array.isArray(childIds) || childIds.length === 0) {
    throw new ValidationError('child_ids', 'a non-empty list of child ids', childIds);
  }
  const ids = childIds.map((id, i) => {
    if (typeof id !== 'string' || !CHILD_ID.test(id)) throw new ValidationError(`child_ids[${i}]`, 'a child id (letters and digits)', id);
    return id;
  });
  const request: JsonObject = { context: { child_ids: ids } };
  for (const key of Object.keys(cmd.request)) {
    // defineProperty: a "__proto__" key in a raw request stays a plain field.
    if (key !== 'context') Object.defineProperty(request, key, { value: cmd.request[key], enumerable: true, writable: true, configurable: true });
  }
  return { ...cmd, request };
}

/**
 * The full child id of one outlet of a strip, from its get_sysinfo. `outlet` is a 0-based
 * index (number or numeric string; it matches the id's two-digit suffix, 0 -> "<deviceId>00"),
 * a two-digit short id ("01") or a full child id. Children listed with short ids only are
 * completed with the strip's deviceId.
 */
export function resolveChildId(sysinfo: unknown, outlet: unknown): string {
  const children = isObject(sysinfo) ? own(sysinfo, 'children') : undefined;
  if (!Array.isArray(children) || children.length === 0) {
    throw new ValidationError('outlet', 'no outlet, because this device has no outlets (it is not a multi-outlet strip)', outlet);
  }
  const deviceId = own(sysinfo as object, 'deviceId');
  const ids = children.map((child) => fullId(child, deviceId));
  const suffixes = ids.map((id) => id.slice(-2));

  let found: string | undefined;
  if (typeof outlet === 'number' && Number.isInteger(outlet) && outlet >= 0 && outlet <= 99) {
    found = ids[suffixes.indexOf(pad2(outlet))];
  } else if (typeof outlet === 'string' && /^\d{1,2}$/.test(outlet.trim())) {
    found = ids[suffixes.indexOf(pad2(Number(outlet.trim())))];
  } else if (typeof outlet === 'string' && outlet.length > 2) {
    const wanted = outlet.trim().toUpperCase();
    found = ids.find((id) => id.toUpperCase() === wanted);
  }
  if (found === undefined) {
    const sorted = suffixes.map(Number).sort((a, b) => a - b);
    const range = `${sorted[0]} to ${sorted[sorted.length - 1]}`;
    throw new ValidationError('outlet', `an outlet index from ${range} (this strip has ${ids.length}), a two-digit id or a full child id`, outlet);
  }
  return found;
}

function fullId(child: unknown, deviceId: unknown): string {
  const id = isObject(child) ? own(child, 'id') : undefined;
  if (typeof id !== 'string' || !CHILD_ID.test(id)) throw new ValidationError('sysinfo.children[].id', 'a child id', id);
  if (id.length > 2) return id;
  if (typeof deviceId !== 'string' || !CHILD_ID.test(deviceId)) {
    throw new ValidationError('sysinfo.deviceId', 'the strip deviceId (its children list short ids only)', deviceId);
  }
  return deviceId + id.padStart(2, '0');
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface OutletInfo {
  /** 0-based index, from the id's two-digit suffix (the list position if it has none) */
  index: number;
  /** full child id (short ids completed with the strip's deviceId) */
  id: string;
  alias: string;
  on: boolean;
}

/**
 * The outlets a strip lists in get_sysinfo.children (empty for single plugs), for
 * showing and watching them. Unlike resolveChildId it never throws: an entry without
 * an id is skipped.
 */
export function listOutlets(sysinfo: unknown): OutletInfo[] {
  const children = isObject(sysinfo) ? own(sysinfo, 'children') : undefined;
  if (!Array.isArray(children)) return [];
  const deviceId = String(own(sysinfo as object, 'deviceId') ?? '');
  const out: OutletInfo[] = [];
  children.forEach((c, i) => {
    if (!isObject(c) || typeof c.id !== 'string') return;
    const id = c.id.length <= 2 ? deviceId + c.id.padStart(2, '0') : c.id;
    const suffix = Number(id.slice(-2));
    out.push({ index: Number.isInteger(suffix) ? suffix : i, id, alias: typeof c.alias === 'string' ? c.alias : '', on: c.state === 1 });
  });
  return out;
}
