'use strict';
// Editor and runtime accept exactly the same settings (issue 11, "The editor"):
// one table of values goes to the runtime's checks (what the nodes call at
// deploy) and to the validate functions of the nodes' editor definitions, built
// from the served editor scripts; both must agree, and agree with the expected
// verdicts, so the two cannot be wrong together.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { loadEditor, scriptsOf, SERVED, MODULE } = require('./support/editor-defs');
const { deviceSettings, monitorSettings, discoverSettings, numberSetting } = require('../nodes/common/settings');
const { outletOf } = require('../nodes/common/action-node');
const { broadcastParam, macParam, deviceIdParam } = require('../nodes/common/net-params');
const { ValidationError } = require('../nodes/core/errors');

const LIMIT_MS = 2 ** 31 - 1;
const MAX_S = Math.floor(LIMIT_MS / 1000); // 2147483

// Runtime checks by field, each fed one value among otherwise valid settings.
const runtime = {
  device: (field, v) => deviceSettings({ host: '10.0.0.5', findBy: 'host', port: 9999, timeout: 5000, queueLimit: 1000, [field]: v }),
  boundDevice: (field, v) => deviceSettings({ findBy: 'mac', port: 9999, timeout: 5000, [field]: v }),
  discoveryPort: (_f, v) => numberSetting('discoveryPort', v, 'discoveryPort', 9999),
  discoveryPort20002: (_f, v) => numberSetting('discoveryPort', v, 'discoveryPort20002', 20002), // as src/tplink-device.ts reads it
  monitor: (field, v) => monitorSettings({ interval: 5, emeter: 0, threshold: '', hysteresis: 0, [field]: v }),
  broadcast: (_f, v) => broadcastParam(v), // the device's binding and the Search button
  mac: (_f, v) => macParam(v, 'mac'),
  deviceId: (_f, v) => deviceIdParam(v, 'deviceId'),
  discover: (field, v) => discoverSettings({ broadcast: '255.255.255.255', port: 9999, timeout: 3000, interval: 0, [field]: v }),
  outlet: (_f, v) => outletOf({}, v),
};

