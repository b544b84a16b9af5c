'use strict';
// The device model (src/core/model/).
// - IOT: the model against the IOT plug simulator over loopback, compared with what
//   today's nodes output. Node and model each talk to one of two twin simulators
//   (same model, deviceId, MAC, alias, so the same energy history), with Date frozen
//   so both read the same instant; rule ids are random per simulator and compared
//   by position.
// - SMART: the model against test/support/smart-dialect-fake.js, a fake of the SMART
//   dialect (methods, params, results, error codes), not of the wire. The real SMART
//   simulator (KLAP/AES over HTTP) comes separately.
const assert = require('assert');
const sinon = require('sinon');
const { helper, load, exchange, wired, deviceNode } = require('./support/nodes');
const { PlugSimulator } = require('../nodes/simulator');
const { DeviceClient } = require('../nodes/core/client');
const { IotModel, iotRequestOver } = require('../nodes/core/model/iot-model');
const { SmartModel } = require('../nodes/core/model/smart-model');
const { UnsupportedError, ValidationError } = require('../nodes/core/errors');
const { SmartDialectFake, b64 } = require('./support/smart-dialect-fake');

const HOST = '127.0.0.1';
const DEVICE_ID = '8006ABCDEF0123456789ABCDEF0123456789ABCD';
const LIGHTS = { days: ['mon', 'thu'], time: '16:54', action: 'on', name: 'lights on' };

/** A copy with every `id` field replaced, so rules from two simulators compare. */
const noIds = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'id' ? '<id>' : x)));

