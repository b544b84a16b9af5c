// `tplink-system`: device settings and maintenance (sysinfo, LED, alias, location,
// time, timezone, cloud, Wi-Fi scan, reboot) and, only when the node explicitly
// allows it, the commands that can break a device. Passwords come from the node's
// credentials only and never reach messages, status or errors (core/commands/secret.ts).

import { migrate } from './common/migrate';
import { text } from './common/status';
import type { NodeAPI, Node } from 'node-red';
import { NotAllowedError, UnsupportedError, ValidationError } from './core/errors';
import type { Capability, DeviceModel } from './core/model/device-model';
import { Command, isObject, JsonObject } from './core/commands/command';
import { copyOwn } from './core/commands/copy';
import { publicArgs, publicError, publicReply } from './core/commands/secret';
import * as system from './core/commands/system';
import * as time from './core/commands/time';
import * as cloud from './core/commands/cloud';
import * as netif from './core/commands/netif';
import { bool, own } from './core/commands/validate';
import { setupActionNode, ActionNodeDef, Msg } from './common/action-node';

interface SystemDef extends ActionNodeDef {
  action: string;
  allowDestructive?: boolean;
  // editor arguments, as strings (read by each Spec.editor)
  led?: string;
  alias?: string;
  latitude?: string;
  longitude?: string;
  tzIndex?: string;
  delay?: string;
  scanTimeout?: string;
  mac?: string;
  devId?: string;
  hwId?: string;
  testMode?: string;
  url?: string;
  ssid?: string;
  keyType?: string;
  username?: string;
  server?: string;
}

type Args = Record<string, unknown>;
type Out = { payload: unknown; statusText: string };

interface Spec {
  /** argument keys msg.payload may carry (besides "action") */
  keys: string[];
  editor: (c: SystemDef) => Args;
  build: (a: Args, password: string | undefined) => Command;
  /** payload and status after success; default: get → result, set → arguments sent */
  out?: (result: JsonObject, a: Args) => Out;
}

/** Editor text → number when it is one, else the text itself (so the error shows it). */
function n(v: string | undefined): unknown {
  const s = String(v ?? '').trim();
  if (s === '') return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : s;
}