// [node type, field, runtime check, values accepted, values refused, node settings beside]
const TABLE = [
  ['tplink-device', 'host', runtime.device,
    ['192.168.1.50', '127.0.0.1', 'plug.lan', 'my-plug', ' plug ', '::1', 'fe80::1'],
    ['', undefined, 'a b', 'http://plug', '1.2.3.4:9999', '[::1]', 'plug/lan', '-plug'],
    { findBy: 'host' }],
  ['tplink-device', 'host', runtime.boundDevice,
    ['', undefined, '10.0.0.5'],
    ['a b', '1.2.3.4:9999'],
    { findBy: 'mac' }],
  ['tplink-device', 'port', runtime.device,
    // blank: the protocol's port (9999, 80 for KLAP)
    [1, 9999, 65535, '9999', ' 19100 ', 19100, '80.0', '', ' ', undefined, null],
    [-1, 0, 70000, 65536, 19100.5, '19100.5', 'abc', '0x50', '1e3', '9 999', NaN, Infinity, true, '-1']],
  ['tplink-device', 'protocol', runtime.device,
    ['auto', 'legacy', 'klap', ' klap ', 'smart', '', undefined],
    ['KLAP', 'SMART', 'tapo', 'tcp', 'xor', 'auto,klap', 0, 1, true, {}]],
  ['tplink-device', 'timeout', runtime.device,
    [100, 5000, '5000', 120000],
    [99, 0, -5, 120001, LIMIT_MS, LIMIT_MS + 1, 2 ** 31, 1e12, 5000.5, '', 'soon', undefined]],
  ['tplink-device', 'queueLimit', runtime.device,
    [1, 1000, '1000', 100000, '', undefined],
    [0, -1, 100001, 1.5, 'many']],
  ['tplink-device', 'discoveryPort', runtime.discoveryPort,
    [1, 9999, '9999', 65535, ''],
    [0, -1, 70000, 19100.5, 'x']],
  ['tplink-device', 'broadcast', runtime.broadcast,
    ['255.255.255.255', '192.168.1.255', ' 10.0.0.255 ', '', undefined],
    ['256.1.1.1', '01.2.3.4', '1.2.3', 'a.b.c.d', 'localhost', '::1', '1.2.3.4.5', 42]],
  ['tplink-device', 'mac', runtime.mac,
    ['50:C7:BF:01:02:03', '50-c7-bf-aa-bb-01', '50C7BF010203', '50.C7.BF.01.02.03', ' 50:C7:BF:01:02:03 '],
    ['', undefined, 'not-a-mac', '50:C7:BF:01:02', '50:C7-BF:01:02:03', '50:C7:BF:01:02:03:04', '5:0C7BF010203'],
    { findBy: 'mac' }],
  ['tplink-device', 'deviceId', runtime.deviceId,
    ['8006DEADBEEF', 'a'.repeat(40), 'F'.repeat(64)],
    ['', 'xyz', '1234567', 'F'.repeat(65), '8006 DEAD'],
    { findBy: 'deviceId' }],
  ['tplink-discover', 'broadcast', runtime.discover,
    ['255.255.255.255', '127.0.0.1', '192.168.1.255'],
    ['', undefined, '256.0.0.1', '1.2.3', 'host.lan', '::1']],
  ['tplink-monitor', 'interval', runtime.monitor,
    [0.1, '0.1', 1, 5, '5', 60.5, MAX_S, String(MAX_S)],
    [0, 0.05, -1, MAX_S + 1, 2147484, '2147484', 1e9, LIMIT_MS, '', undefined, 'often', '1e3']],
  ['tplink-monitor', 'emeter', runtime.monitor,
    [0, '0', '', 10, 0.5, MAX_S],
    [-1, MAX_S + 1, 2147484, 1e12, 'x']],
  ['tplink-monitor', 'threshold', runtime.monitor,
    ['', 0, '10', 2.5, 1000000],
    [-1, '-0.5', 1000001, 'ten']],
  ['tplink-monitor', 'hysteresis', runtime.monitor,
    [0, '', '2', 0.5],
    [-2, 'x', 1e7]],
  ['tplink-discover', 'port', runtime.discover,
    [1, 9999, '9999', 65535],
    [-1, 0, 70000, 19100.5, '', 'x']],
  ['tplink-discover', 'port20002', runtime.discover,
    [1, 20002, '20002', 65535, '', undefined],
    [-1, 0, 70000, 19100.5, 'x']],
  ['tplink-device', 'discoveryPort20002', runtime.discoveryPort20002,
    [1, 20002, '20002', 65535, ''],
    [0, -1, 70000, 19100.5, 'x']],
  ['tplink-discover', 'timeout', runtime.discover,
    [100, 3000, '3000', 60000],
    [99, 60001, LIMIT_MS + 1, 300.5, '', 'x']],
  ['tplink-discover', 'interval', runtime.discover,
    [0, '', '0', 1, 60, '30', 0.5, MAX_S],
    [-1, MAX_S + 1, 2147484, 1e10, 'hourly']],
];

// Credentials: the editor's validate functions under def.credentials, the runtime's accountSettings.
const { accountSettings } = require('../nodes/common/settings');
const CREDENTIALS = [
  ['username', ['', undefined, 'me@example.com', ' Me@Example.com ', 'a'.repeat(128), 'ü@example.com'], ['a'.repeat(129), 'me\n@example.com', 'tab\there', {}]],
  ['password', ['', undefined, 'Secret Pass', 'a'.repeat(128), '__PWRD__', 'pä$$w0rd!'], ['a'.repeat(129), 'line\nbreak', 'nul\u0000', [1]]],
];

// The outlet rule, on every node with an outlet setting.
const OUTLET_OK = ['', undefined, 0, '0', '5', 5, '12', '99', 'abc', '8006DEADBEEF0001', 'A'.repeat(42), 'x'.repeat(64), ' 3 '];
const OUTLET_BAD = [-1, '-1', 1.5, '1.5', 'a b', '1;2', '__proto__', 'x'.repeat(65), 'ü', {}, true];
for (const type of ['tplink-relay', 'tplink-emeter', 'tplink-schedule', 'tplink-countdown', 'tplink-antitheft', 'tplink-system', 'tplink-raw', 'tplink-monitor']) {
  TABLE.push([type, 'outlet', runtime.outlet, OUTLET_OK, OUTLET_BAD]);
}

/** true when the runtime accepts v; a refusal must be a ValidationError naming the field. */
function runtimeAccepts(check, field, v) {
  try {
    check(field, v);
    return true;
  } catch (err) {
    assert.ok(err instanceof ValidationError, `runtime ${field}=${String(v)}: ${err && err.stack}`);
    assert.strictEqual(err.field, field, `runtime names the field: ${err.message}`);
    return false;
  }
}