describe('device model', function () {
  describe('IOT model = what today\'s nodes put in msg.payload (twin simulators, frozen clock)', () => {
    let a; // the node's device
    let b; // the model's device
    let client;
    let model;
    let clock;

    async function twins(name) {
      const opts = { model: name, host: HOST, port: 0, alias: 'twin', deviceId: DEVICE_ID, mac: '50-C7-BF-01-02-03' };
      a = await PlugSimulator.start(opts);
      b = await PlugSimulator.start(opts);
      client = new DeviceClient({ host: HOST, port: b.port, timeout: 2000 });
      model = new IotModel(iotRequestOver(client));
    }

    /** Runs one message through a freshly loaded node on device `a`; the msg, or throws the node's error. */
    async function node(type, props, msg) {
      await load([type], [deviceNode('dev', a), ...wired('n', type, 'dev', props)]);
      try {
        const r = await exchange('n', msg);
        if (r.error) throw r.error;
        return r.msg;
      } finally {
        await helper.unload();
      }
    }

    const both = (fn) => { fn(a.device); fn(b.device); };

    beforeEach(() => { clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] }); });
    afterEach(async () => {
      clock.restore();
      await helper.unload();
      if (client) await client.close();
      await Promise.all([a, b].filter(Boolean).map((s) => s.stop()));
      a = b = client = model = null;
    });

    it('relay on a plug: on, get, toggle, off give the node\'s payload and the same relay', async () => {
      await twins('hs110');
      const steps = [['on', (m) => m.setState(true)], ['get', (m) => m.getState()], ['toggle', (m) => m.toggle()],
        ['get', (m) => m.getState()], ['toggle', (m) => m.toggle()], ['off', (m) => m.setState(false)], ['get', (m) => m.getState()]];
      const seen = [];
      for (const [action, call] of steps) {
        const msg = await node('tplink-relay', { action }, { payload: 'x' });
        const { value } = await call(model);
        assert.strictEqual(value, msg.payload, action);
        assert.strictEqual(b.device.relay(), a.device.relay(), action);
        seen.push(value);
      }
      assert.deepStrictEqual(seen, [true, true, false, false, true, false, false]);
    });

    it('relay on an HS300 outlet by index and by child id; whole strip', async () => {
      await twins('hs300');
      const childId = `${DEVICE_ID}03`;
      for (const [outlet, action] of [[2, 'on'], ['2', 'get'], [childId, 'toggle'], [childId, 'get'], [undefined, 'get'], [undefined, 'on']]) {
        const msg = await node('tplink-relay', { action }, { payload: 'x', outlet });
        const value = action === 'get' ? (await model.getState(outlet)).value
          : action === 'toggle' ? (await model.toggle(outlet)).value : (await model.setState(action === 'on', outlet)).value;
        assert.strictEqual(value, msg.payload, `${action} ${outlet}`);
        for (let i = 0; i < 6; i++) assert.strictEqual(b.device.relay(i), a.device.relay(i), `outlet ${i} after ${action} ${outlet}`);
      }
      assert.strictEqual(b.device.relay(0), true);
      await assert.rejects(model.setState(true, 6), (e) => e instanceof ValidationError && /outlet index from 0 to 5/.test(e.message));
    });

    for (const name of ['hs110', 'hs110v2']) {
      it(`emeter on ${name}: realtime, daystat, monthstat equal the node's payloads`, async () => {
        await twins(name);
        both((d) => { d.setRelay(1); d.setLoad(123.45); d.setVoltage(229.5); });
        const now = new Date();
        const rt = await node('tplink-emeter', { action: 'realtime' }, { payload: 1 });
        assert.deepStrictEqual((await model.realtime()).value, rt.payload);
        assert.strictEqual(rt.payload.power, 123.45);
        const day = await node('tplink-emeter', { action: 'daystat' }, { payload: {} });
        const dayModel = await model.dayStats({ year: now.getFullYear(), month: now.getMonth() + 1 });
        assert.deepStrictEqual(dayModel.value, day.payload);
        assert.ok(day.payload.day_list.length > 0);
        const mon = await node('tplink-emeter', { action: 'monthstat' }, { payload: {} });
        assert.deepStrictEqual((await model.monthStats({ year: now.getFullYear() })).value, mon.payload);
        const sum = (await model.energySummary(undefined, now)).value;
        assert.strictEqual(sum.month_wh, day.payload.energy_wh);
        const today = day.payload.day_list.find((e) => e.day === now.getDate());
        assert.strictEqual(sum.today_wh, today ? today.energy_wh : 0);
        assert.strictEqual(sum.today, Math.round(sum.today_wh) / 1000);
      });
    }

    it('emeter on an HS300 outlet; an HS100 has no meter (same message as the node, and capability says so)', async () => {
      await twins('hs300');
      both((d) => { d.setRelay(1); d.setLoad(50, 2); d.setVoltage(120); });
      const rt = await node('tplink-emeter', { action: 'realtime', outlet: '2' }, { payload: 1 });
      assert.deepStrictEqual((await model.realtime(2)).value, rt.payload);
      assert.strictEqual(rt.payload.power, 50);
      await client.close();
      await Promise.all([a.stop(), b.stop()]);
      await twins('hs100');
      const err = await node('tplink-emeter', { action: 'realtime' }, { payload: 1 }).then(() => null, (e) => e);
      await assert.rejects(model.realtime(), (e) => e.message === err.message && /no energy meter/.test(e.message));
      assert.strictEqual((await model.capabilities()).has('energy'), false);
      assert.strictEqual((await model.capabilities()).has('countdown'), true);
      await assert.rejects(model.require('energy'), (e) => e instanceof UnsupportedError && e.kind === 'not-allowed' &&
        e.message === 'energy metering is not available on this device (HS100(EU), IOT)');
    });

    it('countdown: add, get, edit, refused second add (with the hint), replace, delete, deleteAll', async () => {
      await twins('hs110');
      const cd = (msg, props = {}) => node('tplink-countdown', props, msg);
      let n = await cd({ operation: 'add', payload: { delay: 600, action: 'off', name: 'tv' } });
      let m = await model.addCountdown({ delay: 600, action: 'off', name: 'tv' });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      n = await cd({ operation: 'get' });
      m = await model.countdownRules();
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      assert.strictEqual(m.value[0].remain, 600);
      n = await cd({ operation: 'edit', payload: { id: n.payload[0].id, delay: 120 } });
      m = await model.editCountdown(m.value[0].id, { delay: 120 });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      assert.deepStrictEqual(b.device.rules('count_down').map((r) => [r.delay, r.act, r.name]), [[120, 0, 'tv']]);
      const nodeErr = await cd({ operation: 'add', payload: { delay: 5, on: true } }).then(() => null, (e) => e);
      await assert.rejects(model.addCountdown({ delay: 5, on: true }), (e) => e.message === nodeErr.message && /replace existing/.test(e.message));
      n = await cd({ operation: 'add', payload: { delay: 30, on: true }, replace: true });
      m = await model.addCountdown({ delay: 30, on: true }, { replace: true });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      const id = b.device.rules('count_down')[0].id;
      n = await cd({ operation: 'delete', payload: { id: a.device.rules('count_down')[0].id } });
      m = await model.deleteCountdown(id);
      assert.deepStrictEqual(m.value, { id });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      await model.addCountdown({ delay: 30, on: true });
      assert.deepStrictEqual((await model.deleteAllCountdowns()).value, (await cd({ operation: 'deleteAll' })).payload);
      assert.strictEqual(b.device.rules('count_down').length, 0);
    });

    it('countdown on an HS300 outlet', async () => {
      await twins('hs300');
      const n = await node('tplink-countdown', {}, { operation: 'add', outlet: 1, payload: { delay: 60, on: true } });
      const m = await model.addCountdown({ delay: 60, on: true }, {}, 1);
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      assert.strictEqual(b.device.rules('count_down', 1).length, 1);
      assert.strictEqual(b.device.rules('count_down', 0).length, 0);
    });

    it('schedule: add, list (with enabled), edit, delete, deleteAll', async () => {
      await twins('hs110');
      const sch = (msg) => node('tplink-schedule', {}, msg);
      let n = await sch({ operation: 'add', payload: LIGHTS });
      let m = await model.addSchedule(LIGHTS);
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      n = await sch({ operation: 'add', payload: { days: 'weekend', time: 'sunset', offset: -30, action: 'off' } });
      m = await model.addSchedule({ days: 'weekend', time: 'sunset', offset: -30, action: 'off' });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      n = await sch({ operation: 'list' });
      m = await model.scheduleRules();
      assert.deepStrictEqual(noIds(m.value.rules), noIds(n.payload));
      assert.strictEqual(m.value.enabled, n.enabled);
      assert.strictEqual(m.value.rules.length, 2);
      const idA = n.payload[0].id;
      const idB = m.value.rules[0].id;
      n = await sch({ operation: 'edit', payload: { id: idA, enabled: false } });
      m = await model.editSchedule(idB, { enabled: false });
      assert.deepStrictEqual(noIds(m.value), noIds(n.payload));
      assert.strictEqual(b.device.rules('schedule')[0].enable, 0);
      n = await sch({ operation: 'delete', payload: { id: idA } });
      m = await model.deleteSchedule(idB);
      assert.deepStrictEqual(m.value, { id: idB });
      assert.deepStrictEqual((await model.deleteAllSchedules()).value, (await sch({ operation: 'deleteAll' })).payload);
      assert.strictEqual(b.device.rules('schedule').length, 0);
    });

    it('system: info().raw is the node\'s sysinfo payload; LED, alias, reboot payloads and effects', async () => {
      await twins('hs110');
      const sys = (props, payload) => node('tplink-system', props, { payload });
      const info = (await model.info()).value;
      assert.deepStrictEqual(info.raw, (await sys({ action: 'sysinfo' })).payload);
      assert.deepStrictEqual(
        [info.dialect, info.alias, info.model, info.mac, info.deviceId, info.firmware, info.hardware, info.on, info.led, info.outlets],
        ['iot', 'twin', 'HS110(EU)', '50-C7-BF-01-02-03', DEVICE_ID, info.raw.sw_ver, '1.0', false, true, []]);
      assert.strictEqual(typeof info.rssi, 'number');
      assert.deepStrictEqual((await model.setLed(false)).value, (await sys({ action: 'led', led: 'off' })).payload);
      assert.strictEqual(b.device.ledOff, 1);
      assert.strictEqual(a.device.ledOff, 1);
      assert.deepStrictEqual((await model.setAlias('Küche')).value, (await sys({ action: 'alias', alias: 'Küche' })).payload);
      assert.strictEqual(b.device.alias(), 'Küche');
      assert.deepStrictEqual((await model.reboot(3)).value, (await sys({ action: 'reboot', delay: '3' })).payload);
      assert.strictEqual(b.device.reboots, a.device.reboots);
      await assert.rejects(model.setAlias('x'.repeat(32)), (e) => e instanceof ValidationError && /alias/.test(e.message));
    });

    it('relays(): what the monitor watches, on a plug and a strip', async () => {
      await twins('hs300');
      b.device.setRelay(1, 4);
      const all = await model.relays();
      assert.strictEqual(all.alias, 'twin');
      assert.deepStrictEqual(all.outlets.map((o) => [o.outlet, o.on, o.id]), [0, 1, 2, 3, 4, 5].map((i) => [i, i === 4, `${DEVICE_ID}0${i}`]));
      assert.deepStrictEqual((await model.relays(4)).outlets, [{ outlet: 4, id: `${DEVICE_ID}04`, alias: 'Plug 5', on: true }]);
      assert.deepStrictEqual((await model.outlets()).map((o) => o.index), [0, 1, 2, 3, 4, 5]);
    });
  });

  describe('SMART model over a fake of the SMART dialect (not the wire)', () => {
    const methods = (fake) => fake.log.map((e) => e.method);
    const FEATURE_METHODS = /energy|emeter|power|countdown|schedule|led|reboot|set_/;

    it('the fake enforces the table: params:null on get_countdown_rules is -1008, unknown methods -1002', async () => {
      const fake = new SmartDialectFake();
      await assert.rejects(fake.request('get_countdown_rules', null), (e) => e.errorCode === -1008);
      await assert.rejects(fake.request('get_countdown_rules'), (e) => e.errorCode === -1008);
      await assert.rejects(fake.request('get_schedule_rules', { start_index: 0 }), (e) => e.errorCode === -1008);
      await assert.rejects(fake.request('set_device_info', { device_on: 'yes' }), (e) => e.errorCode === -1008);
      await assert.rejects(fake.request('get_sysinfo'), (e) => e.errorCode === -1002);
    });

    it('info: nickname and ssid decoded from base64, MAC, firmware, signal', async () => {
      const fake = new SmartDialectFake({ alias: 'Küche ☕' });
      const { value, reply } = await new SmartModel(fake.request).info();
      assert.deepStrictEqual(
        [value.dialect, value.alias, value.model, value.mac, value.firmware, value.hardware, value.rssi, value.signalLevel, value.on, value.outlets],
        ['smart', 'Küche ☕', 'P110', 'AA-BB-CC-DD-EE-FF', '1.3.0 Build 230905 Rel.152200', '1.0', -47, 3, false, []]);
      assert.strictEqual(value.raw.nickname, 'Küche ☕');
      assert.strictEqual(value.raw.ssid, 'Home Wi-Fi');
      assert.strictEqual(reply.method, 'get_device_info');
      assert.strictEqual(reply.result.nickname, b64('Küche ☕'));
    });

    it('relay on a plug: set_device_info device_on, state from get_device_info, toggle', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      assert.strictEqual((await m.setState(true)).value, true);
      assert.strictEqual(fake.on, true);
      assert.deepStrictEqual(fake.log.find((e) => e.method === 'set_device_info').params, { device_on: true });
      assert.strictEqual((await m.getState()).value, true);
      assert.strictEqual((await m.toggle()).value, false);
      assert.strictEqual(fake.on, false);
      await assert.rejects(m.setState(true, 1), (e) => e instanceof ValidationError && /no outlet, because this device has no outlets/.test(e.message));
      await assert.rejects(m.setState('yes'), (e) => e instanceof ValidationError && /invalid on/.test(e.message));
    });

    it('P300 strip: outlets from the paged child list, by index and by child id, whole strip', async () => {
      const fake = new SmartDialectFake({ model: 'P300', outlets: 3, components: ['device', 'control_child', 'countdown', 'schedule', 'led'] });
      const m = new SmartModel(fake.request);
      const outlets = await m.outlets();
      assert.deepStrictEqual(outlets.map((o) => [o.index, o.alias, o.on]), [[0, 'Outlet 1', false], [1, 'Outlet 2', false], [2, 'Outlet 3', false]]);
      assert.deepStrictEqual(fake.log.filter((e) => e.method === 'get_child_device_list').map((e) => e.params), [{ start_index: 0 }, { start_index: 2 }]);
      await m.setState(true, 2);
      assert.deepStrictEqual(fake.children.map((c) => c.device_on), [false, false, true]);
      assert.deepStrictEqual(fake.log[fake.log.length - 1], { method: 'set_device_info', params: { device_on: true }, childId: fake.children[2].device_id });
      assert.strictEqual((await m.getState(fake.children[2].device_id.toLowerCase())).value, true);
      assert.strictEqual((await m.toggle('1')).value, true);
      assert.strictEqual((await m.getState()).value, false, 'not every outlet is on');
      await m.setState(true);
      assert.deepStrictEqual(fake.children.map((c) => c.device_on), [true, true, true]);
      assert.strictEqual((await m.getState()).value, true);
      await m.setAlias('Lamp', 0);
      assert.strictEqual(fake.children[0].nickname, b64('Lamp'));
      const snap = await m.relays(1);
      assert.deepStrictEqual(snap.outlets, [{ outlet: 1, id: fake.children[1].device_id, alias: 'Outlet 2', on: true }]);
      const sent = fake.log.length;
      await assert.rejects(m.setState(false, 3), (e) => e instanceof ValidationError && /outlet index from 0 to 2 \(this strip has 3\)/.test(e.message));
      assert.ok(!methods(fake).slice(sent).includes('set_device_info'), 'nothing switched');
    });

    it('renaming encodes the nickname as base64 UTF-8 and applies the package\'s alias rules', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      assert.deepStrictEqual((await m.setAlias('Büro ☕')).value, { alias: 'Büro ☕' });
      assert.strictEqual(fake.nickname, b64('Büro ☕'));
      assert.strictEqual((await m.info()).value.alias, 'Büro ☕');
      const sent = fake.log.length;
      await assert.rejects(m.setAlias(''), (e) => e instanceof ValidationError && /invalid alias/.test(e.message));
      assert.strictEqual(fake.log.length, sent, 'nothing sent');
    });

    it('energy: get_emeter_data where the device has it, in both unit conventions', async () => {
      const fake = new SmartDialectFake({ emeterData: true });
      const { value } = await new SmartModel(fake.request).realtime();
      assert.deepStrictEqual(value, { power_mw: 12345, voltage_mv: 231500, current_ma: 98, total_wh: 4321, power: 12.345, voltage: 231.5, current: 0.098, total: 4.321 });
    });

    it('energy: get_energy_usage current_power (mW) otherwise, and get_emeter_data is not asked again', async () => {
      const fake = new SmartDialectFake({ emeterData: false });
      const m = new SmartModel(fake.request);
      assert.deepStrictEqual((await m.realtime()).value, { power_mw: 12345, power: 12.345 });
      assert.deepStrictEqual((await m.realtime()).value, { power_mw: 12345, power: 12.345 });
      assert.strictEqual(methods(fake).filter((x) => x === 'get_emeter_data').length, 1);
      assert.strictEqual(methods(fake).filter((x) => x === 'get_energy_usage').length, 2);
      const sum = (await m.energySummary()).value;
      assert.deepStrictEqual(sum, { today: 1.234, today_wh: 1234, month: 56.789, month_wh: 56789, today_runtime: 30, month_runtime: 900 });
    });

    it('energy of a P304M outlet without current_power: get_current_power (W)', async () => {
      const fake = new SmartDialectFake({ model: 'P304M', outlets: 4, childPower: null, components: ['device', 'control_child', 'energy_monitoring'] });
      const m = new SmartModel(fake.request);
      assert.deepStrictEqual((await m.realtime(3)).value, { power: 7, power_mw: 7000 });
      assert.deepStrictEqual(fake.log.slice(-2).map((e) => [e.method, e.childId]), [['get_energy_usage', fake.children[3].device_id], ['get_current_power', fake.children[3].device_id]]);
    });

    it('features the device lacks: "<feature> is not available on this device (P100, SMART)", nothing sent for them', async () => {
      const fake = new SmartDialectFake({ model: 'P100', components: ['device', 'firmware', 'countdown'] });
      const m = new SmartModel(fake.request);
      const refused = [
        [() => m.realtime(), 'energy metering'],
        [() => m.energySummary(), 'the energy summary'],
        [() => m.dayStats({ year: 2026, month: 1 }), 'daily energy statistics'],
        [() => m.monthStats({ year: 2026 }), 'monthly energy statistics'],
        [() => m.scheduleRules(), 'the schedule'],
        [() => m.addSchedule(LIGHTS), 'the schedule'],
        [() => m.setLed(false), 'the LED setting'],
        [() => m.require('antitheft'), 'anti-theft (away mode)'],
        [() => m.require('energy-gains'), 'energy meter gains'],
      ];
      for (const [call, feature] of refused) {
        await assert.rejects(call(), (e) => e instanceof UnsupportedError && e.kind === 'not-allowed' &&
          e.message === `${feature} is not available on this device (P100, SMART)`);
      }
      assert.deepStrictEqual([...new Set(methods(fake))].sort(), ['component_nego', 'get_device_info']);
      assert.strictEqual(methods(fake).filter((x) => x === 'component_nego').length, 1, 'components read once');
      assert.strictEqual((await m.capabilities()).has('countdown'), true);
    });

    it('callers arriving together share one component_nego', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      await Promise.all([m.capabilities(), m.capabilities(), m.require('energy')]);
      assert.strictEqual(methods(fake).filter((x) => x === 'component_nego').length, 1);
    });

    it('components known at connect are used as given', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request, { components: [{ id: 'device', ver_code: 2 }] });
      await assert.rejects(m.countdownRules(), UnsupportedError);
      assert.deepStrictEqual(methods(fake), ['get_device_info']);
    });

    it('countdown: one rule at most; add, get, refused second add, replace, edit, delete', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      assert.deepStrictEqual((await m.countdownRules()).value, []);
      const added = (await m.addCountdown({ delay: 600, action: 'off', name: 'tv' })).value;
      assert.deepStrictEqual(added, { id: 'C1', enable: 1, delay: 600, act: 0, action: 'off', enabled: true });
      assert.deepStrictEqual(fake.log.find((e) => e.method === 'add_countdown_rule').params, { delay: 600, desired_states: { on: false }, enable: true });
      const listed = (await m.countdownRules()).value;
      assert.deepStrictEqual(listed, [{ id: 'C1', enable: 1, delay: 600, remain: 600, act: 0, action: 'off', enabled: true }]);
      assert.ok(fake.log.filter((e) => e.method === 'get_countdown_rules').every((e) => e.params && e.params.start_index === 0));

      const sent = methods(fake).filter((x) => x === 'add_countdown_rule').length;
      await assert.rejects(m.addCountdown({ delay: 5, on: true }), (e) => e instanceof ValidationError && /holds 1 countdown\(s\) \(C1\)/.test(e.message) && /replace existing/.test(e.message));
      assert.strictEqual(methods(fake).filter((x) => x === 'add_countdown_rule').length, sent, 'no second add sent');

      await m.addCountdown({ delay: 30, on: true }, { replace: true });
      assert.deepStrictEqual(fake.log.slice(-2).map((e) => [e.method, e.params]), [['remove_countdown_rules', { remove_all: true }], ['add_countdown_rule', { delay: 30, desired_states: { on: true }, enable: true }]]);
      const edited = (await m.editCountdown('C1', { enabled: false })).value;
      assert.deepStrictEqual(edited, { id: 'C1', enable: 0, delay: 30, act: 1, action: 'on', enabled: false });
      assert.deepStrictEqual(fake.countdown.rules[0].enable, false);
      await assert.rejects(m.editCountdown('C7', { delay: 5 }), (e) => e instanceof ValidationError && /payload\.id/.test(e.message));
      await assert.rejects(m.addCountdown({ delay: 0, on: true }, { replace: true }), (e) => e instanceof ValidationError && /invalid delay/.test(e.message));
      assert.strictEqual(fake.countdown.rules.length, 1, 'a bad add with replace removed nothing');
      assert.deepStrictEqual((await m.deleteCountdown('c1')).value, { id: 'c1' });
      assert.strictEqual(fake.countdown.rules.length, 0);
      assert.deepStrictEqual((await m.deleteAllCountdowns()).value, []);
    });

    it('countdown on a strip outlet goes to that child', async () => {
      const fake = new SmartDialectFake({ model: 'P300', outlets: 3, components: ['device', 'control_child', 'countdown'] });
      const m = new SmartModel(fake.request);
      await m.addCountdown({ delay: 60, on: true }, {}, 1);
      assert.strictEqual(fake.children[1].countdown.rules.length, 1);
      assert.strictEqual(fake.countdown.rules.length, 0);
      assert.strictEqual((await m.countdownRules(1)).value.length, 1);
      assert.strictEqual((await m.countdownRules(0)).value.length, 0);
    });

    it('schedule: friendly rules map onto SMART rules and back (days bitmask, sunrise/sunset offset, once)', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      const a = (await m.addSchedule(LIGHTS)).value;
      assert.deepStrictEqual(fake.schedule.rules[0], {
        id: 'S1', enable: true, mode: 'repeat', s_type: 'normal', s_min: 1014, time_offset: 0, e_type: 'normal', e_min: 0,
        e_action: 'none', week_day: 0b0010010, day: 0, month: 0, year: 0, desired_states: { on: true },
      });
      assert.strictEqual(a.id, 'S1');
      assert.deepStrictEqual([a.days, a.time, a.action, a.enabled, a.name], [['mon', 'thu'], '16:54', 'on', true, undefined]);
      await m.addSchedule({ days: 'daily', time: 'sunset', offset: -30, action: 'off' });
      assert.deepStrictEqual([fake.schedule.rules[1].s_type, fake.schedule.rules[1].time_offset, fake.schedule.rules[1].week_day], ['sunset', -30, 127]);
      await m.addSchedule({ once: '2027-03-04', time: '08:00', action: 'on' });
      assert.deepStrictEqual([fake.schedule.rules[2].mode, fake.schedule.rules[2].year, fake.schedule.rules[2].month, fake.schedule.rules[2].day], ['once', 2027, 3, 4]);

      const { value } = await m.scheduleRules();
      assert.deepStrictEqual(fake.log.filter((e) => e.method === 'get_schedule_rules').map((e) => e.params), [{ start_index: 0, schedule_mode: '' }, { start_index: 2, schedule_mode: '' }]);
      assert.strictEqual(value.enabled, true);
      assert.deepStrictEqual(value.rules.map((r) => [r.id, r.days, r.time, r.offset, r.action, r.once]), [
        ['S1', ['mon', 'thu'], '16:54', undefined, 'on', undefined],
        ['S2', ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], 'sunset', -30, 'off', undefined],
        ['S3', ['thu'], '08:00', undefined, 'on', '2027-03-04'],
      ]);
    });

    it('schedule: edit a field over the stored rule, delete one, delete all', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      await m.addSchedule(LIGHTS);
      await m.addSchedule({ days: 'weekend', time: '09:00', action: 'off' });
      const e = (await m.editSchedule('S2', { enabled: false, time: '10:15' })).value;
      assert.deepStrictEqual([e.id, e.enabled, e.time, e.days, e.action], ['S2', false, '10:15', ['sun', 'sat'], 'off']);
      assert.deepStrictEqual([fake.schedule.rules[1].enable, fake.schedule.rules[1].s_min, fake.schedule.rules[1].week_day], [false, 615, 65]);
      assert.deepStrictEqual((await m.deleteSchedule('S1')).value, { id: 'S1' });
      assert.deepStrictEqual(fake.log[fake.log.length - 1].params, { rule_list: [{ id: 'S1' }] });
      assert.deepStrictEqual(fake.schedule.rules.map((r) => r.id), ['S2']);
      assert.deepStrictEqual((await m.deleteAllSchedules()).value, []);
      assert.strictEqual(fake.schedule.rules.length, 0);
    });

    it('schedule: what SMART rules cannot hold is a ValidationError naming the field; nothing sent', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      await m.addSchedule(LIGHTS);
      const before = fake.log.length;
      await assert.rejects(m.addSchedule({ ...LIGHTS, end: '18:00' }), (e) => e instanceof ValidationError && e.field === 'end' && /SMART schedule rules switch once/.test(e.message));
      await assert.rejects(m.addSchedule({ days: [], time: '07:00', action: 'on' }), (e) => e instanceof ValidationError && e.field === 'days');
      assert.strictEqual(fake.log.length, before, 'nothing sent');
      await assert.rejects(m.editSchedule('S1', { end: 'sunset' }), (e) => e instanceof ValidationError && e.field === 'end');
      assert.ok(!methods(fake).includes('edit_schedule_rule'));
    });

    it('LED: set_led_info keeps the other LED settings; reboot: device_reboot with the delay', async () => {
      const fake = new SmartDialectFake();
      const m = new SmartModel(fake.request);
      assert.deepStrictEqual((await m.setLed(false)).value, { led: false });
      assert.deepStrictEqual(fake.led, { led_rule: 'never', led_status: false, night_mode: { night_mode_type: 'sunrise_sunset' } });
      assert.deepStrictEqual((await m.reboot(5)).value, { delay: 5 });
      assert.deepStrictEqual((await m.reboot()).value, { delay: 1 });
      assert.deepStrictEqual(fake.reboots, [5, 1]);
      await assert.rejects(m.reboot(-1), (e) => e instanceof ValidationError && /invalid delay/.test(e.message));
      assert.deepStrictEqual(fake.reboots, [5, 1]);
    });

    it('a device that pages forever is read at most 64 pages', async () => {
      let calls = 0;
      const request = async (method, params) => {
        if (method === 'component_nego') return { component_list: [{ id: 'control_child' }] };
        calls++;
        return { child_device_list: [{ device_id: `C${params.start_index}`, position: params.start_index + 1 }], start_index: params.start_index, sum: 1e9 };
      };
      const outlets = await new SmartModel(request).outlets();
      assert.strictEqual(calls, 64);
      assert.strictEqual(outlets.length, 64);
    });

    it('device errors other than "unknown method" pass through unchanged', async () => {
      const fake = new SmartDialectFake({ emeterData: true });
      const boom = Object.assign(new Error('session expired'), { errorCode: 9999 });
      const m = new SmartModel(async (method, params, child) => {
        if (method === 'get_emeter_data') throw boom;
        return fake.request(method, params, child);
      });
      await assert.rejects(m.realtime(), (e) => e === boom);
      assert.ok(!methods(fake).includes('get_energy_usage'));
    });
  });
});
