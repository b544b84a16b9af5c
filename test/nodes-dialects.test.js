'use strict';
// The same node suites on a Kasa (IOT) simulator and a Tapo (SMART over KLAP v2)
// simulator: every case runs twice, with the same msg in and the same msg shape out.
// The SMART device is reached through tplink-device's protocol 'smart', with the
// account in the credential store.
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode } = require('./support/nodes');
const { PlugSimulator } = require('../nodes/simulator');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');

const USER = 'owner@example.com';
const PASS = 'secret-pw';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One twin: how to start it, bind it, and look at its state from the outside. */
const TWINS = [
  {
    name: 'IOT (Kasa HS110, legacy)',
    dialect: 'iot',
    start: () => PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 }),
    config: (sim) => deviceNode('dev', sim, { protocol: 'legacy' }), // a port-9999 plug, also when the suite runs over KLAP
    creds: {},
    relay: (sim) => sim.device.relay(),
    setRelay: (sim, on) => sim.device.setRelay(on),
    alias: (sim) => sim.device.alias(),
    sentCount: (sim) => sim.requests.length,
  },
  {
    name: 'SMART (Tapo P110, KLAP v2)',
    dialect: 'smart',
    start: () => SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, nickname: 'Tapo lamp', discoveryPort: null }),
    config: (sim) => deviceNode('dev', sim, { protocol: 'smart', transport: 'tcp' }),
    creds: { dev: { username: USER, password: PASS } },
    relay: (sim) => sim.device.main.on,
    setRelay: (sim, on) => sim.device.setOn(sim.device.main, on),
    alias: (sim) => sim.device.main.nickname,
    sentCount: (sim) => sim.requests.length,
  },
];

