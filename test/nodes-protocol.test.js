'use strict';
// tplink-device's protocol and account: which protocol the suites really ran
// (TPLINK_TEST_PROTOCOL, see test/support/klap-sims.js), auto learning KLAP and
// the editor's route saying so, the account kept out of everything but the
// credential store, and the `auth` errors in status dots and Catch messages.
const assert = require('assert');
const util = require('util');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims, PROTOCOL, KLAP } = require('./support/nodes');
const { KlapPlugSimulator } = require('../nodes/simulator');

const USER = 'Someone@Example.com';
const PASS = 'Pa55 word With Case';

/** Everything reachable from `value` as util.inspect shows it, to the bottom. */
const deep = (value) => util.inspect(value, { depth: Infinity, showHidden: true, getters: true });

describe(`tplink-device protocol (suites running: ${PROTOCOL})`, () => {
  describe('the node suites speak the protocol they say they do', () => {
    let sims;
    beforeEach(async () => { sims = await startSims({ plug: 'hs110', plain: 'hs100', strip: 'hs300' }); });
    afterEach(async () => { await helper.unload(); await stopSims(sims); });

    it('a relay switches each device; the session reports the protocol (and, for KLAP, the hash version the device proved)', async () => {
      await load(['tplink-relay'], [
        deviceNode('dev', sims.plug), deviceNode('plain', sims.plain), deviceNode('strip', sims.strip),
        ...wired('r1', 'tplink-relay', 'dev', { action: 'on' }),
        ...wired('r2', 'tplink-relay', 'plain', { action: 'on' }),
        ...wired('r3', 'tplink-relay', 'strip', { action: 'on', outlet: '2' }),
      ]);
      for (const id of ['r1', 'r2', 'r3']) assert.ifError((await exchange(id, { payload: true })).error);
      assert.strictEqual(sims.plug.device.relay(), true);
      assert.strictEqual(sims.strip.device.relay(2), true);
      const found = ['dev', 'plain', 'strip'].map((id) => helper.getNode(id).session.protocol);
      if (KLAP) {
        assert.deepStrictEqual(found.map((f) => [f.protocol, f.hashVersion, f.defaultAccount]), [['klap', 2, false], ['klap', 1, false], ['klap', 2, false]]);
        assert.strictEqual(sims.plug.server.counts.handshake2, 1, 'one session for every request of the test');
      } else {
        assert.deepStrictEqual(found.map((f) => f.protocol), ['legacy', 'legacy', 'legacy']);
      }
    });
  });

  describe('KLAP devices (always)', () => {
    let sim;
    beforeEach(async () => { sim = await KlapPlugSimulator.start({ model: 'kp115-klap', username: USER, password: PASS, discoveryPort: null }); });
    afterEach(async () => { await helper.unload(); await sim.stop(); });

    const dev = (extra = {}) => ({ id: 'dev', type: 'tplink-device', name: 'kp115', host: '127.0.0.1', port: sim.port, timeout: 1000, version: 2, ...extra });

    it('auto with the port given finds KLAP on it, remembers it across clients, and the editor route says "KLAP v2"', async () => {
      await load(['tplink-relay'], [dev({ protocol: 'auto' }), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })],
        { dev: { username: USER, password: PASS } });
      assert.ifError((await exchange('relay', { payload: true })).error);
      assert.strictEqual(sim.device.relay(), true);
      const node = helper.getNode('dev');
      assert.deepStrictEqual(node.session.protocol, { protocol: 'klap', transport: 'klap', port: sim.port, hashVersion: 2, defaultAccount: false });
      // The last user lets go: the client closes. The next one goes straight to KLAP.
      node.deregister(helper.getNode('relay'));
      assert.strictEqual(node.session.client, null);
      node.register(helper.getNode('relay'));
      const before = sim.server.counts.handshake1;
      assert.ifError((await exchange('relay', { payload: false })).error);
      assert.strictEqual(node.session.client.transportInfo.name, 'klap', 'learned protocol, not auto again');
      assert.strictEqual(sim.server.counts.handshake1, before + 1);
      const res = await helper.request().get('/tplink-smartplug/device/dev/outlets').expect(200);
      assert.deepStrictEqual(res.body.protocol, { protocol: 'klap', transport: 'klap', port: sim.port, hashVersion: 2, defaultAccount: false });
      assert.strictEqual(res.body.model, 'KP115(UK)');
    });

    it('the account is in the credential store only: not in the config, session, client, msg or status', async () => {
      await load(['tplink-relay'], [dev({ protocol: 'klap' }), ...wired('relay', 'tplink-relay', 'dev', { action: 'toggle' })],
        { dev: { username: USER, password: PASS } });
      const { msg, error } = await exchange('relay', { payload: 'toggle' });
      assert.ifError(error);
      const node = helper.getNode('dev');
      // The session knows its users (flow nodes, and through them Node-RED's own graph,
      // which holds node.credentials): look at the session without them.
      const users = node.session.users;
      node.session.users = new Set();
      const session = deep(node.session);
      node.session.users = users;
      const settings = Object.fromEntries(Object.entries(node).filter(([, v]) => v === null || typeof v !== 'object'));
      for (const [what, text] of [['session (connector, client, transport)', session], ['msg', deep(msg)], ['status', deep(helper.getNode('relay').status.args)],
        ['info', deep(node.info())], ['config node settings', deep(settings)]]) {
        assert.ok(!text.includes(PASS), `password in ${what}`);
        assert.ok(!text.includes(USER), `e-mail in ${what}`);
      }
      assert.strictEqual(msg.device.port, sim.port);
    });

    it('a wrong password: kind auth, a red dot that says so, a Catch message with what to do, and no credential anywhere', async () => {
      await load(['tplink-relay'], [dev({ protocol: 'klap' }), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })],
        { dev: { username: USER, password: 'pa55 word with case' } });
      const { error, msg } = await exchange('relay', { payload: true });
      assert.strictEqual(error.kind, 'auth');
      assert.match(error.message, /wrong e-mail or password \(both are case sensitive/);
      assert.deepStrictEqual(helper.getNode('relay').status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'wrong e-mail/password' });
      for (const text of [deep(error), deep(msg), deep(helper.getNode('relay').status.args)]) {
        assert.ok(!text.includes('pa55 word with case') && !text.includes(USER));
      }
      assert.strictEqual(sim.requests.length, 0, 'nothing sent');
      assert.strictEqual(sim.device.relay(), false);
    });

    it('third-party access off (403 on handshake1): the dot says so, the message says where to switch it on', async () => {
      sim.setFault('forbid-handshake');
      await load(['tplink-relay'], [dev({ protocol: 'klap' }), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })],
        { dev: { username: USER, password: PASS } });
      const { error } = await exchange('relay', { payload: true });
      assert.strictEqual(error.kind, 'auth');
      assert.match(error.message, /Third-Party Compatibility/);
      assert.strictEqual(helper.getNode('relay').status.lastCall.args[0].text, '3rd-party access off');
    });

    it('blank account on an un-provisioned plug: the firmware\'s blank account opens it (found: default account)', async () => {
      const blank = await KlapPlugSimulator.start({ model: 'hs100-klap', discoveryPort: null });
      try {
        await load(['tplink-relay'], [dev({ protocol: 'klap', port: blank.port }), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })], { dev: {} });
        assert.ifError((await exchange('relay', { payload: true })).error);
        assert.deepStrictEqual(helper.getNode('dev').session.protocol, { protocol: 'klap', transport: 'klap', port: blank.port, hashVersion: 1, defaultAccount: true });
      } finally {
        await blank.stop();
      }
    });

    it('legacy on a KLAP plug: refused on its port, nothing acted; the port default follows the protocol', async () => {
      await load(['tplink-relay'], [dev({ protocol: 'legacy' }), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })]);
      const { error } = await exchange('relay', { payload: true });
      assert.ok(error, 'legacy bytes get no answer from an HTTP server');
      assert.strictEqual(sim.device.relay(), false);
      await helper.unload();
      await load(['tplink-relay'], [dev({ protocol: 'klap', port: '' })]);
      assert.strictEqual(helper.getNode('dev').port, 80);
      await helper.unload();
      await load(['tplink-relay'], [dev({ protocol: 'auto', port: '' })]);
      assert.strictEqual(helper.getNode('dev').port, 9999, 'auto starts with legacy on 9999 (then KLAP on 80)');
    });
  });
});
