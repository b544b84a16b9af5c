'use strict';
// The fault suite in a compact form on SMART devices through real Node-RED nodes:
// each misbehaviour of the simulated P110 (KLAP) or P100 (AES) gives the relay node
// an answer or a clear error (red status, done(err), the msg kept), never a crash,
// a hang or a lost message, and the next message works once the device behaves.
const assert = require('assert');
const { helper, wired } = require('./support/nodes');
const { crashWatch, loadFlow, send } = require('./support/fault-harness');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');

const USER = 'faults@example.com';
const PASS = 'Faults-1';

// [model, fault, what the relay node gives: 'ok' or the error kind, message pattern]
const FAULTS = [
  ['p110', 'stall', 'timeout', /no reply/],
  ['p110', 'undecryptable', 'protocol', /does not decrypt/],
  ['p110', 'http-500', 'protocol', /HTTP 500/],
  ['p110', { type: 'forbid-request', times: 1 }, 'ok'],
  ['p110', { type: 'forbidden-after', requests: 1 }, 'ok'],
  ['p110', 'forbid-handshake', 'auth', /Third-Party Compatibility/],
  ['p110', 'wrong-proof', 'auth', /refused the account/],
  ['p110', 'close-after-reply', 'ok'],
  ['p100', { type: 'aes', fault: { type: 'session-timeout', times: 1 } }, 'ok'],
  ['p100', { type: 'aes', fault: { type: 'forbidden-after', requests: 0, times: 1 } }, 'ok'],
  ['p100', { type: 'aes', fault: { type: 'garbage', times: 1 } }, 'protocol'],
  ['p100', { type: 'aes', fault: { type: 'stall', times: 1 } }, 'timeout'],
  ['p100', { type: 'aes', fault: { type: 'err-code', code: -1012, times: 1 } }, 'device'],
];

describe('reliability: SMART faults through the relay node', function () {
  this.timeout(30000);
  let watch;
  before(() => { watch = crashWatch(); });
  after(() => { watch.stop(); watch.assertNone(); });

  for (const [model, fault, expect, pattern] of FAULTS) {
    it(`${model} ${JSON.stringify(fault)} → ${expect}`, async () => {
      const sim = await SmartPlugSimulator.start({ model, username: USER, password: PASS, discoveryPort: null });
      try {
        await loadFlow(['tplink-relay'], [
          { id: 'dev', type: 'tplink-device', name: 'faults', host: '127.0.0.1', port: sim.port, timeout: 600, transport: 'tcp', protocol: 'smart' },
          ...wired('n', 'tplink-relay', 'dev', { action: 'msg' }),
        ], { dev: { username: USER, password: PASS } });
        // A session first, so request-stage faults meet a live one.
        assert.ifError((await send('n', { payload: 'get' })).error);
        sim.setFault(fault);
        // Handshake faults meet the next session: the device forgets the live one (as after a reboot).
        if (fault === 'forbid-handshake' || fault === 'wrong-proof') sim.klap.dropSessions();
        const r = await send('n', { payload: true, tag: 'kept' });
        if (expect === 'ok') {
          assert.ifError(r.error);
          assert.strictEqual(r.msg.payload, true);
          assert.strictEqual(sim.device.main.on, true);
          assert.strictEqual(sim.requests.filter((q) => q.method === 'set_device_info').length, 1, 'applied once');
        } else {
          assert.ok(r.error, 'an error');
          assert.strictEqual(r.error.kind, expect, r.error.message);
          if (pattern) assert.match(r.error.message, pattern);
          assert.strictEqual(r.status.fill, 'red');
          assert.strictEqual(r.msg.tag, 'kept', 'the msg goes with the error');
          assert.ok(!r.error.message.includes(PASS) && !r.error.message.includes(USER));
        }
        sim.setFault(null);
        await new Promise((res) => setTimeout(res, 20));
        const again = await send('n', { payload: 'get' });
        assert.ifError(again.error);
        assert.strictEqual(typeof again.msg.payload, 'boolean');
      } finally {
        await helper.unload();
        await sim.stop();
      }
    });
  }

  it('device gone (server stopped): refused, then back when it returns on the same port', async () => {
    const sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    const port = sim.port;
    try {
      await loadFlow(['tplink-relay'], [
        { id: 'dev', type: 'tplink-device', name: 'faults', host: '127.0.0.1', port, timeout: 600, transport: 'tcp', protocol: 'smart' },
        ...wired('n', 'tplink-relay', 'dev', { action: 'msg' }),
      ], { dev: { username: USER, password: PASS } });
      assert.ifError((await send('n', { payload: 'get' })).error);
      await sim.stop();
      const r = await send('n', { payload: true });
      assert.ok(r.error && ['refused', 'protocol', 'timeout'].includes(r.error.kind), r.error && r.error.message);
      await sim.listen();
      const again = await send('n', { payload: true });
      assert.ifError(again.error);
      assert.strictEqual(sim.device.main.on, true);
    } finally {
      await helper.unload();
      await sim.stop();
    }
  });
});