for (const twin of TWINS) {
  describe(`nodes on ${twin.name}`, function () {
    let sim;
    beforeEach(async () => { sim = await twin.start(); });
    afterEach(async () => { await helper.unload(); await sim.stop(); });

    const run = async (type, props, msg) => {
      await load([type], [twin.config(sim), ...wired('n', type, 'dev', props)], twin.creds);
      return exchange('n', msg);
    };

    it('relay: on, off, get and toggle give a boolean payload and switch the device', async () => {
      await load(['tplink-relay'], [twin.config(sim), ...wired('n', 'tplink-relay', 'dev', { action: 'msg' })], twin.creds);
      let r = await exchange('n', { payload: true });
      assert.ifError(r.error);
      assert.strictEqual(r.msg.payload, true);
      assert.strictEqual(twin.relay(sim), true);
      r = await exchange('n', { payload: 'off' });
      assert.strictEqual(r.msg.payload, false);
      assert.strictEqual(twin.relay(sim), false);
      twin.setRelay(sim, true);
      r = await exchange('n', { payload: 'get' });
      assert.strictEqual(r.msg.payload, true);
      r = await exchange('n', { payload: 'toggle' });
      assert.strictEqual(r.msg.payload, false);
      assert.strictEqual(twin.relay(sim), false);
      assert.ok(r.msg.reply && typeof r.msg.reply === 'object');
      assert.strictEqual(r.msg.device.host, '127.0.0.1');
    });

    it('relay: a bad payload names the field, nothing is sent', async () => {
      await load(['tplink-relay'], [twin.config(sim), ...wired('n', 'tplink-relay', 'dev', { action: 'msg' })], twin.creds);
      const before = twin.sentCount(sim);
      const r = await exchange('n', { payload: { on: 'yes' } });
      assert.match(r.error.message, /invalid payload\.on: expected true or false/);
      assert.strictEqual(twin.sentCount(sim), before);
    });

    it('emeter realtime: watts and milliwatts, volts, amps, total', async () => {
      twin.setRelay(sim, true);
      const { msg, error } = await run('tplink-emeter', { action: 'realtime' }, { payload: null });
      assert.ifError(error);
      for (const k of ['power', 'power_mw', 'voltage', 'voltage_mv', 'current', 'current_ma', 'total', 'total_wh']) assert.strictEqual(typeof msg.payload[k], 'number', k);
      assert.ok(msg.payload.power > 0);
      assert.ok(Math.abs(msg.payload.power * 1000 - msg.payload.power_mw) < 1);
      assert.match(helper.getNode('n').status.lastCall.args[0].text, / W$/);
    });

    it('emeter chart output: the watts as a number, the reading in msg.reading', async () => {
      twin.setRelay(sim, true);
      const { msg } = await run('tplink-emeter', { action: 'realtime', output: 'chart' }, { payload: null });
      assert.strictEqual(typeof msg.payload, 'number');
      assert.strictEqual(msg.payload, Math.round(msg.reading.power * 10) / 10);
    });

    it('countdown: add then get shows the one rule, with the friendly fields', async () => {
      await load(['tplink-countdown'], [twin.config(sim), ...wired('n', 'tplink-countdown', 'dev', { operation: 'msg' })], twin.creds);
      const add = await exchange('n', { operation: 'add', payload: { delay: 90, action: 'on' }, replace: true });
      assert.ifError(add.error);
      assert.strictEqual(add.msg.payload.delay, 90);
      assert.strictEqual(add.msg.payload.action, 'on');
      assert.strictEqual(typeof add.msg.payload.id, 'string');
      const get = await exchange('n', { operation: 'get' });
      assert.ifError(get.error);
      assert.strictEqual(get.msg.payload.length, 1);
      assert.strictEqual(get.msg.payload[0].id, add.msg.payload.id);
      assert.strictEqual(get.msg.payload[0].delay, 90);
      assert.strictEqual(get.msg.operation, 'get');
      const del = await exchange('n', { operation: 'deleteAll' });
      assert.deepStrictEqual(del.msg.payload, []);
    });

    it('schedule: add a weekly rule, then list shows it', async () => {
      await load(['tplink-schedule'], [twin.config(sim), ...wired('n', 'tplink-schedule', 'dev', { operation: 'msg' })], twin.creds);
      const add = await exchange('n', { operation: 'add', payload: { time: '07:30', action: 'on', days: 'mon,wed,fri' } });
      assert.ifError(add.error);
      assert.strictEqual(add.msg.payload.time, '07:30');
      assert.strictEqual(add.msg.payload.action, 'on');
      const list = await exchange('n', { operation: 'list' });
      assert.ifError(list.error);
      const hit = list.msg.payload.find((r) => r.id === add.msg.payload.id);
      assert.ok(hit, 'the added rule is listed');
      assert.strictEqual(hit.time, '07:30');
      assert.deepStrictEqual(hit.days, add.msg.payload.days);
      assert.strictEqual(typeof list.msg.enabled, 'boolean');
    });

    it('system sysinfo: the device alias in the payload and the status', async () => {
      const { msg, error } = await run('tplink-system', { action: 'sysinfo' }, { payload: null });
      assert.ifError(error);
      assert.strictEqual(msg.payload.alias, twin.alias(sim));
      assert.strictEqual(typeof msg.payload.model, 'string');
      assert.strictEqual(helper.getNode('n').status.lastCall.args[0].text, twin.alias(sim));
      assert.strictEqual(msg.device.alias, twin.alias(sim), 'msg.device carries the device\'s own name');
    });

    it('system alias: renames the device', async () => {
      const { msg, error } = await run('tplink-system', { action: 'alias' }, { payload: { alias: 'Kitchen ☕' } });
      assert.ifError(error);
      assert.deepStrictEqual(msg.payload, { alias: 'Kitchen ☕' });
      assert.strictEqual(twin.alias(sim), 'Kitchen ☕');
      assert.strictEqual(msg.device.alias, 'Kitchen ☕');
    });

    it('monitor: a relay change gives power-on with the same payload shape', async () => {
      const got = [];
      await load(['tplink-monitor'], [twin.config(sim), { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: 0.1, wires: [['out']] }, { id: 'out', type: 'helper' }], twin.creds);
      helper.getNode('out').on('input', (m) => got.push(m));
      await sleep(350);
      twin.setRelay(sim, true);
      for (let i = 0; i < 40 && !got.some((m) => m.topic === 'power-on'); i++) await sleep(50);
      const on = got.find((m) => m.topic === 'power-on');
      assert.ok(on, `power-on expected; got ${got.map((m) => m.topic).join(', ')}`);
      assert.deepStrictEqual(on.payload, { outlet: null, on: true, alias: twin.alias(sim) });
    });

    it('anti-theft: IOT runs it; SMART refuses it naming the device, nothing sent for it', async () => {
      const { msg, error } = await run('tplink-antitheft', { operation: 'list' }, { payload: null });
      if (twin.dialect === 'iot') {
        assert.ifError(error);
        assert.ok(Array.isArray(msg.payload));
        return;
      }
      assert.match(error.message, /^anti-theft \(away mode\) is not available on this device \(P110, SMART\)$/);
      assert.ok(sim.requests.every((r) => ['component_nego', 'get_device_info', 'multipleRequest'].includes(r.method)), sim.requests.map((r) => r.method).join());
    });

    it('system: an IOT-only action on SMART is refused naming the device', async () => {
      const { msg, error } = await run('tplink-system', { action: 'time' }, { payload: null });
      if (twin.dialect === 'iot') {
        assert.ifError(error);
        assert.strictEqual(typeof msg.payload.hour, 'number');
        return;
      }
      assert.match(error.message, /is not available on this device \(P110, SMART\)/);
    });
  });
}

