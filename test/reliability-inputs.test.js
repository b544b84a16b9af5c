'use strict';
// Bad-input corpus: for every node and every action, wrong types, missing fields,
// out-of-range values, huge strings, prototype-pollution keys (via JSON.parse) and
// NaN. Each must give an error naming the field (ValidationError.field), a red
// status, no crash, no pollution, and the simulator must have received nothing.

const assert = require('assert');
const { helper, wired } = require('./support/nodes');
const { PlugSimulator } = require('../nodes/simulator');
const { crashWatch, loadFlow, send, reportWriter } = require('./support/fault-harness');
const { startKlapDevice, klapDeviceNode, klapCredentials } = require('./support/klap-devices');

const SECRET = 'Corpus-Secret-123';
const HUGE = 'x'.repeat(1024 * 1024); // 1 MiB
const proto = (json) => JSON.parse(json); // own "__proto__" keys, as JSON from the outside makes them

// Every action of every node, as node settings (for the destructive ones the
// permission is given, so their argument checks are what is tested here).
const ACTIONS = [
  ...['msg', 'on', 'off', 'toggle', 'get'].map((action) => ['tplink-relay', { action }]),
  ...['msg', 'realtime', 'daystat', 'monthstat', 'gains', 'erase'].map((action) => ['tplink-emeter', { action, allowErase: true }]),
  ...['msg', 'list', 'next', 'add', 'edit', 'delete', 'deleteAll', 'enableAll', 'disableAll'].map((operation) => ['tplink-schedule', { operation }]),
  ...['msg', 'get', 'add', 'edit', 'delete', 'deleteAll'].map((operation) => ['tplink-countdown', { operation }]),
  ...['msg', 'list', 'add', 'edit', 'delete', 'deleteAll', 'enableAll', 'disableAll'].map((operation) => ['tplink-antitheft', { operation }]),
  ...['msg', 'sysinfo', 'led', 'alias', 'location', 'time', 'timezone', 'set-timezone', 'cloud-info', 'scan', 'reboot',
    'reset', 'set-mac', 'set-device-id', 'set-hw-id', 'test-mode', 'download-firmware', 'flash-firmware', 'join-wifi',
    'cloud-bind', 'cloud-unbind', 'cloud-server'].map((action) => ['tplink-system', { action, allowDestructive: true }]),
  ['tplink-raw', {}],
  ['tplink-raw', { request: '{"system":{"get_sysinfo":{}}}' }],
];

const idOf = (type, props) => `${type.replace('tplink-', '')}-${props.action || props.operation || (props.request ? 'fixed' : 'payload')}`;