describe('editor and runtime accept the same settings', () => {
  let editor;
  before(() => { editor = loadEditor(); });

  it('every node .html loads the served rules and editor scripts itself, before its own code', () => {
    for (const file of editor.files) {
      const scripts = scriptsOf(fs.readFileSync(path.join(__dirname, '..', 'nodes', file), 'utf8'));
      const srcs = scripts.filter((s) => s.src).map((s) => s.src);
      assert.deepStrictEqual(srcs, SERVED.map((f) => `resources/${MODULE}/${f}`), file);
      assert.ok(scripts[0].src && scripts[1].src, `${file}: the served scripts come first`);
      assert.doesNotMatch(scripts.map((s) => s.code).join('\n'), /window\.Tplink|if \(window\./, `${file}: no silent window guard`);
    }
    assert.strictEqual(Object.keys(editor.defs).length, 10);
  });

  for (const [type, field, check, ok, bad, beside = {}] of TABLE) {
    it(`${type} ${field}${beside.findBy ? ` (found by ${beside.findBy})` : ''}`, () => {
      const def = editor.defs[type];
      assert.ok(def, `${type} registered`);
      const validate = def.defaults[field] && def.defaults[field].validate;
      assert.strictEqual(typeof validate, 'function', `${type}.${field} has a validate function`);
      const node = { type, ...Object.fromEntries(Object.entries(def.defaults).map(([k, d]) => [k, d.value])), ...beside };
      const disagree = [];
      const wrong = [];
      for (const [v, expected] of [...ok.map((v) => [v, true]), ...bad.map((v) => [v, false])]) {
        const inEditor = validate.call(node, v) === true;
        const atRuntime = runtimeAccepts(check, field, v);
        if (inEditor !== atRuntime) disagree.push(`${JSON.stringify(v) ?? String(v)}: editor ${inEditor}, runtime ${atRuntime}`);
        if (atRuntime !== expected) wrong.push(`${JSON.stringify(v) ?? String(v)}: ${atRuntime ? 'accepted' : 'refused'}`);
      }
      assert.deepStrictEqual(disagree, [], 'editor and runtime agree');
      assert.deepStrictEqual(wrong, [], 'expected verdicts');
    });
  }

  for (const [field, ok, bad] of CREDENTIALS) {
    it(`tplink-device credential ${field} (the refusal names the field, never the value)`, () => {
      const def = editor.defs['tplink-device'];
      const validate = def.credentials && def.credentials[field] && def.credentials[field].validate;
      assert.strictEqual(typeof validate, 'function', `${field} has a validate function`);
      const disagree = [];
      const wrong = [];
      for (const [v, expected] of [...ok.map((v) => [v, true]), ...bad.map((v) => [v, false])]) {
        const inEditor = validate.call({}, v) === true;
        let atRuntime = true;
        try {
          accountSettings({ [field]: v });
        } catch (err) {
          assert.ok(err instanceof ValidationError && err.field === field, String(err));
          if (typeof v === 'string' && v.length > 3) assert.ok(!err.message.includes(v), 'the value is not in the message');
          atRuntime = false;
        }
        if (inEditor !== atRuntime) disagree.push(`${JSON.stringify(v)}: editor ${inEditor}, runtime ${atRuntime}`);
        if (atRuntime !== expected) wrong.push(`${JSON.stringify(v)}: ${atRuntime ? 'accepted' : 'refused'}`);
      }
      assert.deepStrictEqual(disagree, [], 'editor and runtime agree');
      assert.deepStrictEqual(wrong, [], 'expected verdicts');
    });
  }

  it('every node has a version setting; the editor migrates nodes as it adds them, as the runtime does', () => {
    const { CURRENT_VERSION, migrate } = require('../nodes/common/migrate');
    assert.strictEqual(editor.listeners['nodes:add'].length, 1, 'one listener, however often the script loads');
    for (const [type, def] of Object.entries(editor.defs)) {
      assert.ok(def.defaults.version, `${type} has a version default`);
      // a node as a version-0 flow saved it: no version, blank numbers
      const saved = { type, port: '', timeout: '', interval: '', name: 'old' };
      const node = { ...saved, _def: def };
      editor.window.RED.events.emit('nodes:add', node);
      const expected = migrate(type, saved);
      for (const k of Object.keys(def.defaults)) assert.deepStrictEqual(node[k], expected[k], `${type}.${k}`);
      assert.strictEqual(node.version, CURRENT_VERSION, type);
      // another module's node of a similar name is left alone
      const other = { type, port: '', _def: { ...def, set: { module: 'node-red-contrib-other' } } };
      editor.window.RED.events.emit('nodes:add', other);
      assert.deepStrictEqual(other.port, '');
    }
  });
});