describe('raw node on each dialect', function () {
  afterEach(() => helper.unload());

  it('IOT: module → method; SMART: {method, params}, an array as one batch', async () => {
    const iot = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 });
    const tapo = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    try {
      await load(['tplink-raw'], [
        deviceNode('kasa', iot, { protocol: 'legacy' }), deviceNode('tapo', tapo, { protocol: 'smart' }),
        ...wired('rk', 'tplink-raw', 'kasa'), ...wired('rt', 'tplink-raw', 'tapo'),
      ], { tapo: { username: USER, password: PASS } });
      const k = await exchange('rk', { payload: { system: { get_sysinfo: {} } } });
      assert.ifError(k.error);
      assert.strictEqual(k.msg.payload.system.get_sysinfo.err_code, 0);
      const t = await exchange('rt', { payload: { method: 'get_device_info' } });
      assert.ifError(t.error);
      assert.strictEqual(t.msg.payload.error_code, 0);
      assert.strictEqual(t.msg.payload.result.model, 'P110');
      const b = await exchange('rt', { payload: [{ method: 'get_device_info' }, { method: 'get_countdown_rules', params: { start_index: 0 } }] });
      assert.ifError(b.error);
      assert.deepStrictEqual(b.msg.payload.result.responses.map((r) => r.method), ['get_device_info', 'get_countdown_rules']);
      assert.strictEqual(tapo.requests.at(-1).method, 'multipleRequest');
      // An IOT-shaped request on a SMART device names what is expected; nothing sent.
      const before = tapo.requests.length;
      const bad = await exchange('rt', { payload: { system: { get_sysinfo: {} } } });
      assert.match(bad.error.message, /invalid payload\.system: expected only "method" and "params"/);
      // params: null reaches the device as sent; the P110 answers -1008 and the node says so.
      const nul = await exchange('rt', { payload: { method: 'get_countdown_rules', params: null } });
      assert.match(nul.error.message, /-1008/);
      assert.strictEqual(tapo.requests.length, before + 1);
    } finally {
      await Promise.all([iot.stop(), tapo.stop()]);
    }
  });

  it('SMART device-changing methods are refused unless allowed; nothing sent', async () => {
    const tapo = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    try {
      await load(['tplink-raw'], [deviceNode('tapo', tapo, { protocol: 'smart' }), ...wired('rt', 'tplink-raw', 'tapo')], { tapo: { username: USER, password: PASS } });
      for (const payload of [{ method: 'device_reset' }, { method: 'fw_download', params: { url: 'http://127.0.0.1/x' } }, { method: 'set_qs_info', params: {} },
        [{ method: 'get_device_info' }, { method: 'unbind_cloud' }]]) {
        const r = await exchange('rt', { payload });
        assert.ok(r.error, JSON.stringify(payload));
        assert.strictEqual(r.error.kind, 'not-allowed');
      }
      assert.strictEqual(tapo.requests.length, 0);
    } finally {
      await tapo.stop();
    }
  });
});