/** Editor text, or undefined when empty. */
function s(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** Only the keys that have a value, so the builders' defaults apply. */
function defined(o: Args): Args {
  const out: Args = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

const none = (): Args => ({});
const get = (build: () => Command): Spec => ({ keys: [], editor: none, build });

const SPECS: Record<string, Spec> = {
  sysinfo: {
    ...get(system.getSysinfo),
    out: (r) => ({ payload: r, statusText: typeof r.alias === 'string' ? r.alias : text('sysinfo') }),
  },
  led: {
    keys: ['on'],
    editor: (c) => ({ on: c.led !== 'off' }),
    build: (a) => system.setLedOff(!bool('on', own(a, 'on'))),
    out: (_r, a) => {
      const on = bool('on', own(a, 'on'));
      return { payload: { led: on }, statusText: text(on ? 'ledOn' : 'ledOff') };
    },
  },
  alias: {
    keys: ['alias'],
    editor: (c) => defined({ alias: s(c.alias) }),
    build: (a) => system.setAlias(own(a, 'alias') as string),
    out: (_r, a) => ({ payload: { alias: own(a, 'alias') }, statusText: String(own(a, 'alias')) }),
  },
  location: {
    keys: ['latitude', 'longitude'],
    editor: (c) => defined({ latitude: n(c.latitude), longitude: n(c.longitude) }),
    build: (a) => system.setLocation(a as unknown as system.Location),
  },
  time: {
    ...get(time.getTime),
    out: (r) => ({ payload: r, statusText: [r.hour, r.min, r.sec].map((x) => String(x).padStart(2, '0')).join(':') }),
  },
  timezone: { ...get(time.getTimezone), out: (r) => ({ payload: r, statusText: text('timezone', { index: r.index }) }) },
  'set-timezone': {
    keys: ['index', 'date'],
    editor: (c) => defined({ index: n(c.tzIndex) }),
    build: (a) => time.setTimezone(a as unknown as time.TimezoneSetting),
  },
  'cloud-info': { ...get(cloud.getInfo), out: (r) => ({ payload: r, statusText: text(r.binded === 1 ? 'cloudBound' : 'cloudNotBound') }) },
  scan: {
    keys: ['refresh', 'timeout'],
    editor: (c) => defined({ timeout: n(c.scanTimeout) }),
    build: (a) => netif.getScanInfo(a),
    out: (r) => ({ payload: r, statusText: text('networks', { count: Array.isArray(r.ap_list) ? r.ap_list.length : 0 }) }),
  },
  reboot: {
    keys: ['delay'],
    editor: (c) => defined({ delay: n(c.delay) }),
    build: (a) => system.reboot(own(a, 'delay') as number | undefined),
  },
  // ---- commands that can break a device (docs/protocol.md) ----
  reset: {
    keys: ['delay'],
    editor: (c) => defined({ delay: n(c.delay) }),
    build: (a) => system.reset(own(a, 'delay') as number | undefined),
  },
  'set-mac': { keys: ['mac'], editor: (c) => defined({ mac: s(c.mac) }), build: (a) => system.setMac(own(a, 'mac') as string) },
  'set-device-id': {
    keys: ['deviceId'],
    editor: (c) => defined({ deviceId: s(c.devId) }),
    build: (a) => system.setDeviceId(own(a, 'deviceId') as string),
  },
  'set-hw-id': { keys: ['hwId'], editor: (c) => defined({ hwId: s(c.hwId) }), build: (a) => system.setHwId(own(a, 'hwId') as string) },
  'test-mode': {
    keys: ['enable'],
    editor: (c) => ({ enable: c.testMode === 'on' }),
    build: (a) => system.setTestMode(own(a, 'enable') as boolean),
  },
  'download-firmware': {
    keys: ['url'],
    editor: (c) => defined({ url: s(c.url) }),
    build: (a) => system.downloadFirmware(own(a, 'url') as string),
  },
  'flash-firmware': { keys: [], editor: none, build: () => system.flashFirmware() },
  'join-wifi': {
    keys: ['ssid', 'keyType'],
    editor: (c) => defined({ ssid: s(c.ssid), keyType: n(c.keyType) }),
    build: (a, password) => netif.setStaInfo(defined({ ...a, password }) as unknown as netif.StaInfo),
  },
  'cloud-bind': {
    keys: ['username'],
    editor: (c) => defined({ username: s(c.username) }),
    build: (a, password) => cloud.bind({ username: own(a, 'username') as string, password: password as string }),
  },
  'cloud-unbind': { keys: [], editor: none, build: () => cloud.unbind() },
  'cloud-server': {
    keys: ['server'],
    editor: (c) => defined({ server: s(c.server) }),
    build: (a) => cloud.setServerUrl(own(a, 'server') as string),
  },
};

const ACTION_NAMES = Object.keys(SPECS);

/** module.method of each destructive action, for the refusal message. */
const DESTRUCTIVE_NAMES: Record<string, string> = {
  reset: 'system.reset',
  'set-mac': 'system.set_mac_addr',
  'set-device-id': 'system.set_device_id',
  'set-hw-id': 'system.set_hw_id',
  'test-mode': 'system.set_test_mode',
  'download-firmware': 'system.download_firmware',
  'flash-firmware': 'system.flash_firmware',
  'join-wifi': 'netif.set_stainfo',
  'cloud-bind': 'cnCloud.bind',
  'cloud-unbind': 'cnCloud.unbind',
  'cloud-server': 'cnCloud.set_server_url',
};
const GETS = new Set(['sysinfo', 'time', 'timezone', 'cloud-info', 'scan']);

/** The node's setting wins unless it is "msg"; then msg.action, else msg.payload.action. */
function actionOf(setting: string, msg: Msg): string {
  if (setting !== 'msg') {
    if (Object.prototype.hasOwnProperty.call(SPECS, setting)) return setting;
    throw new ValidationError('action', 'an action chosen in the node', setting);
  }
  const fromMsg = msg.action !== undefined;
  const v = fromMsg ? msg.action : isObject(msg.payload) ? own(msg.payload, 'action') : undefined;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(SPECS, v)) return v;
  throw new ValidationError(fromMsg ? 'action' : 'payload.action', `one of ${ACTION_NAMES.join(', ')}`, v);
}

/** Arguments from msg.payload (an object; anything else carries none). */
function payloadArgs(payload: unknown, spec: Spec): Args {
  if (!isObject(payload)) return {};
  const out: Args = {};
  for (const key of Object.keys(payload)) {
    if (key === 'action') continue;
    // Secrets belong in the node's credentials; the value is not echoed.
    if (key === 'password') throw new ValidationError('payload.password', 'no password in the message: set it in the node\'s credentials');
    if (!spec.keys.includes(key)) {
      throw new ValidationError(`payload.${key}`, spec.keys.length ? `only the fields ${spec.keys.join(', ')}` : 'no arguments for this action');
    }
    out[key] = payload[key];
  }
  return out;
}

function withoutErrCode(o: JsonObject): JsonObject {
  const out = copyOwn(o);
  delete out.err_code;
  delete out.err_msg;
  return out;
}

/** Which capability an IOT-only action needs (a SMART device has none of them). */
const IOT_ONLY: Record<string, Capability> = {
  location: 'location', time: 'time', timezone: 'time', 'set-timezone': 'time', 'cloud-info': 'cloud',
  'cloud-bind': 'cloud', 'cloud-unbind': 'cloud', 'cloud-server': 'cloud', scan: 'wifi-scan', 'join-wifi': 'wifi-scan',
};

/**
 * Tapo / SMART Kasa: what such a device has (info, LED, alias, reboot) through the
 * device model; every other action is refused naming the device, nothing sent for it.
 */
async function smartSystem(m: DeviceModel, action: string, a: Args, outlet: string | number | undefined): Promise<{ payload: unknown; reply: unknown; statusText: string }> {
  switch (action) {
    case 'sysinfo': {
      const { value, reply } = await m.info();
      return { payload: value, reply, statusText: value.alias || text('sysinfo') };
    }
    case 'led': {
      const on = bool('on', own(a, 'on'));
      const { value, reply } = await m.setLed(on);
      return { payload: value, reply, statusText: text(on ? 'ledOn' : 'ledOff') };
    }
    case 'alias': {
      const { value, reply } = await m.setAlias(own(a, 'alias') as string, outlet);
      return { payload: value, reply, statusText: value.alias };
    }
    case 'reboot': {
      const { value, reply } = await m.reboot(own(a, 'delay') as number | undefined);
      return { payload: value, reply, statusText: text('actionOk', { action }) };
    }
  }
  const cap = own(IOT_ONLY, action);
  if (typeof cap === 'string') await m.require(cap as Capability);
  const info = await m.info();
  throw new UnsupportedError(`the "${action}" action`, info.value.model || 'unknown model', 'SMART');
}

export = function (RED: NodeAPI) {
  function TplinkSystemNode(this: Node & { credentials?: { password?: string } }, config: SystemDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-system', config); // flows saved by older versions
    const node = this;
    const allowDestructive = config.allowDestructive === true;

    setupActionNode(RED, node, config, async (msg, { device, outlet }) => {
      const action = actionOf(config.action || 'sysinfo', msg);
      const spec = SPECS[action];
      // Refuse before looking at arguments: nothing about a refused command is sent or echoed.
      const name = own(DESTRUCTIVE_NAMES, action);
      if (typeof name === 'string' && !allowDestructive) throw new NotAllowedError(name);
      const password = node.credentials && node.credentials.password ? node.credentials.password : undefined;
      const editor = config.action === 'msg' ? {} : spec.editor(config);
      const args = { ...editor, ...payloadArgs(msg.payload, spec) };
      if (await device.session.isSmart()) return smartSystem(await device.session.model(), action, args, outlet);
      const cmd = spec.build(args, password);
      if (cmd.destructive && !allowDestructive) throw new NotAllowedError(`${cmd.module}.${cmd.method}`);
      // sysinfo of the whole device goes through the config node's cache, so msg.device gets the fresh alias.
      let answer: { result: JsonObject; reply: JsonObject };
      try {
        answer = action === 'sysinfo' && outlet === undefined
          ? await device.sysinfo(true).then((sys) => ({ result: sys, reply: { system: { get_sysinfo: sys } } }))
          : await device.run(cmd, outlet);
      } catch (err) {
        throw publicError(cmd, err);
      }
      const { result, reply } = answer;
      const clean = withoutErrCode(result);
      const out: Out = spec.out
        ? spec.out(clean, args)
        : GETS.has(action)
          ? { payload: clean, statusText: action }
          : { payload: publicArgs(cmd), statusText: text('actionOk', { action }) };
      // The password is only in the requests of commands that carry it (cmd.secretArgs):
      // their outputs are built without it, nothing else is searched or rewritten.
      return { payload: out.payload, reply: publicReply(cmd, reply), statusText: out.statusText };
    });
  }
  RED.nodes.registerType('tplink-system', TplinkSystemNode as never, {
    credentials: { password: { type: 'password' } },
  } as never);
};
