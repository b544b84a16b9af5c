// A raw request (module → method → arguments) from a user: the tplink-raw node's
// payload or editor text, the CLI's -j. It is rebuilt from checked plain JSON,
// never sent as given, and the module and method names must follow the
// protocol's grammar before the device-changing guard looks at them: the guard
// compares names, so "system." or "system_" must never get as far as the device.

import { Json, JsonObject, isObject } from './commands/command';
import { destructiveMethodsOf } from './commands/destructive';
import { NotAllowedError, ValidationError } from './errors';

/** A request is small: the largest real one (set_dev_icon) is about 32 KiB. */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_REQUEST_DEPTH = 16;

// The protocol's module names are words of letters and digits joined by "_"
// (count_down, anti_theft), in dotted families (smartlife.iot.common.emeter);
// method names are such words (get_sysinfo, set_mac_addr). Nothing else:
// no leading, trailing or doubled "_" or ".", no "-", no spaces.
const WORD = '[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*';
const MODULE_NAME = new RegExp(`^${WORD}(?:\\.${WORD})*$`);
const METHOD_NAME = new RegExp(`^${WORD}$`);
const MAX_NAME_LENGTH = 64;
const CHILD_ID = /^[0-9A-Za-z]{1,64}$/;
const EXPECTED = 'a JSON object of module → method → arguments, e.g. {"system":{"get_sysinfo":{}}}';

const objectSource = Function.prototype.toString.call(Object);

/**
 * A plain object from any realm: a Function node's objects come from its own vm
 * context, whose Object.prototype is not ours, so prototypes are not compared
 * with this realm's. A class instance, Date, Map … is not plain.
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!isObject(v) || Object.prototype.toString.call(v) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === null) return true;
  if (Object.getPrototypeOf(proto) !== null) return false; // its prototype has a prototype: a class instance
  const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (proto as { constructor: unknown }).constructor : undefined;
  return typeof ctor === 'function' && Function.prototype.toString.call(ctor) === objectSource;
}

/** A deep copy of a JSON value; anything that is not plain JSON, or a "__proto__" key, is refused. */
function copyJson(v: unknown, path: string, depth: number): Json {
  if (depth > MAX_REQUEST_DEPTH) throw new ValidationError(path, `at most ${MAX_REQUEST_DEPTH} levels of nesting`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValidationError(path, 'a finite number', v);
    return v;
  }
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (let i = 0; i < v.length; i++) out.push(copyJson(v[i], `${path}[${i}]`, depth + 1));
    return out;
  }
  if (isPlainObject(v)) {
    const out: JsonObject = {};
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw new ValidationError(`${path}.__proto__`, 'no "__proto__" key');
      out[key] = copyJson(v[key], `${path}.${key}`, depth + 1);
    }
    return out;
  }
  throw new ValidationError(path, 'plain JSON (objects, arrays, strings, numbers, true/false, null)', v);
}

function checkContext(v: unknown, field: string): void {
  const ids = isObject(v) && Object.keys(v).length === 1 ? v.child_ids : undefined;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && CHILD_ID.test(id))) {
    throw new ValidationError(field, '{"child_ids": ["<child id>", …]}', v);
  }
}

/** A string is JSON text (bounded in size), parsed; anything else is returned as given. */
function fromJsonText(input: unknown, field: string): unknown {
  if (typeof input !== 'string') return input;
  if (Buffer.byteLength(input, 'utf8') > MAX_REQUEST_BYTES) throw new ValidationError(field, `JSON of at most ${MAX_REQUEST_BYTES} bytes`, input);
  try {
    return JSON.parse(input);
  } catch (err) {
    throw new ValidationError(field, `valid JSON (${(err as Error).message})`, input);
  }
}

/**
 * Parses and checks a raw request: a string is JSON text, an object is copied.
 * `field` names the input in errors ("payload", "request", "-j"). Throws a
 * ValidationError naming the offending field; returns a fresh plain copy.
 */
export function parseRawRequest(input: unknown, field: string): JsonObject {
  const value = fromJsonText(input, field);
  if (!isObject(value)) throw new ValidationError(field, EXPECTED, value);
  const request = copyJson(value, field, 0) as JsonObject;
  const modules = Object.keys(request);
  if (modules.filter((m) => m !== 'context').length === 0) throw new ValidationError(field, EXPECTED, value);
  for (const module of modules) {
    const methods = request[module];
    if (module === 'context') {
      checkContext(methods, `${field}.context`);
      continue;
    }
    if (module.length > MAX_NAME_LENGTH || !MODULE_NAME.test(module)) {
      throw new ValidationError(`${field}.${module}`, 'a module name: words of letters and digits joined by "_", dotted families, e.g. "system", "count_down" or "smartlife.iot.common.emeter"');
    }
    if (!isObject(methods) || Object.keys(methods).length === 0) {
      throw new ValidationError(`${field}.${module}`, 'an object of method → arguments, e.g. {"get_sysinfo":{}}', methods);
    }
    for (const method of Object.keys(methods)) {
      if (method.length > MAX_NAME_LENGTH || !METHOD_NAME.test(method)) {
        throw new ValidationError(`${field}.${module}.${method}`, 'a method name: words of letters and digits joined by "_", e.g. "get_sysinfo"');
      }
    }
  }
  if (Buffer.byteLength(JSON.stringify(request), 'utf8') > MAX_REQUEST_BYTES) {
    throw new ValidationError(field, `a request of at most ${MAX_REQUEST_BYTES} bytes`);
  }
  return request;
}

