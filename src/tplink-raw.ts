// `tplink-raw`: sends any request object (module → method → arguments) and outputs
// the whole reply. The request is rebuilt from validated data, never sent as given,
// and commands that can break a device need the node's explicit permission.

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { NotAllowedError, ValidationError } from './core/errors';
import { checkReply, Json, JsonObject, isObject } from './core/commands/command';
import { destructiveMethodsOf } from './core/commands/destructive';
import { resolveChildId } from './core/commands/context';
import { setupActionNode, ActionNodeDef } from './common/action-node';
import type { ActionContext } from './common/action-node';

type DeviceConfigNode = ActionContext['device'];

interface RawDef extends ActionNodeDef {
  request?: string;
  allowDestructive?: boolean;
  checkErrors?: boolean;
}

/** A request is small: the largest real one (set_dev_icon) is about 32 KiB. */
const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_DEPTH = 16;
// Module names may be dotted ("smartlife.iot.common.emeter"); method names are identifiers.
const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const CHILD_ID = /^[0-9A-Za-z]{1,64}$/;
const EXPECTED = 'a JSON object of module → method → arguments, e.g. {"system":{"get_sysinfo":{}}}';

/** A deep copy of a JSON value; anything that is not plain JSON, or a "__proto__" key, is refused. */
function copyJson(v: unknown, path: string, depth: number): Json {
  if (depth > MAX_DEPTH) throw new ValidationError(path, `at most ${MAX_DEPTH} levels of nesting`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValidationError(path, 'a finite number', v);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => copyJson(x, `${path}[${i}]`, depth + 1));
  if (isObject(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: JsonObject = {};
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw new ValidationError(`${path}.__proto__`, 'no "__proto__" key');
      out[key] = copyJson(v[key], `${path}.${key}`, depth + 1);
    }
    return out;
  }
  throw new ValidationError(path, 'plain JSON (objects, arrays, strings, numbers, true/false, null)', v);
}

/** Parses and checks a request: a string is JSON text, an object is taken as is. */
function parseRequest(input: unknown, field: string): JsonObject {
  let value = input;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > MAX_REQUEST_BYTES) throw new ValidationError(field, `JSON of at most ${MAX_REQUEST_BYTES} bytes`, input);
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ValidationError(field, `valid JSON (${(err as Error).message})`, input);
    }
  }
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
    if (!MODULE_NAME.test(module)) throw new ValidationError(`${field}.${module}`, 'a module name (letters, digits, ".", "_", "-")');
    if (!isObject(methods) || Object.keys(methods).length === 0) {
      throw new ValidationError(`${field}.${module}`, 'an object of method → arguments, e.g. {"get_sysinfo":{}}', methods);
    }
    for (const method of Object.keys(methods)) {
      if (!METHOD_NAME.test(method)) throw new ValidationError(`${field}.${module}.${method}`, 'a method name (letters, digits, "_")');
    }
  }
  if (Buffer.byteLength(JSON.stringify(request), 'utf8') > MAX_REQUEST_BYTES) {
    throw new ValidationError(field, `a request of at most ${MAX_REQUEST_BYTES} bytes`);
  }
  return request;
}

function checkContext(v: unknown, field: string): void {
  const ids = isObject(v) && Object.keys(v).length === 1 ? v.child_ids : undefined;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && CHILD_ID.test(id))) {
    throw new ValidationError(field, '{"child_ids": ["<child id>", …]}', v);
  }
}

/** The request addressed to one outlet of a strip (re-reading sysinfo once if the id is unknown). */
async function forOutlet(device: DeviceConfigNode, request: JsonObject, outlet: string | number): Promise<JsonObject> {
  if (Object.prototype.hasOwnProperty.call(request, 'context')) {
    throw new ValidationError('outlet', 'no outlet when the request carries its own "context"', outlet);
  }
  let id: string;
  try {
    id = resolveChildId(await device.sysinfo(), outlet);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    id = resolveChildId(await device.sysinfo(true), outlet); // the cached list may be stale
  }
  return { context: { child_ids: [id] }, ...request };
}

/** The first non-zero err_code of a reply, for the status text. */
function firstErrCode(reply: unknown): number | undefined {
  if (!isObject(reply)) return undefined;
  for (const mod of Object.values(reply)) {
    if (!isObject(mod)) continue;
    if (typeof mod.err_code === 'number' && mod.err_code !== 0) return mod.err_code;
    for (const res of Object.values(mod)) {
      if (isObject(res) && typeof res.err_code === 'number' && res.err_code !== 0) return res.err_code;
    }
  }
  return undefined;
}

export = function (RED: NodeAPI) {
  function TplinkRawNode(this: Node, config: RawDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-raw', config); // flows saved by older versions
    const allowDestructive = config.allowDestructive === true;
    const checkErrors = config.checkErrors !== false;
    const fixed = String(config.request ?? '').trim();

    setupActionNode(RED, this, config, async (msg, { device, outlet }) => {
      // The editor's request, when set, is the node's job; otherwise the message carries it.
      const request = fixed !== '' ? parseRequest(fixed, 'request') : parseRequest(msg.payload, 'payload');
      const refused = destructiveMethodsOf(request);
      if (refused.length > 0 && !allowDestructive) throw new NotAllowedError(refused.join(', '));
      const sent = outlet === undefined ? request : await forOutlet(device, request, outlet);
      const reply = await device.send(sent);
      if (checkErrors) checkReply(sent, reply);
      const code = firstErrCode(reply);
      return code === undefined
        ? { payload: reply, statusText: text('ok') }
        : { payload: reply, statusText: text('errCode', { code }), statusFill: 'grey' };
    });
  }
  RED.nodes.registerType('tplink-raw', TplinkRawNode as never);
};
