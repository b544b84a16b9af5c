'use strict';
// Defects 2 and 3 of issue 11, through real Node-RED against simulated plugs on
// 127.0.0.1: an interval or timeout past Node's timer limit (2^31-1 ms) used to
// overflow and fire every millisecond, and a bad device port silently became
// 9999 or surfaced Node's RangeError. Now each is a ValidationError naming the
// field, and nothing reaches a device.
const assert = require('assert');
const dgram = require('dgram');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims } = require('./support/nodes');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TIMER_LIMIT_MS = 2 ** 31 - 1;

/** Errors a node reported with node.error(), as text. */
const errorsOf = (node) => node.error.getCalls().filter((c) => c.thisValue === node).map((c) => String(c.args[0]));

describe('settings past their bounds (issue 11, defects 2 and 3)', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  describe('tplink-monitor interval', () => {
    for (const interval of [2147484, '2147484', 1e9]) {
      it(`${JSON.stringify(interval)} s is refused naming interval; the plug is never polled`, async () => {
        await load(['tplink-monitor'], [
          deviceNode('dev', sims.plug),
          { id: 'mon', type: 'tplink-monitor', device: 'dev', interval, wires: [[]] },
        ]);
        await sleep(300); // an overflowed timer polls about every millisecond
        const node = helper.getNode('mon');
        assert.strictEqual(sims.plug.requests.length, 0, `requests the plug received: ${sims.plug.requests.length}`);
        assert.match(errorsOf(node).join('\n'), /invalid interval: expected a number of seconds from 0\.1 to 2147483/);
        assert.strictEqual(node.status.lastCall.args[0].fill, 'red');
      });
    }

    it('2147483 s, the largest that fits a timer, polls once at start and not again', async () => {
      await load(['tplink-monitor'], [
        deviceNode('dev', sims.plug),
        { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: 2147483, wires: [[]] },
      ]);
      await sleep(300);
      assert.deepStrictEqual(errorsOf(helper.getNode('mon')), []);
      // the first poll: get_sysinfo, then the energy meter
      assert.strictEqual(sims.plug.requests.length, 2, JSON.stringify(sims.plug.requests));
    });

    it('an emeter interval past the bound is refused naming emeter', async () => {
      await load(['tplink-monitor'], [
        deviceNode('dev', sims.plug),
        { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: 5, emeter: 2147484, wires: [[]] },
      ]);
      await sleep(100);
      assert.match(errorsOf(helper.getNode('mon')).join('\n'), /invalid emeter: expected a number of seconds from 0 \(off\) to 2147483/);
      assert.strictEqual(sims.plug.requests.length, 0);
    });
  });

  describe('tplink-discover interval', () => {
    let sock;
    let probes;
    beforeEach(async () => {
      probes = 0;
      sock = dgram.createSocket('udp4');
      sock.on('message', () => { probes++; });
      await new Promise((r) => sock.bind(0, '127.0.0.1', r));
    });
    afterEach(() => sock.close());

    const flow = (interval) => [{
      id: 'disc', type: 'tplink-discover', broadcast: '127.0.0.1', port: sock.address().port,
      timeout: 100, interval, output: 'each', wires: [[]],
    }];

    it('2147484 s is refused naming interval; no probe is sent', async () => {
      await load(['tplink-discover'], flow(2147484));
      await sleep(450); // an overflowed interval starts a round as soon as the last ends
      assert.strictEqual(probes, 0, `probes sent: ${probes}`);
      assert.match(errorsOf(helper.getNode('disc')).join('\n'), /invalid interval: expected a number of seconds from 0 \(only on input\) to 2147483/);
      const node = helper.getNode('disc');
      const error = await new Promise((resolve) => {
        node.once('call:error', (call) => resolve(call.args[0]));
        node.receive({ payload: 'go' });
      });
      assert.strictEqual(error.field, 'interval', 'input fails with the setting\'s error');
      assert.strictEqual(probes, 0);
    });

    it('2147483 s: one round at start, then none', async () => {
      await load(['tplink-discover'], flow(2147483));
      await sleep(450);
      assert.strictEqual(probes, 1);
      assert.deepStrictEqual(errorsOf(helper.getNode('disc')), []);
    });
  });

  describe('tplink-device timeout and port', () => {
    async function relayWith(extra) {
      await load(['tplink-relay'], [
        deviceNode('dev', sims.plug, extra),
        ...wired('relay', 'tplink-relay', 'dev', { action: 'on' }),
      ]);
      return exchange('relay', { payload: true });
    }

    for (const timeout of [TIMER_LIMIT_MS + 1, 1e12, 120001]) {
      it(`timeout ${timeout} ms is a ValidationError naming timeout; nothing is sent`, async () => {
        const { error } = await relayWith({ timeout });
        assert.ok(error, 'the relay failed');
        assert.strictEqual(error.kind, 'invalid-input');
        assert.strictEqual(error.field, 'timeout');
        assert.match(error.message, /expected a whole number of ms from 100 to 120000/);
        assert.strictEqual(sims.plug.requests.length, 0);
        assert.strictEqual(sims.plug.device.sysinfo().relay_state, 0);
      });
    }

    // (a blank port is the protocol's since version 2: see the test below and test/migrate.test.js)
    for (const port of [-1, 0, 70000, 19100.5, '99999', 'abc']) {
      it(`port ${JSON.stringify(port)} is a ValidationError naming port`, async () => {
        const { error } = await relayWith({ port, version: 1 });
        assert.ok(error, 'the relay failed');
        assert.ok(!(error instanceof RangeError), `not Node's RangeError: ${error.message}`);
        assert.strictEqual(error.kind, 'invalid-input');
        assert.strictEqual(error.field, 'port');
        assert.match(error.message, /invalid port: expected a port number from 1 to 65535/);
        assert.match(errorsOf(helper.getNode('dev')).join('\n'), /invalid port/, 'said at deploy too');
      });
    }

    it('a blank port is the protocol\'s: 9999 for a legacy device', async () => {
      await load(['tplink-relay'], [deviceNode('dev', sims.plug, { port: '', protocol: 'legacy', version: 2 })]);
      assert.strictEqual(helper.getNode('dev').port, 9999);
    });

    it('the largest timeout (120000 ms) and the simulator\'s port as text work', async () => {
      const { msg, error } = await relayWith({ timeout: 120000, port: String(sims.plug.port) });
      assert.ifError(error);
      assert.strictEqual(msg.payload, true);
      assert.strictEqual(sims.plug.device.sysinfo().relay_state, 1);
    });

    it('a queue limit of 0 is a ValidationError naming queueLimit', async () => {
      const { error } = await relayWith({ queueLimit: 0 });
      assert.strictEqual(error && error.field, 'queueLimit');
      assert.strictEqual(sims.plug.requests.length, 0);
    });
  });
});
