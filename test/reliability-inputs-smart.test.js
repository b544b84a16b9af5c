'use strict';
// The bad-input corpus in a compact form on a SMART device (Tapo P110 over KLAP):
// the same wrong types, ranges, huge strings, NaN and "__proto__" keys as on Kasa
// devices give the same error naming the same field, and the device receives
// nothing — not even the reads the device model makes (component_nego …).
const assert = require('assert');
const { helper, wired } = require('./support/nodes');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');
const { crashWatch, loadFlow, send } = require('./support/fault-harness');

const USER = 'corpus@example.com';
const PASS = 'Corpus-Pass-9';
const HUGE = 'x'.repeat(1024 * 1024);
const proto = (json) => JSON.parse(json);

// [node type, node settings, msg, field the error must name, note]
const CASES = [
  ['tplink-relay', { action: 'msg' }, {}, 'payload', 'missing payload'],
  ['tplink-relay', { action: 'msg' }, { payload: NaN }, 'payload', 'NaN'],
  ['tplink-relay', { action: 'msg' }, { payload: { on: 'yes' } }, 'payload.on', 'wrong type'],
  ['tplink-relay', { action: 'msg' }, { payload: HUGE }, 'payload', 'huge string'],
  ['tplink-relay', { action: 'msg' }, { payload: proto('{"__proto__":{"on":true}}') }, 'payload', '__proto__'],
  ['tplink-relay', { action: 'on' }, { outlet: -1 }, 'outlet', 'negative outlet'],
  ['tplink-relay', { action: 'on' }, { outlet: proto('{"__proto__":{"x":1}}') }, 'outlet', '__proto__ outlet'],
  ['tplink-emeter', { action: 'msg' }, { action: HUGE }, 'action', 'huge string'],
  ['tplink-emeter', { action: 'realtime' }, { payload: { yaer: 2024 } }, 'payload.yaer', 'unknown field'],
  ['tplink-emeter', { action: 'realtime' }, { payload: proto('{"__proto__":{"x":1}}') }, 'payload.__proto__', '__proto__'],
  ['tplink-emeter', { action: 'daystat' }, { payload: { year: 2024, month: NaN } }, 'payload.month', 'NaN'],
  ['tplink-schedule', { operation: 'msg' }, { operation: 'explode' }, 'operation', 'unknown operation'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '25:00', action: 'on' } }, 'time', 'hour 25'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon', 'funday'], time: '10:00', action: 'on' } }, 'days', 'unknown day'],
  ['tplink-schedule', { operation: 'add' }, { payload: { days: ['mon'], time: '10:00', action: 'on', name: HUGE } }, 'name', 'huge string'],
  ['tplink-schedule', { operation: 'add' }, { payload: proto('{"days":["mon"],"time":"10:00","action":"on","__proto__":{"enable":0}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-schedule', { operation: 'delete' }, { payload: { id: 5 } }, 'payload.id', 'wrong type'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: -1, action: 'on' } }, 'delay', 'delay -1'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: NaN, action: 'on' } }, 'delay', 'NaN'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, action: 'maybe' } }, 'action', 'bad action'],
  ['tplink-countdown', { operation: 'add' }, { payload: proto('{"delay":60,"action":"on","__proto__":{"act":1}}') }, 'rule.__proto__', '__proto__'],
  ['tplink-countdown', { operation: 'add' }, { payload: { delay: 60, action: 'on' }, replace: 'yes' }, 'replace', 'wrong type'],
  ['tplink-countdown', { operation: 'delete' }, { payload: { id: NaN } }, 'payload.id', 'NaN'],
  ['tplink-system', { action: 'msg' }, {}, 'payload.action', 'missing action'],
  ['tplink-system', { action: 'alias' }, { payload: { alias: HUGE } }, 'alias', 'huge alias'],
  ['tplink-system', { action: 'led' }, { payload: { on: 'dim' } }, 'on', 'wrong type'],
  ['tplink-system', { action: 'reboot' }, { payload: { delay: NaN } }, 'delay', 'NaN'],
  ['tplink-raw', {}, {}, 'payload', 'missing payload'],
  ['tplink-raw', {}, { payload: '{"method":' }, 'payload', 'not JSON'],
  ['tplink-raw', {}, { payload: HUGE }, 'payload', 'huge string'],
  ['tplink-raw', {}, { payload: { method: 'get device info' } }, 'payload.method', 'bad method name'],
  ['tplink-raw', {}, { payload: proto('{"method":"get_device_info","params":{"__proto__":{"polluted":1}}}') }, 'payload.params.__proto__', 'nested __proto__'],
  ['tplink-raw', {}, { payload: { method: 'get_device_info', params: { n: NaN } } }, 'payload.params.n', 'NaN'],
];

describe('reliability: bad-input corpus on a SMART device (P110 over KLAP): the field named, nothing sent', function () {
  this.timeout(30000);
  let sim;
  let watch;
  before(async () => {
    watch = crashWatch();
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    const flow = [{ id: 'dev', type: 'tplink-device', name: 'corpus', host: '127.0.0.1', port: sim.port, timeout: 1000, transport: 'tcp', protocol: 'smart' }];
    CASES.forEach(([type, props], k) => flow.push(...wired(`c${k}`, type, 'dev', props)));
    await loadFlow([...new Set(CASES.map(([t]) => t))], flow, { dev: { username: USER, password: PASS } });
  });
  after(async () => {
    await helper.unload();
    await sim.stop();
    watch.stop();
    watch.assertNone();
  });

  CASES.forEach(([type, props, msg, field, note], k) => {
    it(`${type} ${JSON.stringify(props)} ${note} → ${field}`, async () => {
      const before = sim.klap.counts.requests;
      const r = await send(`c${k}`, msg);
      assert.ok(r.error, `expected an error, got ${JSON.stringify(r.msg && r.msg.payload)}`.slice(0, 300));
      assert.strictEqual(r.error.kind, 'invalid-input', r.error.message.slice(0, 300));
      assert.strictEqual(r.error.field, field, r.error.message.slice(0, 300));
      assert.ok(r.error.message.length < 600);
      assert.strictEqual(r.status.fill, 'red');
      assert.strictEqual(sim.klap.counts.requests, before, 'nothing reached the device');
      assert.strictEqual({}.polluted, undefined);
      assert.strictEqual({}.on, undefined);
    });
  });
});
