'use strict';
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims } = require('./support/nodes');

describe('tplink-relay node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('relay', 'tplink-relay', dev, props)];

  it('loads with its config node', async () => {
    await load(['tplink-relay'], flow());
    assert.ok(helper.getNode('relay'));
    assert.strictEqual(helper.getNode('dev').port, sims.plug.port);
  });

  for (const [payload, expected] of [[true, true], [false, false], [1, true], [0, false], ['on', true], ['off', false], ['ON', true], [{ on: true }, true], [{ on: false }, false]]) {
    it(`payload ${JSON.stringify(payload)} sets the relay ${expected ? 'on' : 'off'}`, async () => {
      await load(['tplink-relay'], flow());
      sims.plug.device.handle({ system: { set_relay_state: { state: expected ? 0 : 1 } } });
      const { msg, error } = await exchange('relay', { payload, topic: 'lamp' });
      assert.ifError(error);
      assert.strictEqual(msg.payload, expected);
      assert.strictEqual(msg.topic, 'lamp');
      assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: 'sim dev' });
      assert.strictEqual(msg.reply.system.set_relay_state.err_code, 0);
      assert.strictEqual(sims.plug.device.relay(), expected);
    });
  }

  it('toggle reads the state and flips it, twice', async () => {
    await load(['tplink-relay'], flow({ action: 'toggle' }));
    const before = sims.plug.device.relay();
    const a = await exchange('relay', { payload: 'anything' });
    assert.strictEqual(a.msg.payload, !before);
    assert.strictEqual(sims.plug.device.relay(), !before);
    const b = await exchange('relay', { payload: null });
    assert.strictEqual(b.msg.payload, before);
  });

  // Issue 11 defect 9: the read and the set of a toggle must hold the device together.
  it('two toggles at once flip the relay twice (read-modify-write holds the device)', async () => {
    await load(['tplink-relay'], flow({ action: 'toggle' }));
    sims.plug.device.handle({ system: { set_relay_state: { state: 0 } } });
    const node = helper.getNode('relay');
    const out = helper.getNode('relay-out');
    const got = [];
    const both = new Promise((resolve) => out.on('input', (m) => { got.push(m.payload); if (got.length === 2) resolve(); }));
    node.receive({ payload: 'a' });
    node.receive({ payload: 'b' });
    await both;
    assert.deepStrictEqual(got, [true, false]);
    assert.strictEqual(sims.plug.device.relay(), false, 'two toggles leave the relay where it was');
  });

  it('toggle on a strip outlet flips only that outlet', async () => {
    await load(['tplink-relay'], flow({ action: 'toggle', outlet: '1' }, 'strip'));
    const { msg, error } = await exchange('relay', { payload: null });
    assert.ifError(error);
    const sys = sims.strip.device.handle({ system: { get_sysinfo: {} } }).system.get_sysinfo;
    assert.strictEqual(sys.children[1].state === 1, msg.payload);
  });

  it('get reports the state without changing it; the node setting overrides msg.payload', async () => {
    await load(['tplink-relay'], flow({ action: 'get' }));
    sims.plug.device.handle({ system: { set_relay_state: { state: 1 } } });
    const { msg } = await exchange('relay', { payload: false });
    assert.strictEqual(msg.payload, true);
    assert.strictEqual(sims.plug.device.relay(), true);
    assert.strictEqual(msg.reply.system.get_sysinfo.relay_state, 1);
  });

  it('status shows on / off after a command', async () => {
    await load(['tplink-relay'], flow());
    const node = helper.getNode('relay');
    await exchange('relay', { payload: true });
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'on' });
    await exchange('relay', { payload: false });
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'grey', shape: 'dot', text: 'off' });
  });

  for (const bad of ['maybe', 2, -1, null, [], { on: 'yes' }, NaN, 'x'.repeat(100000)]) {
    it(`bad payload ${JSON.stringify(bad) === undefined ? String(bad) : JSON.stringify(bad).slice(0, 20)} is an error naming the field; nothing sent`, async () => {
      await load(['tplink-relay'], flow());
      const sent = sims.plug.requests.length;
      const { error, msg } = await exchange('relay', { payload: bad });
      assert.ok(error, 'expected an error');
      assert.match(String(error.message || error), /invalid payload(\.on)?: expected/);
      assert.ok(msg, 'the failing msg reaches Catch nodes');
      assert.strictEqual(sims.plug.requests.length, sent, 'nothing reached the device');
      const node = helper.getNode('relay');
      assert.strictEqual(node.status.lastCall.args[0].fill, 'red');
    });
  }

  it('a prototype-pollution payload is rejected and pollutes nothing', async () => {
    await load(['tplink-relay'], flow());
    const { error } = await exchange('relay', { payload: JSON.parse('{"__proto__":{"on":true}}') });
    assert.ok(error);
    assert.strictEqual({}.on, undefined);
  });

  it('refused connection reaches done(err) with a red status, then recovers without a redeploy', async () => {
    await load(['tplink-relay'], flow());
    await sims.plug.stop();
    const { error } = await exchange('relay', { payload: true });
    assert.match(String(error.message), /connection refused/);
    const node = helper.getNode('relay');
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'refused' });
    await sims.plug.restart();
    const ok = await exchange('relay', { payload: true });
    assert.ifError(ok.error);
    assert.strictEqual(ok.msg.payload, true);
    assert.strictEqual(node.status.lastCall.args[0].text, 'on');
  });

  it('a device error (err_code) reaches done(err) naming module, method and code', async () => {
    await load(['tplink-relay'], flow());
    sims.plug.setFault({ type: 'err-code', code: -2 });
    const { error } = await exchange('relay', { payload: true });
    assert.match(String(error.message), /system\.set_relay_state: -2/);
  });

  it('no device configured is an error naming device', async () => {
    await load(['tplink-relay'], [...wired('relay', 'tplink-relay', 'missing')]);
    const { error } = await exchange('relay', { payload: true });
    assert.match(String(error.message), /invalid device/);
  });

  describe('HS300 outlets', () => {
    it('switches one outlet by index from the node setting and from msg.outlet', async () => {
      await load(['tplink-relay'], flow({ outlet: '2' }, 'strip'));
      const r = await exchange('relay', { payload: true });
      assert.ifError(r.error);
      assert.strictEqual(sims.strip.device.relay(2), true);
      assert.strictEqual(sims.strip.device.relay(3), false);
      const r2 = await exchange('relay', { payload: 'on', outlet: 4 });
      assert.ifError(r2.error);
      assert.strictEqual(sims.strip.device.relay(4), true);
      const last = sims.strip.requests[sims.strip.requests.length - 1];
      assert.deepStrictEqual(last.context.child_ids, [sims.strip.device.sysinfo().deviceId + '04']);
    });

    it('get and toggle read the outlet state', async () => {
      await load(['tplink-relay'], flow({ action: 'toggle', outlet: '1' }, 'strip'));
      const r = await exchange('relay', { payload: null });
      assert.strictEqual(r.msg.payload, true);
      assert.strictEqual(sims.strip.device.relay(1), true);
      assert.strictEqual(sims.strip.device.relay(0), false);
    });

    it('an unknown outlet is an error naming outlet', async () => {
      await load(['tplink-relay'], flow({}, 'strip'));
      const { error } = await exchange('relay', { payload: true, outlet: 9 });
      assert.match(String(error.message), /invalid outlet/);
      const { error: e2 } = await exchange('relay', { payload: true, outlet: { x: 1 } });
      assert.match(String(e2.message), /invalid outlet/);
    });
  });

  it('msg.device.alias follows an alias change sent through another node', async () => {
    // The outlet lookup caches the strip's sysinfo; a raw set_dev_alias must not leave it stale.
    await load(['tplink-relay', 'tplink-raw'], [...flow({ outlet: '0' }, 'strip'), ...wired('raw', 'tplink-raw', 'strip')]);
    const before = await exchange('relay', { payload: true });
    assert.notStrictEqual(before.msg.device.alias, 'Strip X');
    const set = await exchange('raw', { payload: { system: { set_dev_alias: { alias: 'Strip X' } } } });
    assert.ifError(set.error);
    const after = await exchange('relay', { payload: false });
    assert.strictEqual(after.msg.device.alias, 'Strip X');
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-relay'], flow());
      await exchange('relay', { payload: i % 2 === 0 });
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
    assert.strictEqual(sims.plug.peakConnections, 1);
  });
});