describe('P300 strip outlets (SMART, control_child)', function () {
  let sim;
  beforeEach(async () => { sim = await SmartPlugSimulator.start({ model: 'p300', username: USER, password: PASS, discoveryPort: null }); });
  afterEach(async () => { await helper.unload(); await sim.stop(); });
  const creds = { dev: { username: USER, password: PASS } };

  it('relay by index and by child id switches only that outlet', async () => {
    for (const c of sim.device.children) sim.device.setOn(c, false);
    await load(['tplink-relay'], [deviceNode('dev', sim, { protocol: 'smart' }), ...wired('n', 'tplink-relay', 'dev', { action: 'msg' })], creds);
    let r = await exchange('n', { payload: true, outlet: 1 });
    assert.ifError(r.error);
    assert.deepStrictEqual(sim.device.children.map((c) => c.on), [false, true, false]);
    r = await exchange('n', { payload: true, outlet: sim.device.children[2].deviceId.toLowerCase() });
    assert.ifError(r.error);
    assert.deepStrictEqual(sim.device.children.map((c) => c.on), [false, true, true]);
    r = await exchange('n', { payload: 'get', outlet: 0 });
    assert.strictEqual(r.msg.payload, false);
    r = await exchange('n', { payload: true, outlet: 5 });
    assert.strictEqual(r.error.kind, 'invalid-input');
  });

  it('countdown on one outlet; emeter refused (a P300 has no meter)', async () => {
    await load(['tplink-countdown', 'tplink-emeter'], [deviceNode('dev', sim, { protocol: 'smart' }),
      ...wired('c', 'tplink-countdown', 'dev', { operation: 'add', delay: '30', ruleAction: 'off', outlet: '2' }),
      ...wired('e', 'tplink-emeter', 'dev', { action: 'realtime' })], creds);
    const c = await exchange('c', { payload: null });
    assert.ifError(c.error);
    assert.strictEqual(c.msg.payload.action, 'off');
    assert.ok(sim.device.children[2].countdown.rule, 'the third outlet holds the countdown');
    assert.ok(!sim.device.children[0].countdown.rule);
    const e = await exchange('e', { payload: null });
    assert.match(e.error.message, /energy metering is not available on this device \(P300, SMART\)/);
  });

  it('raw with an outlet: wrapped in control_child for that outlet; a batch too', async () => {
    for (const c of sim.device.children) sim.device.setOn(c, false);
    await load(['tplink-raw'], [deviceNode('dev', sim, { protocol: 'smart' }), ...wired('n', 'tplink-raw', 'dev', { outlet: '1' })], creds);
    const one = await exchange('n', { payload: { method: 'set_device_info', params: { device_on: true } } });
    assert.ifError(one.error);
    assert.strictEqual(sim.requests.at(-1).method, 'control_child');
    assert.deepStrictEqual(sim.device.children.map((c) => c.on), [false, true, false]);
    const batch = await exchange('n', { payload: [{ method: 'get_device_info' }, { method: 'get_countdown_rules', params: { start_index: 0 } }] });
    assert.ifError(batch.error);
    const res = batch.msg.payload.result.responses;
    assert.strictEqual(res[0].result.responseData.result.device_id, sim.device.children[1].deviceId);
    const bad = await exchange('n', { payload: { method: 'get_device_info' }, outlet: 9 });
    assert.match(bad.error.message, /invalid outlet: expected an outlet index 0-2/);
  });

  it('the monitor watches every outlet', async () => {
    const got = [];
    await load(['tplink-monitor'], [deviceNode('dev', sim, { protocol: 'smart' }), { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: 0.1, wires: [['out']] }, { id: 'out', type: 'helper' }], creds);
    helper.getNode('out').on('input', (m) => got.push(m));
    await sleep(350);
    sim.device.setOn(sim.device.children[0], !sim.device.children[0].on);
    for (let i = 0; i < 40 && got.length === 0; i++) await sleep(50);
    assert.ok(got.length > 0);
    assert.strictEqual(got[0].payload.outlet, 0);
  });
});

