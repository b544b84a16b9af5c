'use strict';
// tplink-monitor against simulated plugs on 127.0.0.1, with 100 ms polls.
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims } = require('./support/nodes');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const POLL = 0.1; // seconds

describe('tplink-monitor node', function () {
  let sims;
  let got; // every message the monitor sent, in order
  beforeEach(async () => {
    sims = await startSims({ plug: 'hs110', v2: 'hs110v2', plain: 'hs100', strip: 'hs300' });
    got = [];
  });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  async function start(dev, props = {}, extra = []) {
    await load(['tplink-monitor', 'tplink-relay'], [
      deviceNode('dev', sims[dev]),
      { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: POLL, wires: [['out']], ...props },
      { id: 'out', type: 'helper' },
      ...extra,
    ]);
    helper.getNode('out').on('input', (m) => got.push(m));
  }

  /** Resolves with the next message on `topic` (counting from `from`). */
  async function next(topic, { from = got.length, timeout = 2000 } = {}) {
    const until = Date.now() + timeout;
    for (;;) {
      const m = got.slice(from).find((x) => x.topic === topic);
      if (m) return m;
      if (Date.now() > until) throw new Error(`no "${topic}" within ${timeout} ms; got ${got.map((x) => x.topic).join(', ') || 'nothing'}`);
      await sleep(20);
    }
  }

  const topics = (from = 0) => got.slice(from).map((m) => m.topic);

  it('the first poll is a silent baseline; relay changes give power-on / power-off', async () => {
    await start('plug');
    await sleep(350);
    assert.deepStrictEqual(topics(), [], 'nothing at deploy');
    sims.plug.device.setRelay(true);
    const on = await next('power-on');
    assert.deepStrictEqual(on.payload, { outlet: null, on: true, alias: sims.plug.device.alias() });
    assert.deepStrictEqual(on.device, { host: '127.0.0.1', port: sims.plug.port, alias: sims.plug.device.alias() });
    const from = got.length;
    sims.plug.device.setRelay(false);
    const off = await next('power-off', { from });
    assert.strictEqual(off.payload.on, false);
    await sleep(300);
    assert.deepStrictEqual(topics().filter((t) => t.startsWith('power')), ['power-on', 'power-off'], 'one message per change');
  });

  it('"send the current state at the first poll" reports the state found', async () => {
    sims.plug.device.setRelay(true);
    sims.plug.device.setLoad(40);
    await start('plug', { initial: true, threshold: '10' });
    await next('in-use');
    assert.deepStrictEqual(topics().slice(0, 2), ['power-on', 'in-use']);
  });

  it('status shows on/off and watts', async () => {
    sims.plug.device.setLoad(12.3);
    await start('plug');
    const node = helper.getNode('mon');
    await sleep(300);
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'grey', shape: 'dot', text: 'off · 0 W' });
    sims.plug.device.setRelay(true);
    await next('power-on');
    await sleep(250);
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'on · 12.3 W' });
  });

  it('in-use / not-in-use when the power crosses the threshold, with hysteresis', async () => {
    sims.plug.device.setRelay(true);
    sims.plug.device.setLoad(2);
    await start('plug', { threshold: '10', hysteresis: '3' });
    await sleep(300);
    assert.deepStrictEqual(topics(), []);
    sims.plug.device.setLoad(50);
    const inUse = await next('in-use');
    assert.strictEqual(inUse.payload.power, 50);
    assert.strictEqual(inUse.payload.threshold, 10);
    assert.strictEqual(inUse.payload.outlet, null);
    sims.plug.device.setLoad(8); // above threshold − hysteresis: still in use
    await sleep(350);
    assert.deepStrictEqual(topics(), ['in-use']);
    sims.plug.device.setLoad(5);
    const idle = await next('not-in-use');
    assert.strictEqual(idle.payload.power, 5);
    await sleep(300);
    assert.deepStrictEqual(topics(), ['in-use', 'not-in-use']);
  });

  it('offline once when the device stops answering, online when it is back, red status meanwhile', async () => {
    await start('plug');
    await sleep(250);
    await sims.plug.stop();
    const off = await next('offline');
    assert.strictEqual(off.payload.kind, 'refused');
    const node = helper.getNode('mon');
    await sleep(300);
    assert.deepStrictEqual(topics(), ['offline'], 'offline is sent once');
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'offline' });
    sims.plug.device.setRelay(true); // switched by hand while unreachable
    await sims.plug.restart();
    await next('power-on');
    assert.deepStrictEqual(topics(), ['offline', 'online', 'power-on']);
    assert.strictEqual(node.status.lastCall.args[0].fill, 'green');
  });

  it('a device that is down at deploy is reported offline at once', async () => {
    await sims.plug.stop();
    await start('plug');
    await next('offline');
    await sims.plug.restart();
    await next('online');
  });

  for (const [dev, units] of [['plug', 'V/A/W (hw 1.x)'], ['v2', 'mV/mA/mW (hw 2.x)']]) {
    it(`periodic emeter readings carry both unit conventions (device speaks ${units})`, async () => {
      sims[dev].device.setRelay(true);
      sims[dev].device.setLoad(100);
      await start(dev, { emeter: POLL });
      await sleep(450);
      const readings = got.filter((m) => m.topic === 'emeter');
      assert.ok(readings.length >= 3, `${readings.length} readings`);
      const r = readings[0].payload;
      assert.strictEqual(r.power, 100);
      assert.strictEqual(r.power_mw, 100000);
      for (const k of ['voltage', 'voltage_mv', 'current', 'current_ma', 'total', 'total_wh']) assert.strictEqual(typeof r[k], 'number', k);
      assert.strictEqual(r.outlet, null);
    });
  }

  it('emeter readings are spaced by their own interval, not every poll', async () => {
    await start('plug', { emeter: 0.4 });
    await sleep(1000);
    const n = got.filter((m) => m.topic === 'emeter').length;
    assert.ok(n >= 2 && n <= 3, `${n} readings in 1 s at 0.4 s`);
  });

  it('a plug without energy meter still reports relay changes, warns once about the threshold', async () => {
    await start('plain', { threshold: '10' });
    await sleep(300);
    sims.plain.device.setRelay(true);
    await next('power-on');
    await sleep(200);
    const node = helper.getNode('mon');
    const warns = node.warn.getCalls().filter((c) => c.thisValue === node);
    assert.strictEqual(warns.length, 1);
    assert.match(String(warns[0].args[0]), /no energy meter/);
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'on' });
    const emeterAsks = sims.plain.requests.filter((r) => r.emeter).length;
    assert.strictEqual(emeterAsks, 1, 'asked once, then not again');
  });

  it('a malformed outlet setting is an error naming outlet, and nothing is polled', async () => {
    await start('strip', { outlet: '1;2' });
    await sleep(300);
    const node = helper.getNode('mon');
    assert.match(String(node.error.getCalls().find((c) => c.thisValue === node).args[0]), /invalid outlet/);
    assert.strictEqual(sims.strip.requests.length, 0);
    assert.strictEqual(node.status.lastCall.args[0].fill, 'red');
  });

  describe('one output per kind (for dashboards)', () => {
    let outs; // what each of the three outputs got, in order
    async function startSplit(dev, props) {
      outs = [[], [], []];
      await load(['tplink-monitor'], [
        deviceNode('dev', sims[dev]),
        { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: POLL, split: true, wires: [['o0'], ['o1'], ['o2']], ...props },
        { id: 'o0', type: 'helper' }, { id: 'o1', type: 'helper' }, { id: 'o2', type: 'helper' },
      ]);
      ['o0', 'o1', 'o2'].forEach((id, i) => helper.getNode(id).on('input', (m) => outs[i].push(m)));
    }
    async function until(what, test, timeout = 2000) {
      const end = Date.now() + timeout;
      while (!test()) {
        if (Date.now() > end) throw new Error(`no ${what} within ${timeout} ms; got ${JSON.stringify(outs.map((o) => o.map((m) => m.payload)))}`);
        await sleep(20);
      }
    }

    it('relay on/off as a bare boolean on output 1, watts (to 0.1 W) on output 2, the other events on output 3', async () => {
      sims.plug.device.setRelay(true);
      sims.plug.device.setLoad(40.04);
      await startSplit('plug', { initial: true, threshold: '10', emeter: POLL });
      await until('state, reading and in-use', () => outs[0].length && outs[1].length && outs[2].length);
      const alias = sims.plug.device.alias();
      const dev = { host: '127.0.0.1', port: sims.plug.port, alias };
      assert.deepStrictEqual(outs[0][0], { _msgid: outs[0][0]._msgid, topic: alias, payload: true, outlet: null, event: 'power-on', device: dev });
      const r = outs[1][0];
      assert.strictEqual(r.payload, 40, 'to 0.1 W');
      assert.strictEqual(r.reading.power, 40.04);
      assert.strictEqual(r.reading.power_mw, 40040);
      assert.strictEqual(r.topic, alias);
      assert.strictEqual(r.outlet, null);
      assert.strictEqual(outs[2][0].topic, 'in-use');
      assert.strictEqual(outs[2][0].payload.power, 40.04);
      const seen = outs.map((o) => o.length);
      sims.plug.device.setRelay(false);
      await until('power-off', () => outs[0].length > seen[0]);
      assert.strictEqual(outs[0][seen[0]].payload, false);
      assert.strictEqual(outs[0][seen[0]].event, 'power-off');
      await until('not-in-use', () => outs[2].some((m) => m.topic === 'not-in-use'));
      await until('a 0 W reading', () => outs[1].some((m) => m.payload === 0));
      assert.ok(outs[1].every((m) => typeof m.payload === 'number'), 'output 2 carries only watts');
      assert.ok(outs[2].every((m) => !['power-on', 'power-off', 'emeter'].includes(m.topic)), 'output 3 carries only the other events');
    });

    it('a strip: one boolean per outlet that switches, with its index, child id and name', async () => {
      await startSplit('strip', { initial: true });
      await until('the six outlets', () => outs[0].length === 6);
      assert.deepStrictEqual(outs[0].map((m) => [m.outlet, m.payload, m.topic]), [0, 1, 2, 3, 4, 5].map((i) => [i, false, `Plug ${i + 1}`]));
      sims.strip.device.setRelay(true, 4);
      await until('outlet 4 on', () => outs[0].length === 7);
      assert.deepStrictEqual([outs[0][6].outlet, outs[0][6].payload, outs[0][6].id], [4, true, sims.strip.device.childId(4)]);
      assert.deepStrictEqual([outs[1].length, outs[2].length], [0, 0], 'no readings asked for, no other events');
    });
  });

  describe('HS300', () => {
    it('one message per outlet that switches, with outlet index, child id and outlet alias', async () => {
      await start('strip');
      await sleep(300);
      sims.strip.device.setRelay(true, 2);
      const on = await next('power-on');
      assert.deepStrictEqual(on.payload, { outlet: 2, on: true, alias: 'Plug 3', id: sims.strip.device.childId(2) });
      sims.strip.device.setRelay(true, 0);
      sims.strip.device.setRelay(true, 5);
      await sleep(350);
      assert.deepStrictEqual(got.map((m) => `${m.topic}:${m.payload.outlet}`), ['power-on:2', 'power-on:0', 'power-on:5']);
      const from = got.length;
      sims.strip.device.setRelay(false, 5);
      const off = await next('power-off', { from });
      assert.strictEqual(off.payload.outlet, 5);
      await sleep(250);
      const st = helper.getNode('mon').status.lastCall.args[0];
      assert.match(st.text, /^2\/6 on · [\d.]+ W$/);
    });

    it('a chosen outlet: only its relay and its own power', async () => {
      sims.strip.device.setLoad(30, 3);
      sims.strip.device.setLoad(500, 1);
      sims.strip.device.setRelay(true, 1);
      await start('strip', { outlet: '3', threshold: '20' });
      await sleep(300);
      sims.strip.device.setRelay(true, 0);
      sims.strip.device.setRelay(true, 3);
      const on = await next('power-on', { from: 0 });
      assert.strictEqual(on.payload.outlet, 3);
      const use = await next('in-use', { from: 0 });
      assert.strictEqual(use.payload.power, 30);
      assert.strictEqual(use.payload.outlet, 3);
      await sleep(250);
      assert.deepStrictEqual(topics(), ['power-on', 'in-use']);
      const ctx = sims.strip.requests.filter((r) => r.emeter).map((r) => r.context && r.context.child_ids[0]);
      assert.ok(ctx.length > 0 && ctx.every((id) => id === sims.strip.device.childId(3)));
    });
  });

  it('shares the device connection and queue with other nodes (one TCP connection)', async () => {
    await start('plug', { threshold: '10', emeter: POLL }, wired('relay', 'tplink-relay', 'dev'));
    await sleep(250); // the baseline (off)
    for (const on of [true, false, true, false]) {
      const from = got.length;
      const { error } = await exchange('relay', { payload: on });
      assert.ifError(error);
      await next(on ? 'power-on' : 'power-off', { from }); // the monitor saw what the relay node did
    }
    assert.deepStrictEqual(topics().filter((t) => t.startsWith('power')), ['power-on', 'power-off', 'power-on', 'power-off']);
    assert.strictEqual(sims.plug.peakConnections, 1);
    assert.strictEqual(sims.plug.connectionsOpened, 1);
  });

  it('leaves no timer behind: nothing reaches the device after unload or a redeploy', async () => {
    await start('plug', { emeter: POLL });
    await sleep(250);
    assert.ok(sims.plug.requests.length >= 2);
    await helper.unload();
    await sleep(20);
    const n = sims.plug.requests.length;
    await sleep(2 * POLL * 1000 + 100);
    assert.strictEqual(sims.plug.requests.length, n, 'no poll after close');
    assert.strictEqual(sims.plug.activeConnections, 0);
    // a redeploy: the old node stops, only the new one polls
    await start('plug', { interval: 0.2 });
    await sleep(650);
    const asks = sims.plug.requests.slice(n).filter((r) => r.system).length;
    assert.ok(asks >= 3 && asks <= 5, `${asks} polls in 650 ms at 200 ms`);
  });
});