// [node type, node settings, msg, field the error must name, note]
const CASES = [
  // ---- relay ----
  ['tplink-relay', { action: 'msg' }, {}, 'payload', 'missing payload'],
  ['tplink-relay', { action: 'msg' }, { payload: 2 }, 'payload', 'out of range'],
  ['tplink-relay', { action: 'msg' }, { payload: NaN }, 'payload', 'NaN'],
  ['tplink-relay', { action: 'msg' }, { payload: [] }, 'payload', 'wrong type'],
  ['tplink-relay', { action: 'msg' }, { payload: { on: 'yes' } }, 'payload.on', 'wrong type'],
  ['tplink-relay', { action: 'msg' }, { payload: HUGE }, 'payload', 'huge string'],
  ['tplink-relay', { action: 'msg' }, { payload: proto('{"__proto__":{"on":true}}') }, 'payload', '__proto__'],
  ['tplink-relay', { action: 'msg' }, { payload: proto('{"constructor":{"prototype":{"on":true}}}') }, 'payload', 'constructor.prototype'],
  // ---- emeter ----
  ['tplink-emeter', { action: 'msg' }, {}, 'payload.action', 'missing action'],
  ['tplink-emeter', { action: 'msg' }, { action: 5 }, 'action', 'wrong type'],
  ['tplink-emeter', { action: 'msg' }, { action: HUGE }, 'action', 'huge string'],
  ['tplink-emeter', { action: 'msg' }, { payload: { action: 'reboot' } }, 'payload.action', 'unknown action'],
  ['tplink-emeter', { action: 'msg' }, { payload: proto('{"__proto__":{"action":"realtime"}}') }, 'payload.action', '__proto__'],
  ['tplink-emeter', { action: 'realtime' }, { payload: { yaer: 2024 } }, 'payload.yaer', 'unknown field'],
  ['tplink-emeter', { action: 'realtime' }, { payload: proto('{"__proto__":{"x":1}}') }, 'payload.__proto__', '__proto__'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 2024, month: 13 } }, 'payload.month', 'out of range'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 2024, month: 0 } }, 'payload.month', 'out of range'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 2024, month: NaN } }, 'payload.month', 'NaN'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: '2024', month: 1 } }, 'payload.year', 'wrong type'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 1999, month: 1 } }, 'payload.year', 'out of range'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 2024, month: 1.5 } }, 'payload.month', 'not whole'],
  ['tplink-emeter', { action: 'monthstat' }, { payload: { year: 2100 } }, 'payload.year', 'out of range'],
  ['tplink-emeter', { action: 'monthstat' }, { payload: { year: NaN } }, 'payload.year', 'NaN'],
  ['tplink-emeter', { action: 'monthstat' }, { payload: { year: HUGE } }, 'payload.year', 'huge string'],
  ['tplink-emeter', { action: 'monthstat', year: 'soon' }, {}, 'year', 'bad node setting'],
  ['tplink-emeter', { action: 'gains' }, { payload: { vgain: 1 } }, 'payload.vgain', 'unknown field'],
  ['tplink-emeter', { action: 'erase', allowErase: true }, { payload: { all: true } }, 'payload.all', 'unknown field'],
  // ---- schedule ----
  ['tplink-schedule', { operation: 'msg' }, {}, 'operation', 'missing operation'],
  ['tplink-schedule', { operation: 'msg' }, { operation: 'explode' }, 'operation', 'unknown operation'],
  ['tplink-schedule', { operation: 'msg' }, { operation: NaN }, 'operation', 'NaN'],
  ['tplink-schedule', { operation: 'msg' }, { operation: HUGE }, 'operation', 'huge string'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '25:00', action: 'on' } }, 'time', 'hour 25'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '12:60', action: 'on' } }, 'time', 'minute 60'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], action: 'on' } }, 'time', 'missing time'],
  ['tplink-schedule', { operation: 'add' }, { payload: { wday: [1, 0, 0, 1, 1, 0], time: '10:00', action: 'on' } }, 'wday', 'weekday list of 6'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: [1, 0, 0, 1, 1, 0], time: '10:00', action: 'on' } }, 'days', 'weekday list of 6'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon', 'funday'], time: '10:00', action: 'on' } }, 'days', 'unknown day'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '10:00', action: 'maybe' } }, 'action', 'bad action'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: 'sunrise', offset: NaN, action: 'on' } }, 'offset', 'NaN'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: 'sunrise', offset: 721, action: 'on' } }, 'offset', 'out of range'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], stime_opt: 0, smin: 1440, sact: 1 } }, 'smin', 'out of range'],
  ['tplink-schedule', { operation: 'add' }, { payload: { once: '2024-02-30', time: '10:00', action: 'on' } }, 'once', 'no such date'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '10:00', action: 'on', name: HUGE } }, 'name', 'huge string'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: HUGE, action: 'on' } }, 'time', 'huge string'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '10:00', action: 'on', colour: 'red' } }, 'rule.colour', 'unknown field'],
  ['tplink-schedule', { operation: 'add' }, { payload: proto('{"days":["mon"],"time":"10:00","action":"on","__proto__":{"enable":0}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '10:00', action: 'on', enabled: 'yes' } }, 'enabled', 'wrong type'],
  ['tplink-schedule', { operation: 'edit' }, { payload: { time: '10:00' } }, 'payload.id', 'missing id'],
  ['tplink-schedule', { operation: 'edit' }, { payload: { id: 'no spaces allowed', time: '10:00' } }, 'payload.id', 'bad id'],
  ['tplink-schedule', { operation: 'edit' }, { payload: { id: 'ABCD', time: '25:00' } }, 'time', 'hour 25'],
  ['tplink-schedule', { operation: 'edit' }, { payload: proto('{"id":"ABCD","__proto__":{"sact":1}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-schedule', { operation: 'delete' }, {}, 'payload.id', 'missing id'],
  ['tplink-schedule', { operation: 'delete' }, { payload: { id: 5 } }, 'payload.id', 'wrong type'],
  ['tplink-schedule', { operation: 'delete' }, { payload: HUGE }, 'payload', 'huge string'],
  // ---- countdown ----
  ['tplink-countdown', { operation: 'msg' }, { operation: 'start' }, 'operation', 'unknown operation'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: -1, action: 'on' } }, 'delay', 'delay -1'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 0, action: 'on' } }, 'delay', 'delay 0'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 86401, action: 'on' } }, 'delay', 'over a day'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: NaN, action: 'on' } }, 'delay', 'NaN'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: '60', action: 'on' } }, 'delay', 'wrong type'],
  ['tplink-countdown', { operation: 'add' }, { payload: { action: 'on' } }, 'delay', 'missing delay'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, action: 'maybe' } }, 'action', 'bad action'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, on: true, act: 0 } }, 'act', 'disagreeing forms'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, action: 'on', name: HUGE } }, 'name', 'huge string'],
  ['tplink-countdown', { operation: 'add' }, { payload: proto('{"delay":60,"action":"on","__proto__":{"act":1}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, action: 'on' }, replace: 'yes' }, 'replace', 'wrong type'],
  ['tplink-countdown', { operation: 'add', delay: '-1' }, { payload: 1700000000000 }, 'delay', 'bad node setting (inject timestamp payload)'],
  ['tplink-countdown', { operation: 'edit' }, { payload: { id: 'ABCD', delay: -1 } }, 'delay', 'delay -1'],
  ['tplink-countdown', { operation: 'edit' }, { payload: { delay: 60 } }, 'payload.id', 'missing id'],
  ['tplink-countdown', { operation: 'delete' }, { payload: { id: 'x'.repeat(65) } }, 'payload.id', 'id too long'],
  ['tplink-countdown', { operation: 'delete' }, { payload: { id: NaN } }, 'payload.id', 'NaN'],
  // ---- anti-theft ----
  ['tplink-antitheft', { operation: 'msg' }, { operation: ['list'] }, 'operation', 'wrong type'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '25:00', end: '23:00' } }, 'time', 'hour 25'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '24:30' } }, 'end', 'hour 24'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00' } }, 'end', 'missing end'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { wday: [0, 0, 0, 1, 0, 1], time: '18:00', end: '23:00' } }, 'wday', 'weekday list of 6'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '23:00', frequency: 0 } }, 'frequency', 'out of range'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '23:00', duration: 1440 } }, 'duration', 'out of range'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '23:00', lastfor: NaN } }, 'lastfor', 'NaN'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '23:00', action: 'on' } }, 'rule.action', 'schedule field'],
  ['tplink-antitheft', { operation: 'add' }, { payload: { days: ['mon'], time: '18:00', end: '23:00', name: HUGE } }, 'name', 'huge string'],
  ['tplink-antitheft', { operation: 'add' }, { payload: proto('{"days":["mon"],"time":"18:00","end":"23:00","__proto__":{"frequency":1}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-antitheft', { operation: 'edit' }, { payload: { id: 'ABCD', end: '99:00' } }, 'end', 'hour 99'],
  ['tplink-antitheft', { operation: 'delete' }, { payload: { id: ['ABCD'] } }, 'payload.id', 'wrong type'],
  // ---- system ----
  ['tplink-system', { action: 'msg' }, {}, 'payload.action', 'missing action'],
  ['tplink-system', { action: 'msg' }, { action: 'format-disk' }, 'action', 'unknown action'],
  ['tplink-system', { action: 'msg' }, { action: HUGE }, 'action', 'huge string'],
  ['tplink-system', { action: 'msg' }, { payload: proto('{"__proto__":{"action":"reboot"}}') }, 'payload.action', '__proto__'],
  ['tplink-system', { action: 'sysinfo' }, { payload: { alias: 'x' } }, 'payload.alias', 'argument not taken'],
  ['tplink-system', { action: 'led' }, { payload: { on: 'yes' } }, 'on', 'wrong type'],
  ['tplink-system', { action: 'led' }, { payload: { on: NaN } }, 'on', 'NaN'],
  ['tplink-system', { action: 'alias' }, {}, 'alias', 'missing alias'],
  ['tplink-system', { action: 'alias' }, { payload: { alias: 5 } }, 'alias', 'wrong type'],
  ['tplink-system', { action: 'alias' }, { payload: { alias: HUGE } }, 'alias', 'huge string'],
  ['tplink-system', { action: 'alias' }, { payload: { alias: 'a\u0000b' } }, 'alias', 'control character'],
  ['tplink-system', { action: 'alias' }, { payload: proto('{"__proto__":{"alias":"x"}}') }, 'payload.__proto__', '__proto__'],
  ['tplink-system', { action: 'location' }, { payload: { latitude: 91, longitude: 0 } }, 'latitude', 'out of range'],
  ['tplink-system', { action: 'location' }, { payload: { latitude: NaN, longitude: 0 } }, 'latitude', 'NaN'],
  ['tplink-system', { action: 'location' }, { payload: { latitude: 10 } }, 'longitude', 'missing longitude'],
  ['tplink-system', { action: 'time' }, { payload: { hour: 25 } }, 'payload.hour', 'argument not taken'],
  ['tplink-system', { action: 'timezone' }, { payload: { index: 1 } }, 'payload.index', 'argument not taken'],
  ['tplink-system', { action: 'set-timezone' }, { payload: { index: 110 } }, 'index', 'out of range'],
  ['tplink-system', { action: 'set-timezone' }, { payload: { index: NaN } }, 'index', 'NaN'],
  ['tplink-system', { action: 'set-timezone' }, {}, 'index', 'missing index'],
  ['tplink-system', { action: 'set-timezone' }, { payload: { index: 1, date: { year: 2030, month: 1, mday: 1, hour: 25, min: 0, sec: 0 } } }, 'date.hour', 'hour 25'],
  ['tplink-system', { action: 'cloud-info' }, { payload: { server: 'x' } }, 'payload.server', 'argument not taken'],
  ['tplink-system', { action: 'scan' }, { payload: { timeout: 61 } }, 'timeout', 'out of range'],
  ['tplink-system', { action: 'scan' }, { payload: { timeout: NaN } }, 'timeout', 'NaN'],
  ['tplink-system', { action: 'scan' }, { payload: { refresh: 'always' } }, 'refresh', 'wrong type'],
  ['tplink-system', { action: 'reboot' }, { payload: { delay: -1 } }, 'delay', 'delay -1'],
  ['tplink-system', { action: 'reboot' }, { payload: { delay: NaN } }, 'delay', 'NaN'],
  ['tplink-system', { action: 'reboot' }, { payload: { delay: 'soon' } }, 'delay', 'wrong type'],
  ['tplink-system', { action: 'reset', allowDestructive: true }, { payload: { delay: -1 } }, 'delay', 'delay -1'],
  ['tplink-system', { action: 'set-mac', allowDestructive: true }, { payload: { mac: 'zz-zz' } }, 'mac', 'malformed'],
  ['tplink-system', { action: 'set-mac', allowDestructive: true }, {}, 'mac', 'missing mac'],
  ['tplink-system', { action: 'set-device-id', allowDestructive: true }, { payload: { deviceId: 'AB' } }, 'deviceId', 'too short'],
  ['tplink-system', { action: 'set-hw-id', allowDestructive: true }, { payload: { hwId: HUGE } }, 'hwId', 'huge string'],
  ['tplink-system', { action: 'test-mode', allowDestructive: true }, { payload: { enable: 'on' } }, 'enable', 'wrong type'],
  ['tplink-system', { action: 'download-firmware', allowDestructive: true }, { payload: { url: 'file:///etc/passwd' } }, 'url', 'not http(s)'],
  ['tplink-system', { action: 'download-firmware', allowDestructive: true }, { payload: { url: `http://x/${HUGE}` } }, 'url', 'huge string'],
  ['tplink-system', { action: 'flash-firmware', allowDestructive: true }, { payload: { url: 'x' } }, 'payload.url', 'argument not taken'],
  ['tplink-system', { action: 'join-wifi', allowDestructive: true }, { payload: { keyType: 3 } }, 'ssid', 'missing ssid'],
  ['tplink-system', { action: 'join-wifi', allowDestructive: true }, { payload: { ssid: 'Home', keyType: 7 } }, 'keyType', 'out of range'],
  ['tplink-system', { action: 'join-wifi', allowDestructive: true }, { payload: { ssid: HUGE, keyType: 3 } }, 'ssid', 'huge string'],
  ['tplink-system', { action: 'join-wifi', allowDestructive: true }, { payload: { ssid: 'Home', password: 'in-msg-secret' } }, 'payload.password', 'password in msg'],
  ['tplink-system', { action: 'cloud-bind', allowDestructive: true }, {}, 'username', 'missing username'],
  ['tplink-system', { action: 'cloud-bind', allowDestructive: true }, { payload: { username: 42 } }, 'username', 'wrong type'],
  ['tplink-system', { action: 'cloud-unbind', allowDestructive: true }, { payload: { username: 'x' } }, 'payload.username', 'argument not taken'],
  ['tplink-system', { action: 'cloud-server', allowDestructive: true }, { payload: { server: 'http://evil/' } }, 'server', 'not a host name'],
  ['tplink-system', { action: 'cloud-server', allowDestructive: true }, { payload: { server: HUGE } }, 'server', 'huge string'],
  // ---- raw ----
  ['tplink-raw', {}, {}, 'payload', 'missing payload'],
  ['tplink-raw', {}, { payload: 42 }, 'payload', 'wrong type'],
  ['tplink-raw', {}, { payload: [{ system: { get_sysinfo: {} } }] }, 'payload', 'array'],
  ['tplink-raw', {}, { payload: '{"system":' }, 'payload', 'not JSON'],
  ['tplink-raw', {}, { payload: HUGE }, 'payload', 'huge string'],
  ['tplink-raw', {}, { payload: { system: { set_dev_alias: { alias: HUGE } } } }, 'payload', 'huge request'],
  ['tplink-raw', {}, { payload: {} }, 'payload', 'no module'],
  ['tplink-raw', {}, { payload: { system: 5 } }, 'payload.system', 'module not an object'],
  ['tplink-raw', {}, { payload: { system: {} } }, 'payload.system', 'no method'],
  ['tplink-raw', {}, { payload: { 'sys tem': { get_sysinfo: {} } } }, 'payload.sys tem', 'bad module name'],
  ['tplink-raw', {}, { payload: { system: { 'get-sysinfo()': {} } } }, 'payload.system.get-sysinfo()', 'bad method name'],
  ['tplink-raw', {}, { payload: { system: { set_dev_alias: { alias: NaN } } } }, 'payload.system.set_dev_alias.alias', 'NaN'],
  ['tplink-raw', {}, { payload: { system: { set_dev_alias: { alias: () => 1 } } } }, 'payload.system.set_dev_alias.alias', 'function'],
  ['tplink-raw', {}, { payload: proto('{"__proto__":{"system":{"get_sysinfo":{}}}}') }, 'payload.__proto__', '__proto__ module'],
  ['tplink-raw', {}, { payload: proto('{"system":{"get_sysinfo":{"__proto__":{"polluted":1}}}}') }, 'payload.system.get_sysinfo.__proto__', 'nested __proto__'],
  ['tplink-raw', {}, { payload: '{"system":{"get_sysinfo":{"__proto__":{"polluted":1}}}}' }, 'payload.system.get_sysinfo.__proto__', '__proto__ in JSON text'],
  ['tplink-raw', {}, { payload: { context: { child_ids: ['../etc'] }, system: { get_sysinfo: {} } } }, 'payload.context', 'bad child id'],
  ['tplink-raw', {}, { payload: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }, null, 'nesting 40 deep'],
  ['tplink-raw', { request: '{"system":' }, {}, 'request', 'bad fixed request (node setting)'],
];

// Bad msg.outlet values every action meets before anything else happens.
const BAD_OUTLETS = [
  [NaN, 'NaN'], [-1, 'negative'], [1.5, 'not whole'], [{}, 'object'], [[], 'array'], [true, 'boolean'],
  [proto('{"__proto__":{"x":1}}'), '__proto__ object'],
];

// The corpus runs against a legacy plug and, once tplink-device reads `protocol`,
// against a KLAP plug too: there "nothing sent" includes no handshake either.
for (const kind of ['legacy', 'klap']) describe(`reliability: bad-input corpus (every node, every action): an error naming the field, nothing sent${kind === 'klap' ? ' (KLAP device)' : ''}`, function () {
  this.timeout(30000);
  const report = reportWriter(kind === 'klap' ? 'inputs-klap' : 'inputs');
  let sim;
  let watch;
  const flowNodes = new Map(); // id -> [type, props]

  function nodeFor(type, props) {
    const id = `${idOf(type, props)}-${flowNodes.size}`;
    flowNodes.set(id, [type, props]);
    return id;
  }
  const actionIds = ACTIONS.map(([type, props]) => nodeFor(type, props));
  const caseIds = CASES.map(([type, props]) => nodeFor(type, props));

  before(async () => {
    watch = crashWatch();
    sim = kind === 'klap' ? await startKlapDevice('kp115-klap') : await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 });
    const flow = [kind === 'klap'
      ? klapDeviceNode(sim, { name: 'corpus' })
      : { id: 'dev', type: 'tplink-device', name: 'corpus', host: '127.0.0.1', port: sim.port, timeout: 500, transport: 'tcp' }];
    const credentials = kind === 'klap' ? klapCredentials() : {};
    for (const [id, [type, props]] of flowNodes) {
      flow.push(...wired(id, type, 'dev', props));
      if (type === 'tplink-system') credentials[id] = { password: SECRET };
    }
    const types = [...new Set([...flowNodes.values()].map(([t]) => t))];
    await loadFlow(types, flow, credentials);
  });
  after(async () => {
    await helper.unload();
    await sim.stop();
    watch.stop();
    watch.assertNone();
    report.flush();
  });

  /** Sends msg to node id and checks: a ValidationError naming `field`, red status, nothing sent, no pollution. */
  /** Exchanges the device saw: requests, and for KLAP handshakes too. */
  const seen = () => sim.requests.length + (kind === 'klap' ? sim.server.counts.handshake1 : 0);

  async function expectRejected(id, msg, field) {
    const sent = sim.requests.length;
    const exchanges = seen();
    const r = await send(id, msg);
    assert.ok(r.error, `expected an error, got output ${JSON.stringify(r.msg && r.msg.payload)}`.slice(0, 300));
    assert.strictEqual(r.error.kind, 'invalid-input', r.error.message.slice(0, 300));
    if (field !== null) {
      assert.strictEqual(r.error.field, field, r.error.message.slice(0, 300));
      assert.ok(r.error.message.startsWith(`invalid ${field}: expected `), r.error.message.slice(0, 300));
    }
    assert.ok(r.error.message.length < 600, `the message stays short (${r.error.message.length} chars)`);
    assert.strictEqual(r.status.fill, 'red');
    assert.ok(r.msg, 'the msg goes with the error');
    assert.strictEqual(sim.requests.length, sent, `nothing reached the device, got ${JSON.stringify(sim.requests.slice(sent)).slice(0, 200)}`);
    assert.strictEqual(seen(), exchanges, 'not even a handshake');
    assert.strictEqual({}.polluted, undefined);
    assert.strictEqual({}.on, undefined);
    assert.strictEqual({}.action, undefined);
    assert.strictEqual({}.x, undefined);
    return r;
  }

  describe('per-action corpus', () => {
    CASES.forEach(([type, props, msg, field, note], k) => {
      const id = caseIds[k];
      const show = JSON.stringify(msg, (key, v) => (typeof v === 'string' && v.length > 40 ? `<${v.length} chars>` : typeof v === 'number' && Number.isNaN(v) ? 'NaN' : typeof v === 'function' ? '<function>' : v));
      it(`${type} ${JSON.stringify(props)} ${note}: ${show.slice(0, 90)} → ${field === null ? 'invalid-input' : field}`, async () => {
        const r = await expectRejected(id, msg, field);
        report.add({ node: type, setting: props.action || props.operation || (props.request ? 'fixed request' : 'payload'), note, field: r.error.field, message: r.error.message.slice(0, 160), status: r.status.text });
      });
    });
  });

  describe('a bad msg.outlet, for every action of every node', () => {
    ACTIONS.forEach(([type, props], k) => {
      const id = actionIds[k];
      it(`${type} ${props.action || props.operation || (props.request ? 'fixed request' : 'payload')}: ${BAD_OUTLETS.map(([, n]) => n).join(', ')}`, async () => {
        for (const [outlet] of BAD_OUTLETS) {
          const r = await expectRejected(id, { payload: true, outlet }, 'outlet');
          assert.strictEqual(r.status.text, 'invalid outlet');
        }
      });
    });
  });

  describe('a malformed outlet string is refused before anything is sent', () => {
    for (const [outlet, note] of [[HUGE, '1 MiB string'], ['../../etc', 'not an id'], ['00 OR 1=1', 'spaces'], ['A'.repeat(65), '65 characters']]) {
      it(`tplink-relay on, outlet ${note}`, async () => {
        await expectRejected(actionIds[ACTIONS.findIndex(([t, p]) => t === 'tplink-relay' && p.action === 'on')], { outlet }, 'outlet');
      });
    }
  });

  describe('actions that take no arguments ignore the payload: garbage is never forwarded', () => {
    const GARBAGE = proto(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"huge":"${'y'.repeat(100000)}","n":1}`);
    GARBAGE.nan = NaN;
    const NO_ARGS = ACTIONS.filter(([type, p]) => (type === 'tplink-relay' && p.action !== 'msg')
      || (type === 'tplink-schedule' && ['list', 'next', 'deleteAll', 'enableAll', 'disableAll'].includes(p.operation))
      || (type === 'tplink-countdown' && ['get', 'deleteAll'].includes(p.operation))
      || (type === 'tplink-antitheft' && ['list', 'deleteAll', 'enableAll', 'disableAll'].includes(p.operation))
      || (type === 'tplink-raw' && p.request));
    for (const [type, props] of NO_ARGS) {
      const id = actionIds[ACTIONS.findIndex(([t, p]) => t === type && p === props)];
      it(`${type} ${props.action || props.operation || 'fixed request'}`, async () => {
        const sent = sim.requests.length;
        const r = await send(id, { payload: GARBAGE });
        assert.ifError(r.error);
        const requests = JSON.stringify(sim.requests.slice(sent));
        assert.ok(sim.requests.length > sent);
        for (const bad of ['polluted', 'huge', 'yyyy', 'nan', 'constructor']) assert.ok(!requests.includes(bad), `${bad} in ${requests.slice(0, 200)}`);
        assert.strictEqual({}.polluted, undefined);
      });
    }
  });

  it('nothing was polluted and nothing crashed', () => {
    for (const key of ['polluted', 'on', 'action', 'x', 'enable', 'sact', 'act', 'frequency', 'alias', 'system']) {
      assert.strictEqual(Object.prototype[key], undefined, key);
    }
    watch.assertNone();
  });
});
