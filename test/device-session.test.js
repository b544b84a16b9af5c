'use strict';
// The core device session (no Node-RED): raw-request checks, shared in-flight
// probes, and a DeviceSession over a simulated plug on 127.0.0.1, with a
// createClient factory that counts the clients it builds.
const assert = require('assert');
const vm = require('vm');
const { PlugSimulator, SimulatorNetwork } = require('../nodes/simulator');
const { DeviceClient } = require('../nodes/core/client');
const { DeviceSession, relayStates } = require('../nodes/core/device-session');
const { AddressResolver } = require('../nodes/core/address-resolver');
const { InFlight } = require('../nodes/core/in-flight');
const { parseRawRequest, refuseDeviceChanging, deviceChangingMethods, isPlainObject } = require('../nodes/core/raw-request');
const system = require('../nodes/core/commands/system');

const sysinfoRequests = (sim) => sim.requests.filter((r) => r.system && r.system.get_sysinfo !== undefined).length;

describe('core raw requests', () => {
  describe('module and method names follow the protocol grammar', () => {
    const good = ['system', 'cnCloud', 'count_down', 'anti_theft', 'emeter', 'smartlife.iot.common.emeter', 'smartlife.iot.dimmer', 'netif'];
    for (const m of good) {
      it(`module ${m} passes`, () => {
        assert.deepStrictEqual(parseRawRequest({ [m]: { get_info: null } }, 'payload'), { [m]: { get_info: null } });
      });
    }
    const badModules = ['system.', 'system-', 'system_', '.system', '_system', 'sys tem', 'system..x', 'smartlife.iot.', 'system__x', '1system', 'sys\u0000', 'système', 'x'.repeat(65)];
    for (const m of badModules) {
      it(`module ${JSON.stringify(m)} is refused naming the field, before the guard`, () => {
        assert.throws(() => parseRawRequest({ [m]: { reset: {} } }, 'payload'), (e) => e.kind === 'invalid-input' && e.field === `payload.${m}` && /expected a module name/.test(e.message));
        assert.throws(() => parseRawRequest(JSON.stringify({ [m]: { reset: {} } }), 'request'), (e) => e.field === `request.${m}`);
      });
    }
    const badMethods = ['reset_', '_reset', 're__set', 'reset.', 'reset-', 're set', 'Reset()', '9reset'];
    for (const m of badMethods) {
      it(`method ${JSON.stringify(m)} is refused naming payload.system.${m}`, () => {
        assert.throws(() => parseRawRequest({ system: { [m]: {} } }, 'payload'), (e) => e.field === `payload.system.${m}` && /expected a method name/.test(e.message));
      });
    }
  });

  it('the guard then refuses device-changing methods in any spelling or family', () => {
    for (const req of [{ system: { reset: {} } }, { System: { Reset: {} } }, { 'smartlife.iot.common.system': { reset: {} } }, { cnCloud: { bind: {} } }]) {
      const checked = parseRawRequest(req, 'payload');
      assert.strictEqual(deviceChangingMethods(checked).length, 1, JSON.stringify(req));
      assert.throws(() => refuseDeviceChanging(checked, false), (e) => e.kind === 'not-allowed');
      refuseDeviceChanging(checked, true);
    }
    refuseDeviceChanging(parseRawRequest({ system: { get_sysinfo: {} } }, 'payload'), false);
  });

  it('plain objects from another vm realm are plain; instances, Dates, Maps are not', () => {
    const other = vm.runInNewContext('({ a: { system: { get_sysinfo: {} }, list: [1, { x: null }] }, b: new (class C {})(), d: new Date(0), m: new Map(), n: Object.create(null) })');
    assert.notStrictEqual(Object.getPrototypeOf(other.a), Object.prototype, 'really another realm');
    assert.ok(isPlainObject(other.a));
    assert.ok(isPlainObject(other.n));
    assert.ok(isPlainObject({}));
    assert.ok(!isPlainObject(other.b));
    assert.ok(!isPlainObject(other.d));
    assert.ok(!isPlainObject(other.m));
    assert.ok(!isPlainObject(new (class D {})()));
    assert.ok(!isPlainObject([]));
    const copy = parseRawRequest(vm.runInNewContext('({ system: { get_sysinfo: {} }, schedule: { add_rule: { wday: [1, 0, 0, 1, 1, 0, 0], name: null } } })'), 'payload');
    assert.deepStrictEqual(copy, { system: { get_sysinfo: {} }, schedule: { add_rule: { wday: [1, 0, 0, 1, 1, 0, 0], name: null } } });
    assert.strictEqual(Object.getPrototypeOf(copy.schedule.add_rule), Object.prototype, 'the copy is ours');
    assert.ok(Array.isArray(copy.schedule.add_rule.wday) && copy.schedule.add_rule.wday instanceof Array);
    assert.throws(() => parseRawRequest(vm.runInNewContext('({ system: { get_sysinfo: new Date(0) } })'), 'payload'), (e) => e.field === 'payload.system.get_sysinfo');
  });

  it('5,000 levels of nesting: a ValidationError, not a stack overflow', () => {
    const deep = `{"system":{"get_sysinfo":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
    assert.throws(() => parseRawRequest(deep, '-j'), (e) => e.kind === 'invalid-input' && /at most 16 levels/.test(e.message));
    assert.throws(() => parseRawRequest(JSON.parse(deep), '-j'), (e) => e.kind === 'invalid-input');
  });
});

describe('core InFlight', () => {
  it('callers of one key share one run; other keys run apart; a settled key starts afresh', async () => {
    const f = new InFlight();
    let started = 0;
    let release;
    const gate = new Promise((r) => { release = r; });
    const start = () => { started++; return gate.then(() => started); };
    const a = [f.run('k', start), f.run('k', start), f.run('k', start)];
    const b = f.run('other', () => Promise.resolve('b'));
    assert.strictEqual(f.size, 2);
    assert.strictEqual(await b, 'b');
    release();
    assert.deepStrictEqual(await Promise.all(a), [1, 1, 1]);
    assert.strictEqual(started, 1, 'three callers of "k", one start');
    assert.strictEqual(f.size, 0);
    await assert.rejects(f.run('k', () => Promise.reject(new Error('no'))), /no/);
    assert.strictEqual(f.has('k'), false, 'a failure is forgotten too');
  });
});

describe('core DeviceSession over a simulated plug', function () {
  let plug;
  let strip;
  let built;
  beforeEach(async () => {
    plug = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 });
    strip = await PlugSimulator.start({ model: 'hs300', host: '127.0.0.1', port: 0 });
    built = [];
  });
  afterEach(async () => { await plug.stop(); await strip.stop(); });

  function session(sim, extra = {}) {
    return new DeviceSession({
      host: '127.0.0.1',
      port: sim.port,
      timeout: 1000,
      createClient: (host, port) => {
        const c = new DeviceClient({ host, port, timeout: 1000 });
        built.push(c);
        return c;
      },
      ...extra,
    });
  }

  it('builds its one client through createClient, at first use; the last user leaving closes it', async () => {
    const s = session(plug);
    assert.strictEqual(built.length, 0);
    const user = {};
    s.attach(user);
    await s.run(system.setRelayState(true));
    await s.request({ system: { get_sysinfo: {} } });
    assert.strictEqual(built.length, 1);
    assert.strictEqual(plug.device.relay(), true);
    assert.strictEqual(plug.connectionsOpened, 1);
    s.detach(user);
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(plug.activeConnections, 0);
    await s.run(system.setRelayState(false)); // still usable: a new client
    assert.strictEqual(built.length, 2);
    await s.close();
    await assert.rejects(s.sysinfo(true), (e) => e.kind === 'closed');
  });

  it('alias: read from sysinfo, kept after set_dev_alias, sysinfo cache dropped by a set_', async () => {
    const s = session(plug);
    assert.strictEqual(s.alias, undefined);
    await s.sysinfo();
    assert.strictEqual(s.alias, plug.device.alias());
    await s.sysinfo();
    assert.strictEqual(sysinfoRequests(plug), 1, 'cached');
    await s.request({ system: { set_dev_alias: { alias: 'Renamed' } } });
    assert.strictEqual(s.alias, 'Renamed');
    await s.sysinfo();
    assert.strictEqual(sysinfoRequests(plug), 2, 'a set_ made the cache stale');
    await s.close();
  });

  it('outlets: child ids, one fresh look for an unknown outlet, forOutlet adds the context', async () => {
    const s = session(strip);
    const outlets = await s.outlets();
    assert.deepStrictEqual(outlets.map((o) => o.index), [0, 1, 2, 3, 4, 5]);
    assert.strictEqual(await s.childId(3), strip.device.childId(3));
    assert.strictEqual(await s.childId('03'), strip.device.childId(3));
    const before = sysinfoRequests(strip);
    await assert.rejects(s.childId(9), (e) => e.field === 'outlet');
    assert.strictEqual(sysinfoRequests(strip), before + 1, 'looked once more, then refused');
    const req = await s.forOutlet({ system: { set_relay_state: { state: 1 } } }, 2);
    assert.deepStrictEqual(req, { context: { child_ids: [strip.device.childId(2)] }, system: { set_relay_state: { state: 1 } } });
    await assert.rejects(s.forOutlet({ context: { child_ids: ['00'] }, system: { get_sysinfo: {} } }, 1), (e) => e.field === 'outlet');
    await s.run(system.setRelayState(true), 4);
    assert.strictEqual(strip.device.relay(4), true);
    assert.deepStrictEqual((await s.relays(4)).relays, [{ outlet: 4, id: strip.device.childId(4), alias: 'Plug 5', on: true }]);
    await s.close();
  });

  it('relayStates: a plug, a strip, one outlet, and an outlet on a plug refused', () => {
    assert.deepStrictEqual(relayStates({ alias: 'P', relay_state: 1 }), [{ outlet: null, alias: 'P', on: true }]);
    const sys = { deviceId: 'AB', children: [{ id: '00', alias: 'a', state: 0 }, { id: '01', alias: 'b', state: 1 }] };
    assert.deepStrictEqual(relayStates(sys).map((r) => r.on), [false, true]);
    assert.deepStrictEqual(relayStates(sys, 1), [{ outlet: 1, id: 'AB01', alias: 'b', on: true }]);
    assert.throws(() => relayStates({ relay_state: 0 }, 1), (e) => e.field === 'outlet');
  });

  it('probe: 50 callers at once share one get_sysinfo on one short-lived client', async () => {
    const s = session(strip);
    const all = await Promise.all(Array.from({ length: 50 }, () => s.probe()));
    assert.ok(all.every((x) => x === all[0]));
    assert.strictEqual(sysinfoRequests(strip), 1);
    assert.strictEqual(strip.connectionsOpened, 1);
    assert.strictEqual(built.length, 1);
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(strip.activeConnections, 0, 'nobody uses the device: nothing left open');
    await s.probe();
    assert.strictEqual(sysinfoRequests(strip), 2, 'a settled probe is not reused');
    await s.close();
  });

  it('probe on a session in use goes through its shared client', async () => {
    const s = session(plug);
    s.attach({});
    await s.sysinfo();
    await s.probe();
    assert.strictEqual(built.length, 1);
    assert.strictEqual(plug.connectionsOpened, 1);
    await s.close();
  });

  it('a bound device is found by MAC, and again at its new address after it moved', async () => {
    const net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: 0, devices: [{ model: 'hs100', alias: 'Bound', mac: '50:C7:BF:00:00:42' }] });
    try {
      const resolver = new AddressResolver({ by: 'mac', value: '50C7BF000042', broadcast: '127.0.0.1', port: net.discoveryPort, timeout: 1000 });
      const s = session(plug, { host: '', port: 9999, resolver });
      assert.strictEqual((await s.sysinfo(true)).alias, 'Bound');
      assert.strictEqual(s.port, net.members[0].port);
      const old = net.members[0];
      await old.stop();
      const moved = await PlugSimulator.start({ model: 'hs100', host: '127.0.0.1', port: 0, alias: 'Bound', mac: '50:C7:BF:00:00:42' });
      net.members[0] = moved;
      await s.run(system.setRelayState(true));
      assert.strictEqual(moved.device.relay(), true);
      assert.strictEqual(s.port, moved.port);
      assert.strictEqual(resolver.lookups, 2);
      await s.close();
    } finally {
      await net.stop();
    }
  });

  it('no host and no binding: a ValidationError naming host; a bad binding is reported on use', async () => {
    await assert.rejects(session(plug, { host: '' }).sysinfo(), (e) => e.field === 'host');
    const bad = new Error('bad mac');
    await assert.rejects(session(plug, { bindError: bad }).probe(), /bad mac/);
    assert.strictEqual(built.length, 0);
  });
});