/** The device-changing "module.method" names of a request checked by parseRawRequest (empty when none). */
export function deviceChangingMethods(request: JsonObject): string[] {
  return destructiveMethodsOf(request);
}

/** The device-changing guard: throws NotAllowedError naming the methods unless allowed. */
export function refuseDeviceChanging(request: JsonObject, allowed: boolean): void {
  const found = deviceChangingMethods(request);
  if (found.length > 0 && !allowed) throw new NotAllowedError(found.join(', '));
}

// ---- SMART devices (Tapo, SMART Kasa): {"method":…, "params":…} ----------------------

/** Most requests one raw SMART batch may carry. */
export const MAX_SMART_BATCH = 16;

/**
 * SMART methods that can break a device or take it off the network, refused
 * unless allowed: factory reset, firmware, Wi-Fi and cloud binding changes. Named
 * ones first; the patterns catch variants of the same families (refusing too much
 * is the safe side: "allow device-changing commands" lets them through).
 */
export const SMART_DEVICE_CHANGING = ['device_reset', 'fw_download', 'fw_upgrade', 'set_qs_info', 'set_wifi', 'connect_wifi', 'bind_cloud', 'unbind_cloud', 'set_cloud_url'];
const SMART_CHANGING_PATTERN = /(reset|fw_|firmware|wifi|wireless|qs_info|cloud|bind|account)/i;
const SMART_METHOD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const SMART_EXPECTED = 'a SMART request {"method": "<name>", "params": {…}} or an array of them, e.g. {"method":"get_device_info"}';

export interface SmartRawRequest {
  method: string;
  params?: JsonObject | null;
}

function smartOne(v: unknown, path: string): SmartRawRequest {
  if (!isPlainObject(v)) throw new ValidationError(path, SMART_EXPECTED, v);
  for (const key of Object.keys(v)) {
    if (key !== 'method' && key !== 'params') throw new ValidationError(`${path}.${key}`, 'only "method" and "params"');
  }
  const method = v.method;
  if (typeof method !== 'string' || !SMART_METHOD.test(method)) throw new ValidationError(`${path}.method`, 'a SMART method name (letters, digits, "_", e.g. "get_device_info")', method);
  if (method === 'multipleRequest' || method === 'control_child') {
    throw new ValidationError(`${path}.method`, 'a device method (send an array for a batch; the node\'s outlet setting addresses a strip outlet)', method);
  }
  const out: SmartRawRequest = { method };
  if (Object.prototype.hasOwnProperty.call(v, 'params')) {
    const p = v.params;
    if (p !== null && !isPlainObject(p)) throw new ValidationError(`${path}.params`, 'an object or null', p);
    out.params = p === null ? null : (copyJson(p, `${path}.params`, 1) as JsonObject);
  }
  return out;
}

/**
 * Parses and checks a raw SMART request: one {method, params} or an array (a batch,
 * sent as multipleRequest). A string is JSON text. Returns fresh plain copies.
 */
export function parseSmartRawRequest(input: unknown, field: string): SmartRawRequest[] {
  const value = fromJsonText(input, field);
  let list: SmartRawRequest[];
  if (Array.isArray(value)) {
    if (value.length === 0 || value.length > MAX_SMART_BATCH) throw new ValidationError(field, `an array of 1 to ${MAX_SMART_BATCH} SMART requests`, value);
    list = value.map((r, i) => smartOne(r, `${field}[${i}]`));
  } else list = [smartOne(value, field)];
  if (Buffer.byteLength(JSON.stringify(list), 'utf8') > MAX_REQUEST_BYTES) throw new ValidationError(field, `a request of at most ${MAX_REQUEST_BYTES} bytes`);
  return list;
}

/** The device-changing SMART method names of a parsed request (empty when none). */
export function smartDeviceChangingMethods(list: readonly SmartRawRequest[]): string[] {
  return list.map((r) => r.method).filter((m) => SMART_DEVICE_CHANGING.includes(m) || (!/^get_/.test(m) && SMART_CHANGING_PATTERN.test(m)));
}

/** The SMART device-changing guard: throws NotAllowedError naming the methods unless allowed. */
export function refuseSmartDeviceChanging(list: readonly SmartRawRequest[], allowed: boolean): void {
  const found = smartDeviceChangingMethods(list);
  if (found.length > 0 && !allowed) throw new NotAllowedError(found.join(', '));
}