describe('held toggles and bursts on each dialect', function () {
  for (const twin of TWINS) {
    describe(twin.name, function () {
      let sim;
      beforeEach(async () => { sim = await twin.start(); });
      afterEach(async () => { await helper.unload(); await sim.stop(); });

      it('two toggles at once flip the relay twice (read and write held together)', async () => {
        await load(['tplink-relay'], [twin.config(sim), ...wired('n', 'tplink-relay', 'dev', { action: 'toggle' })], twin.creds);
        twin.setRelay(sim, false);
        const got = [];
        const both = new Promise((resolve) => helper.getNode('n-out').on('input', (m) => { got.push(m.payload); if (got.length === 2) resolve(); }));
        helper.getNode('n').receive({ payload: 'a' });
        helper.getNode('n').receive({ payload: 'b' });
        await both;
        assert.deepStrictEqual(got, [true, false]);
        assert.strictEqual(twin.relay(sim), false);
      });

      it('a burst of 60 messages: every one answered once, in order, no error', async () => {
        await load(['tplink-relay'], [twin.config(sim), ...wired('n', 'tplink-relay', 'dev', { action: 'msg' })], twin.creds);
        const got = [];
        const errors = [];
        helper.getNode('n').on('call:error', (c) => errors.push(c.args[0]));
        const all = new Promise((resolve) => helper.getNode('n-out').on('input', (m) => { got.push(m); if (got.length === 60) resolve(); }));
        for (let i = 0; i < 60; i++) helper.getNode('n').receive({ payload: i % 2 === 0, seq: i });
        await all;
        assert.deepStrictEqual(errors, []);
        assert.deepStrictEqual(got.map((m) => m.seq), Array.from({ length: 60 }, (_, i) => i));
        assert.ok(got.every((m) => m.payload === (m.seq % 2 === 0)));
        assert.strictEqual(twin.relay(sim), false);
      });
    });
  }

  it('two toggles at once on one P300 outlet flip it twice', async () => {
    const sim = await SmartPlugSimulator.start({ model: 'p300', username: USER, password: PASS, discoveryPort: null });
    try {
      for (const c of sim.device.children) sim.device.setOn(c, false);
      await load(['tplink-relay'], [deviceNode('dev', sim, { protocol: 'smart' }), ...wired('n', 'tplink-relay', 'dev', { action: 'toggle', outlet: '2' })], { dev: { username: USER, password: PASS } });
      const got = [];
      const both = new Promise((resolve) => helper.getNode('n-out').on('input', (m) => { got.push(m.payload); if (got.length === 2) resolve(); }));
      helper.getNode('n').receive({});
      helper.getNode('n').receive({});
      await both;
      assert.deepStrictEqual(got, [true, false]);
      assert.deepStrictEqual(sim.device.children.map((c) => c.on), [false, false, false]);
    } finally {
      await helper.unload();
      await sim.stop();
    }
  });
});
