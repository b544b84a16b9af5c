'use strict';
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims } = require('./support/nodes');

describe('tplink-emeter node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ v1: 'hs110', v2: 'hs110v2', strip: 'hs300', plain: 'hs100' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'v1') => [
    deviceNode('v1', sims.v1), deviceNode('v2', sims.v2), deviceNode('strip', sims.strip), deviceNode('plain', sims.plain),
    ...wired('em', 'tplink-emeter', dev, props),
  ];
  const lastRequest = (sim) => sim.requests[sim.requests.length - 1];
  const statusOf = () => helper.getNode('em').status.lastCall.args[0];
  const now = new Date();

  describe('realtime', () => {
    it('hw 1.x (W, V, A, kWh) comes out in both unit conventions; status in watts', async () => {
      await load(['tplink-emeter'], flow({ action: 'realtime' }));
      sims.v1.device.setRelay(1);
      sims.v1.device.setLoad(100);
      sims.v1.device.setVoltage(230);
      const { msg, error } = await exchange('em', { payload: 1, topic: 'meter' });
      assert.ifError(error);
      const p = msg.payload;
      assert.strictEqual(p.power, 100);
      assert.strictEqual(p.power_mw, 100000);
      assert.strictEqual(p.voltage, 230);
      assert.strictEqual(p.voltage_mv, 230000);
      assert.strictEqual(p.current_ma, Math.round(p.current * 1000));
      assert.strictEqual(p.total_wh, Math.round(p.total * 1000));
      assert.strictEqual(p.err_code, undefined);
      assert.strictEqual(msg.topic, 'meter');
      assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.v1.port, alias: 'sim v1' });
      assert.strictEqual(msg.reply.emeter.get_realtime.power, 100);
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { get_realtime: {} } });
      assert.deepStrictEqual(helper.getNode('em').status.firstCall.args[0], { fill: 'yellow', shape: 'ring', text: 'sending…' });
      assert.deepStrictEqual(statusOf(), { fill: 'green', shape: 'dot', text: '100.0 W' });
    });

    it('hw 2.x (mW, mV, mA, Wh) gets the base units added', async () => {
      await load(['tplink-emeter'], flow({}, 'v2'));
      sims.v2.device.setRelay(1);
      sims.v2.device.setLoad(12.34);
      sims.v2.device.setVoltage(230);
      const { msg } = await exchange('em', { payload: 'go' });
      assert.strictEqual(msg.payload.power_mw, 12340);
      assert.strictEqual(msg.payload.power, 12.34);
      assert.strictEqual(msg.payload.voltage, 230);
      assert.strictEqual(msg.payload.total, msg.payload.total_wh / 1000);
      assert.strictEqual(statusOf().text, '12.3 W');
    });

    it('HS300: one outlet via the node setting or msg.outlet, the whole strip without', async () => {
      await load(['tplink-emeter'], flow({ outlet: '2' }, 'strip'));
      const d = sims.strip.device;
      d.setRelay(1);
      d.setLoad(50, 2);
      d.setLoad(7, 4);
      d.setLoad(0, 0); d.setLoad(0, 1); d.setLoad(0, 3); d.setLoad(0, 5);
      const a = await exchange('em', {});
      assert.ifError(a.error);
      assert.strictEqual(a.msg.payload.power, 50);
      assert.deepStrictEqual(lastRequest(sims.strip).context, { child_ids: [d.childId(2)] });
      const b = await exchange('em', { outlet: 4 });
      assert.strictEqual(b.msg.payload.power, 7);
      assert.deepStrictEqual(lastRequest(sims.strip).context, { child_ids: [d.childId(4)] });
      const c = await exchange('em', { outlet: 9 });
      assert.match(String(c.error.message), /invalid outlet/);
    });

    it('HS300 without an outlet reads the whole strip', async () => {
      await load(['tplink-emeter'], flow({}, 'strip'));
      sims.strip.device.setRelay(1);
      for (let i = 0; i < 6; i++) sims.strip.device.setLoad(i + 1, i);
      const { msg } = await exchange('em', {});
      assert.strictEqual(msg.payload.power, 21);
      assert.strictEqual(lastRequest(sims.strip).context, undefined);
    });
  });

  describe('statistics', () => {
    it('daily stats default to the current month; entries and totals carry kWh and Wh', async () => {
      await load(['tplink-emeter'], flow({ action: 'daystat' }));
      const { msg, error } = await exchange('em', { payload: Date.now() });
      assert.ifError(error);
      const year = now.getFullYear();
      const month = now.getMonth() + 1;
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { get_daystat: { month, year } } });
      assert.strictEqual(msg.payload.year, year);
      assert.strictEqual(msg.payload.month, month);
      assert.ok(msg.payload.day_list.length >= 1);
      for (const d of msg.payload.day_list) {
        assert.strictEqual(typeof d.energy, 'number');
        assert.strictEqual(d.energy_wh, Math.round(d.energy * 1000));
        assert.strictEqual(d.month, month);
      }
      const sum = msg.payload.day_list.reduce((s, d) => s + d.energy, 0);
      assert.ok(Math.abs(msg.payload.energy - sum) < 0.001);
      assert.match(statusOf().text, new RegExp(`^${year}-${String(month).padStart(2, '0')}: [\\d.]+ kWh$`));
    });

    it('daily stats of a month from the node setting, overridden by msg.payload {year, month}', async () => {
      const last = now.getFullYear() - 1;
      await load(['tplink-emeter'], flow({ action: 'daystat', year: String(last), month: '2' }, 'v2'));
      const a = await exchange('em', {});
      assert.deepStrictEqual(lastRequest(sims.v2), { emeter: { get_daystat: { month: 2, year: last } } });
      assert.strictEqual(a.msg.payload.day_list.length, new Date(last, 2, 0).getDate());
      for (const d of a.msg.payload.day_list) assert.strictEqual(d.energy, d.energy_wh / 1000);
      const b = await exchange('em', { payload: { year: last, month: 11 } });
      assert.deepStrictEqual(lastRequest(sims.v2), { emeter: { get_daystat: { month: 11, year: last } } });
      assert.strictEqual(b.msg.payload.day_list.length, 30);
      assert.strictEqual(b.msg.payload.energy_wh, b.msg.payload.day_list.reduce((s, d) => s + d.energy_wh, 0));
    });

    it('monthly stats of a year (default current; payload.year overrides)', async () => {
      await load(['tplink-emeter'], flow({ action: 'monthstat' }));
      const a = await exchange('em', {});
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { get_monthstat: { year: now.getFullYear() } } });
      assert.strictEqual(a.msg.payload.year, now.getFullYear());
      assert.strictEqual(a.msg.payload.month_list.length, now.getMonth() + 1);
      const b = await exchange('em', { payload: { year: now.getFullYear() - 1 } });
      assert.strictEqual(b.msg.payload.month_list.length, 12);
      for (const m of b.msg.payload.month_list) assert.strictEqual(m.energy_wh, Math.round(m.energy * 1000));
      assert.match(statusOf().text, /^\d{4}: [\d.]+ kWh$/);
    });

    it('VGain / IGain', async () => {
      await load(['tplink-emeter'], flow({ action: 'gains' }));
      const { msg } = await exchange('em', {});
      assert.deepStrictEqual(msg.payload, { vgain: 13462, igain: 16835 });
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { get_vgain_igain: {} } });
    });
  });

  describe('chart-ready output', () => {
    // What the chart gets, worked out from the full statistics the node also hands on (msg.stats).
    const expected = (list, key, count) => Array.from({ length: count }, (_, i) => ({
      x: i + 1,
      y: Math.round(list.filter((e) => e[key] === i + 1).reduce((s, e) => s + e.energy, 0) * 1000) / 1000,
    }));

    it('realtime: the watts (to 0.1 W) as payload (gauges and line charts take it as is), the full reading in msg.reading', async () => {
      await load(['tplink-emeter'], flow({ action: 'realtime', output: 'chart' }, 'v2'));
      sims.v2.device.setRelay(1);
      sims.v2.device.setLoad(42.46);
      const { msg, error } = await exchange('em', { payload: 1, topic: 'kettle' });
      assert.ifError(error);
      assert.strictEqual(msg.payload, 42.5, 'to 0.1 W');
      assert.strictEqual(msg.reading.power, 42.46);
      assert.strictEqual(msg.reading.power_mw, 42460);
      assert.strictEqual(msg.topic, 'kettle');
      assert.strictEqual(statusOf().text, '42.5 W');
    });

    it('daystat: one {x: day, y: kWh} per day up to today, 0 where the plug has no record; past months in full, future ones empty', async () => {
      await load(['tplink-emeter'], flow({ action: 'daystat', output: 'chart' }, 'strip'));
      const a = await exchange('em', {});
      assert.ifError(a.error);
      assert.deepStrictEqual(a.msg.payload, expected(a.msg.stats.day_list, 'day', now.getDate()));
      assert.strictEqual(a.msg.stats.month, now.getMonth() + 1);
      const last = now.getFullYear() - 1;
      const b = await exchange('em', { payload: { year: last, month: 2 } });
      assert.strictEqual(b.msg.payload.length, new Date(last, 2, 0).getDate());
      assert.deepStrictEqual(b.msg.payload, expected(b.msg.stats.day_list, 'day', b.msg.payload.length));
      assert.ok(b.msg.payload.some((p) => p.y > 0), 'the simulated strip used energy last year');
      const c = await exchange('em', { payload: { year: now.getFullYear() + 1, month: 1 } });
      assert.deepStrictEqual(c.msg.payload, []);
    });

    it('monthstat: one {x: month, y: kWh} per month up to this one', async () => {
      await load(['tplink-emeter'], flow({ action: 'monthstat', output: 'chart' }));
      const { msg } = await exchange('em', {});
      assert.deepStrictEqual(msg.payload, expected(msg.stats.month_list, 'month', now.getMonth() + 1));
      assert.strictEqual(msg.stats.year, now.getFullYear());
    });

    it('an unknown output setting is an error naming it; nothing sent', async () => {
      await load(['tplink-emeter'], flow({ output: 'graph' }));
      const sent = sims.v1.requests.length;
      const { error } = await exchange('em', {});
      assert.match(error.message, /invalid output: expected "full" or "chart", got "graph"/);
      assert.strictEqual(sims.v1.requests.length, sent);
    });
  });

  describe('erase', () => {
    it('is refused without "allow erasing statistics"; nothing is sent', async () => {
      await load(['tplink-emeter'], flow({ action: 'erase' }));
      const sent = sims.v1.requests.length;
      const { error, msg } = await exchange('em', { topic: 't' });
      assert.ok(error);
      assert.strictEqual(error.kind, 'not-allowed');
      assert.match(error.message, /allow erasing statistics/);
      assert.strictEqual(msg.topic, 't');
      assert.strictEqual(sims.v1.requests.length, sent);
      assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'not allowed' });
    });

    it('is refused when asked for by the message too', async () => {
      await load(['tplink-emeter'], flow({ action: 'msg' }));
      const sent = sims.v1.requests.length;
      const { error } = await exchange('em', { action: 'erase' });
      assert.strictEqual(error.kind, 'not-allowed');
      assert.strictEqual(sims.v1.requests.length, sent);
    });

    it('erases the device statistics when allowed', async () => {
      await load(['tplink-emeter'], flow({ action: 'msg', allowErase: true }));
      const before = await exchange('em', { action: 'monthstat', payload: { year: now.getFullYear() - 1 } });
      assert.strictEqual(before.msg.payload.month_list.length, 12);
      const { msg, error } = await exchange('em', { action: 'erase' });
      assert.ifError(error);
      assert.strictEqual(msg.payload, true);
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { erase_emeter_stat: null } });
      assert.strictEqual(statusOf().text, 'stats erased');
      const after = await exchange('em', { action: 'monthstat', payload: { year: now.getFullYear() - 1 } });
      assert.deepStrictEqual(after.msg.payload.month_list, []);
    });
  });

  describe('action from the message', () => {
    it('msg.action, else msg.payload.action; the node setting wins otherwise', async () => {
      await load(['tplink-emeter'], flow({ action: 'msg' }));
      const a = await exchange('em', { action: 'gains' });
      assert.deepStrictEqual(a.msg.payload, { vgain: 13462, igain: 16835 });
      const b = await exchange('em', { payload: { action: 'monthstat', year: 2020 } });
      assert.deepStrictEqual(lastRequest(sims.v1), { emeter: { get_monthstat: { year: 2020 } } });
      assert.strictEqual(b.msg.payload.year, 2020);
      const c = await exchange('em', { action: 'realtime', payload: { action: 'gains' } });
      assert.strictEqual(typeof c.msg.payload.power, 'number');
    });

    it('a fixed action ignores msg.action', async () => {
      await load(['tplink-emeter'], flow({ action: 'gains' }));
      const { msg } = await exchange('em', { action: 'erase' });
      assert.deepStrictEqual(msg.payload, { vgain: 13462, igain: 16835 });
    });
  });

  describe('bad input: an error naming the field, nothing sent', () => {
    const cases = [
      [{ action: 'msg' }, {}, /invalid payload\.action: expected one of "realtime"/],
      [{ action: 'msg' }, { action: 'reset' }, /invalid action: expected one of/],
      [{ action: 'msg' }, { action: 7 }, /invalid action/],
      [{ action: 'daystat' }, { payload: { year: 1999 } }, /invalid payload\.year: expected an integer from 2000 to 2099, got 1999/],
      [{ action: 'daystat' }, { payload: { month: 13 } }, /invalid payload\.month/],
      [{ action: 'daystat' }, { payload: { month: '3' } }, /invalid payload\.month/],
      [{ action: 'daystat' }, { payload: { month: 2.5 } }, /invalid payload\.month/],
      [{ action: 'monthstat' }, { payload: { yaer: 2024 } }, /invalid payload\.yaer: expected only the fields action, year, month/],
      [{ action: 'daystat', month: '13' }, {}, /invalid month/],
      [{ action: 'monthstat', year: 'last' }, {}, /invalid year/],
      [{ action: 'realtime' }, { payload: JSON.parse('{"__proto__":{"action":"erase"}}') }, /invalid payload\.__proto__/],
    ];
    for (const [props, msg, re] of cases) {
      it(`${JSON.stringify(props)} + ${JSON.stringify(msg)}`, async () => {
        await load(['tplink-emeter'], flow(props));
        const sent = sims.v1.requests.length;
        const { error } = await exchange('em', msg);
        assert.ok(error, 'expected an error');
        assert.match(error.message, re);
        assert.strictEqual(sims.v1.requests.length, sent, 'nothing reached the device');
        assert.strictEqual(statusOf().fill, 'red');
        assert.strictEqual({}.action, undefined);
      });
    }
  });

  describe('errors from the device and the network', () => {
    it('a device without an energy meter (HS100): device error -1 with a clear message', async () => {
      await load(['tplink-emeter'], flow({}, 'plain'));
      const { error, msg } = await exchange('em', { topic: 'x' });
      assert.strictEqual(error.kind, 'device');
      assert.strictEqual(error.errCode, -1);
      assert.match(error.message, /no energy meter/);
      assert.match(error.message, /emeter\.get_realtime answered -1/);
      assert.strictEqual(msg.topic, 'x');
      assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'device error -1' });
    });

    it('another err_code names module, method and code', async () => {
      await load(['tplink-emeter'], flow({ action: 'daystat' }));
      sims.v1.setFault({ type: 'err-code', code: -3 });
      const { error } = await exchange('em', {});
      assert.match(error.message, /emeter\.get_daystat: -3/);
      assert.strictEqual(statusOf().text, 'device error -3');
    });

    it('refused connection, then recovery', async () => {
      await load(['tplink-emeter'], flow());
      await sims.v1.stop();
      const { error } = await exchange('em', {});
      assert.match(error.message, /connection refused/);
      assert.strictEqual(statusOf().text, 'refused');
      await sims.v1.restart();
      const ok = await exchange('em', {});
      assert.ifError(ok.error);
      assert.match(statusOf().text, / W$/);
    });

    it('a stalled device times out', async () => {
      await load(['tplink-emeter'], flow());
      sims.v1.setFault('stall');
      const { error } = await exchange('em', {});
      assert.strictEqual(error.kind, 'timeout');
      assert.strictEqual(statusOf().text, 'timeout');
    });
  });

  it('examples/emeter.json deploys and reads the simulated HS110', async () => {
    const example = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, '..', 'examples', 'emeter.json'), 'utf8'));
    assert.deepStrictEqual(example.map((n) => n.type).sort(), ['debug', 'inject', 'tplink-device', 'tplink-emeter']);
    const device = example.find((n) => n.type === 'tplink-device');
    assert.deepStrictEqual([device.name, device.host, device.port], ['Simulated HS110', '127.0.0.1', 9999]);
    device.port = sims.v1.port; // the example's 9999 is `npm start`'s simulator
    const inject = example.find((n) => n.type === 'inject');
    inject.once = false;
    inject.repeat = '';
    // The core debug node needs the editor's comms; a helper node stands in for it, same id and wires.
    const debug = example.find((n) => n.type === 'debug');
    // Imported nodes land on the editor's current tab; at runtime they need one.
    const onTab = (n) => (n.type === 'tplink-device' ? n : { ...n, z: 'tab' });
    const flow = [{ id: 'tab', type: 'tab' }, ...example.map((n) => onTab(n === debug ? { id: n.id, type: 'helper' } : n))];
    const modules = [require('@node-red/nodes/core/common/20-inject.js'), ...require('./support/nodes').nodeModules('tplink-emeter')];
    await new Promise((resolve, reject) => helper.load(modules, flow, (e) => (e ? reject(e) : resolve())));
    const got = new Promise((resolve) => helper.getNode(debug.id).on('input', resolve));
    helper.getNode(inject.id).receive({});
    const msg = await got;
    assert.strictEqual(typeof msg.payload.power, 'number');
    assert.strictEqual(typeof msg.payload.power_mw, 'number');
    assert.strictEqual(msg.topic, 'power');
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-emeter'], flow());
      await exchange('em', {});
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.v1.activeConnections, 0);
    assert.strictEqual(sims.v1.peakConnections, 1);
  });
});
