'use strict';
// Interoperability, part 2: the independent `tplink-smarthome-api` package is the
// client; OUR simulator plays every model we simulate, over TCP and UDP on
// 127.0.0.1 with ephemeral ports. Differences found are listed in
// docs/compatibility.md; this file pins each of them.
const assert = require('assert');
const { Client } = require('tplink-smarthome-api');
const { PlugSimulator, SimulatorNetwork } = require('../nodes/simulator');
const { HOST } = require('./interop/helpers');

const MODELS = ['hs100', 'hs105', 'hs110', 'hs110v2', 'hs200', 'hs300'];
const HAS_EMETER = { hs100: false, hs105: false, hs110: true, hs110v2: true, hs200: false, hs300: true };
/** Hardware version each model plays; hw 1.x takes boolean rule flags, hw 2.x answers -3 (docs/compatibility.md). */
const HW_VER = { hs100: '2.0', hs105: '1.0', hs110: '1.0', hs110v2: '2.0', hs200: '2.0', hs300: '1.0' };
const BOOLEAN_FLAGS = Object.fromEntries(MODELS.map((m) => [m, HW_VER[m].startsWith('1.')]));
const F = false;
const T = true;

function newClient() {
  return new Client({ logLevel: 'silent', defaultSendOptions: { timeout: 2000, transport: 'tcp' } });
}

/** A rule in the form tplink-smarthome-api builds, but with 0/1 flags, which every model takes (the boolean form: per-model tests below). */
const intScheduleRule = (smin) => ({
  sact: 1, name: 'interop', enable: 1, emin: 0, etime_opt: -1, smin, stime_opt: 0,
  wday: [0, 1, 0, 1, 0, 0, 0], repeat: 1,
});
const intAwayRule = { frequency: 5, name: 'away', enable: 1, smin: 1080, stime_opt: 0, emin: 1320, etime_opt: 0, wday: [1, 0, 0, 0, 0, 0, 1], repeat: 1 };

describe('interop: tplink-smarthome-api as the client of our simulator', function () {
  this.timeout(10000);

  for (const model of MODELS) {
    describe(model, () => {
      const strip = model === 'hs300';
      const OUTLET = 4; // the strip outlet the child-addressed tests use
      let sim;
      let client;
      let plug;
      const idx = strip ? OUTLET : undefined;

      beforeEach(async () => {
        sim = await PlugSimulator.start({ model, host: HOST, port: 0 });
        client = newClient();
        const opts = { host: HOST, port: sim.port };
        if (strip) opts.childId = sim.device.childId(OUTLET);
        plug = await client.getDevice(opts);
      });
      afterEach(async () => {
        await sim.stop();
      });

      it('getDevice/getSysInfo: a Plug with our model, ids and emeter feature', async () => {
        assert.strictEqual(plug.deviceType, 'plug');
        const sys = await plug.getSysInfo();
        assert.strictEqual(sys.model, sim.device.spec.model);
        assert.strictEqual(sys.deviceId, sim.device.deviceId);
        assert.strictEqual(sys.mac, sim.device.mac);
        assert.strictEqual(plug.supportsEmeter, HAS_EMETER[model]);
        if (strip) {
          assert.strictEqual(plug.childId, sim.device.childId(OUTLET));
          assert.strictEqual(plug.alias, `Plug ${OUTLET + 1}`);
          assert.strictEqual(plug.children.size, 6);
        } else {
          assert.strictEqual(plug.alias, sim.device.alias());
        }
      });

      it('setPowerState / getPowerState / togglePowerState', async () => {
        await plug.setPowerState(true);
        assert.strictEqual(sim.device.relay(idx), true);
        if (strip) assert.strictEqual(sim.device.relay(0), false, 'only the child outlet switched');
        assert.strictEqual(await plug.getPowerState(), true);
        assert.strictEqual(await plug.togglePowerState(), false);
        assert.strictEqual(sim.device.relay(idx), false);
        // Every call opened and closed its own connection; none is left open.
        assert.strictEqual(sim.activeConnections, 0);
      });

      it('getInfo: its four-module request (emeter, schedule, system, cnCloud) in one go', async () => {
        const info = await plug.getInfo();
        assert.strictEqual(info.sysInfo.deviceId, sim.device.deviceId);
        assert.strictEqual(info.cloud.info.err_code, 0);
        assert.strictEqual(info.schedule.nextAction.err_code, 0);
        const last = sim.requests[sim.requests.length - 1];
        assert.deepStrictEqual(Object.keys(last).filter((k) => k !== 'context').sort(), ['cnCloud', 'emeter', 'schedule', 'system']);
      });

      it('emeter.getRealtime: our readings in either unit convention, completed by the API', async () => {
        if (!HAS_EMETER[model]) {
          await assert.rejects(plug.emeter.getRealtime(), (err) => {
            assert.strictEqual(err.name, 'ResponseError');
            assert.deepStrictEqual(err.modules, ['emeter']);
            assert.match(err.message, /"err_code":-1/);
            return true;
          });
          return;
        }
        sim.device.setLoad(100, idx);
        sim.device.setVoltage(230);
        await plug.setPowerState(true);
        const rt = await plug.emeter.getRealtime();
        assert.ok(Math.abs(rt.power - 100) < 0.01, JSON.stringify(rt));
        assert.ok(Math.abs(rt.power_mw - 100000) <= 10, JSON.stringify(rt));
        assert.ok(Math.abs(rt.voltage - 230) < 0.01);
        assert.ok(Math.abs(rt.current - 100 / 230) < 0.002);
        const days = await plug.emeter.getDayStats(2024, 1);
        assert.strictEqual(days.err_code, 0);
        assert.ok(Array.isArray(days.day_list));
        const months = await plug.emeter.getMonthStats(2024);
        assert.strictEqual(months.err_code, 0);
      });

      it('schedule: getRules, addRule, deleteRule, setOverallEnable, getNextAction, stats', async () => {
        const sched = plug.schedule;
        assert.deepStrictEqual((await sched.getRules()).rule_list, []);
        // A rule with 0/1 flags, through the API's generic command path: every model takes it.
        // (The API's own addRule writes booleans: see the next two tests.)
        const added = await plug.sendCommand({ schedule: { add_rule: intScheduleRule(60) } });
        assert.match(added.id, /^[0-9A-F]{32}$/);
        const rules = await sched.getRules();
        assert.deepStrictEqual(rules.rule_list.map((r) => r.id), [added.id]);
        const rule = await sched.getRule(added.id);
        assert.deepStrictEqual(rule.wday, [0, 1, 0, 1, 0, 0, 0]);
        assert.deepStrictEqual(sim.device.rules('schedule', idx).map((r) => r.id), [added.id]);
        assert.strictEqual((await sched.setOverallEnable(false)).err_code, 0);
        assert.strictEqual((await sched.getRules()).enable, 0);
        assert.strictEqual((await sched.setOverallEnable(true)).err_code, 0);
        assert.strictEqual((await sched.getNextAction()).err_code, 0);
        assert.strictEqual((await sched.getDayStats(2024, 1)).err_code, 0);
        assert.strictEqual((await sched.getMonthStats(2024)).err_code, 0);
        assert.strictEqual((await sched.deleteRule(added.id)).err_code, 0);
        assert.deepStrictEqual((await sched.getRules()).rule_list, []);
        await assert.rejects(sched.deleteRule(added.id), /"err_code":-14/);
        await plug.sendCommand({ schedule: { add_rule: intScheduleRule(90) } });
        assert.strictEqual((await sched.deleteAllRules()).err_code, 0);
        assert.deepStrictEqual(sim.device.rules('schedule', idx), []);
      });

      if (BOOLEAN_FLAGS[model]) {
        it(`schedule.addRule / editRule with the API's boolean wday and repeat: hw ${HW_VER[model]} takes them and get_rules gives them back`, async () => {
          assert.strictEqual((await plug.getSysInfo()).hw_ver, HW_VER[model]);
          const sched = plug.schedule;
          sim.device.setWallClock({ year: 2024, month: 5, mday: 6, hour: 8, min: 0, sec: 0 }); // a Monday
          const added = await sched.addRule({ powerState: true, start: 60, daysOfWeek: [1, 3] });
          assert.strictEqual(added.err_code, 0);
          assert.match(added.id, /^[0-9A-F]{32}$/);
          assert.strictEqual(sim.requests[sim.requests.length - 1].schedule.add_rule.repeat, true, 'the API really sent a boolean');
          let rule = await sched.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.sact], [[F, T, F, T, F, F, F], true, 60, 1]);
          // The boolean flags count for the next action: Wednesday 01:00.
          assert.deepStrictEqual(await sched.getNextAction(), { type: 1, id: added.id, schd_sec: 3600, action: 1, err_code: 0 });
          const edited = await sched.editRule({ id: added.id, powerState: false, start: 120, daysOfWeek: [0, 6], enable: false });
          assert.strictEqual(edited.err_code, 0);
          rule = await sched.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.sact, rule.enable], [[T, F, F, F, F, F, T], true, 120, 0, 0]);
          // A one-off rule: repeat false, the date's weekday flagged.
          const once = await sched.addRule({ powerState: true, start: new Date(2030, 0, 15, 7, 30) });
          assert.strictEqual(once.err_code, 0);
          rule = await sched.getRule(once.id);
          assert.deepStrictEqual([rule.repeat, rule.year, rule.month, rule.day, rule.smin], [false, 2030, 1, 15, 450]);
          assert.deepStrictEqual(rule.wday, [F, F, T, F, F, F, F]);
          assert.deepStrictEqual(sim.device.rules('schedule', idx).map((r) => r.id), [added.id, once.id]);
          if (strip) assert.deepStrictEqual(sim.device.rules('schedule', 0), [], 'only the child outlet got them');
        });

        it(`away.addRule / editRule with the API's boolean wday and repeat: hw ${HW_VER[model]} takes them`, async () => {
          const added = await plug.away.addRule({ start: 1080, end: 1320, daysOfWeek: [0, 6] });
          assert.strictEqual(added.err_code, 0);
          let rule = await plug.away.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.emin, rule.frequency], [[T, F, F, F, F, F, T], true, 1080, 1320, 5]);
          const edited = await plug.away.editRule({ id: added.id, start: 1000, end: 1300, daysOfWeek: [2], frequency: 9 });
          assert.strictEqual(edited.err_code, 0);
          rule = await plug.away.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.emin, rule.frequency], [[F, F, T, F, F, F, F], true, 1000, 1300, 9]);
          assert.strictEqual((await plug.away.deleteRule(added.id)).err_code, 0);
          assert.deepStrictEqual(sim.device.rules('anti_theft', idx), []);
        });
      } else {
        it(`schedule.addRule / editRule with the API's boolean wday and repeat: hw ${HW_VER[model]} answers -3 "invalid argument"`, async () => {
          assert.strictEqual((await plug.getSysInfo()).hw_ver, HW_VER[model]);
          const sched = plug.schedule;
          const isInvalid = (err) => {
            assert.strictEqual(err.name, 'ResponseError');
            assert.match(err.message, /"err_code":-3,"err_msg":"invalid argument"/);
            return true;
          };
          await assert.rejects(sched.addRule({ powerState: true, start: 60, daysOfWeek: [1, 3] }), isInvalid);
          await assert.rejects(sched.addRule({ powerState: true, start: new Date(2030, 0, 15, 7, 30) }), isInvalid);
          assert.deepStrictEqual(sim.device.rules('schedule', idx), []);
          // editRule on a rule written with 0/1 flags: refused, the rule unchanged.
          const added = await plug.sendCommand({ schedule: { add_rule: intScheduleRule(60) } });
          await assert.rejects(sched.editRule({ id: added.id, powerState: false, start: 120, daysOfWeek: [0, 6] }), isInvalid);
          const rule = await sched.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.sact], [[0, 1, 0, 1, 0, 0, 0], 1, 60, 1]);
        });

        it(`away.addRule / editRule with the API's boolean wday and repeat: hw ${HW_VER[model]} answers -3 "invalid argument"`, async () => {
          await assert.rejects(plug.away.addRule({ start: 1080, end: 1320, daysOfWeek: [0, 6] }), /"err_code":-3,"err_msg":"invalid argument"/);
          assert.deepStrictEqual(sim.device.rules('anti_theft', idx), []);
          const added = await plug.sendCommand({ anti_theft: { add_rule: intAwayRule } });
          await assert.rejects(plug.away.editRule({ id: added.id, start: 1000, end: 1300, daysOfWeek: [2] }), /"err_code":-3/);
          const rule = await plug.away.getRule(added.id);
          assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.emin], [[1, 0, 0, 0, 0, 0, 1], 1, 1080, 1320]);
        });
      }

      it('timer (count_down): addRule replaces the one rule, getRules, the countdown fires, table full', async () => {
        const t1 = await plug.timer.addRule({ delay: 30, powerState: true, name: 'on soon' });
        assert.strictEqual(t1.err_code, 0);
        const t2 = await plug.timer.addRule({ delay: 60, powerState: true }); // deleteExisting by default
        const rules = await plug.timer.getRules();
        assert.deepStrictEqual(rules.rule_list.map((r) => [r.id, r.delay, r.act]), [[t2.id, 60, 1]]);
        assert.strictEqual(rules.rule_list[0].remain, 60);
        await assert.rejects(plug.timer.addRule({ delay: 5, powerState: false, deleteExisting: false }), /"err_code":-10/);
        assert.strictEqual((await plug.timer.editRule({ id: t2.id, delay: 10, powerState: true })).err_code, 0);
        assert.strictEqual(sim.device.relay(idx), false);
        sim.device.advanceTime(10_000);
        assert.strictEqual(sim.device.relay(idx), true, 'the countdown switched the relay');
        if (strip) assert.strictEqual(sim.device.relay(0), false);
        assert.strictEqual((await plug.timer.deleteAllRules()).err_code, 0);
        assert.deepStrictEqual(sim.device.rules('count_down', idx), []);
      });

      it('away (anti_theft): getRules, addRule, setOverallEnable, deleteRule, deleteAllRules', async () => {
        assert.deepStrictEqual((await plug.away.getRules()).rule_list, []);
        const added = await plug.sendCommand({ anti_theft: { add_rule: intAwayRule } });
        const rule = await plug.away.getRule(added.id);
        assert.strictEqual(rule.emin, 1320);
        assert.strictEqual(rule.frequency, 5);
        assert.strictEqual((await plug.away.setOverallEnable(false)).err_code, 0);
        assert.strictEqual((await plug.away.getRules()).enable, 0);
        assert.strictEqual((await plug.away.deleteRule(added.id)).err_code, 0);
        await plug.sendCommand({ anti_theft: { add_rule: intAwayRule } });
        assert.strictEqual((await plug.away.deleteAllRules()).err_code, 0);
        assert.deepStrictEqual(sim.device.rules('anti_theft', idx), []);
      });

      it('UDP transport: getSysInfo and setPowerState as single datagrams', async () => {
        const udp = { transport: 'udp', timeout: 1500 };
        const sys = await plug.getSysInfo(udp);
        assert.strictEqual(sys.deviceId, sim.device.deviceId);
        await plug.setPowerState(true, udp);
        assert.strictEqual(sim.device.relay(idx), true);
        assert.strictEqual(sim.connectionsOpened, 1, 'only getDevice used TCP');
      });
    });
  }

  describe('HS300 as a whole strip and per child', () => {
    let sim;
    beforeEach(async () => { sim = await PlugSimulator.start({ model: 'hs300', host: HOST, port: 0 }); });
    afterEach(async () => { await sim.stop(); });

    it('children by full and short id; emeter per child is that outlet\'s load', async () => {
      const client = newClient();
      sim.device.setVoltage(120);
      sim.device.setLoad(50, 1);
      sim.device.setLoad(200, 2);
      const byFull = await client.getDevice({ host: HOST, port: sim.port, childId: sim.device.childId(1) });
      const byShort = await client.getDevice({ host: HOST, port: sim.port, childId: '02' });
      await byFull.setPowerState(true);
      await byShort.setPowerState(true);
      assert.deepStrictEqual([0, 1, 2, 3].map((i) => sim.device.relay(i)), [false, true, true, false]);
      assert.ok(Math.abs((await byFull.emeter.getRealtime()).power - 50) < 0.01);
      assert.ok(Math.abs((await byShort.emeter.getRealtime()).power - 200) < 0.01);
      const whole = await client.getDevice({ host: HOST, port: sim.port });
      assert.strictEqual(whole.childId, undefined);
      assert.ok(Math.abs((await whole.emeter.getRealtime()).power - 250) < 0.01, 'the strip without context sums its outlets');
      await whole.setPowerState(false);
      assert.strictEqual(sim.device.relay(), false, 'no context: every outlet');
    });

    it('an unknown child id: the API refuses it before sending; a raw one gets -14', async () => {
      const client = newClient();
      await assert.rejects(client.getDevice({ host: HOST, port: sim.port, childId: `${sim.device.deviceId}09` }), /Could not find child/);
      const whole = await client.getDevice({ host: HOST, port: sim.port });
      await assert.rejects(whole.sendCommand({ system: { set_relay_state: { state: 1 } } }, [`${sim.device.deviceId}09`]), /"err_code":-14/);
    });
  });

  it('firmware that closes the connection after each reply (closeAfterReply) serves the API the same', async () => {
    const sim = await PlugSimulator.start({ model: 'hs110v2', host: HOST, port: 0, closeAfterReply: true });
    try {
      const plug = await newClient().getDevice({ host: HOST, port: sim.port });
      await plug.setPowerState(true);
      const rt = await plug.emeter.getRealtime();
      assert.strictEqual(sim.device.relay(), true);
      assert.ok(rt.power > 0);
      assert.strictEqual(sim.connectionsOpened, 3);
    } finally {
      await sim.stop();
    }
  });

  describe('discovery: startDiscovery against our SimulatorNetwork', () => {
    let network;
    let client;
    afterEach(async () => {
      if (client) client.stopDiscovery();
      client = null;
      if (network) await network.stop();
      network = null;
    });

    it('finds every simulated model (strip outlets broken out), skips noise, and can drive what it found', async () => {
      network = await SimulatorNetwork.start({
        host: HOST,
        discoveryPort: 0,
        devices: MODELS.map((model) => ({ model })),
        extras: ['garbage', 'bulb'],
      });
      const ours = new Set(network.members.map((m) => m.device.deviceId));
      client = newClient();
      const plugs = [];
      const bulbs = [];
      let invalid = 0;
      client.on('plug-new', (d) => { if (ours.has(d.sysInfo.deviceId)) plugs.push(d); });
      client.on('bulb-new', (d) => bulbs.push(d));
      client.on('discovery-invalid', () => { invalid++; });
      // The API always sends its broadcast to port 9999 (hard-coded); its `port` option is
      // the local bind port. `devices: [{host, port}]` reaches any port, so the network's
      // ephemeral discovery port is given there; the broadcast itself goes to 127.0.0.1:9999
      // only, and anything answering there that is not ours is filtered out above.
      client.startDiscovery({
        broadcast: HOST,
        address: HOST,
        port: 0,
        devices: [{ host: HOST, port: network.discoveryPort }],
        devicesUseDiscoveryPort: true,
        discoveryInterval: 150,
        discoveryTimeout: 2000,
      });
      const want = MODELS.length - 1 + 6; // five plugs and six HS300 outlets
      const deadline = Date.now() + 2000;
      while (plugs.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      client.stopDiscovery();
      assert.strictEqual(plugs.length, want, plugs.map((p) => p.alias).join(', '));
      for (const p of plugs) {
        const member = network.members.find((m) => m.device.deviceId === p.sysInfo.deviceId);
        assert.strictEqual(p.host, HOST);
        assert.strictEqual(p.port, member.port, 'each member answered from its own port');
      }
      const outlets = plugs.filter((p) => p.childId).map((p) => p.childId.slice(-2)).sort();
      assert.deepStrictEqual(outlets, ['00', '01', '02', '03', '04', '05']);
      assert.ok(bulbs.length >= 1, 'the bulb answer is a bulb, not a plug');
      assert.ok(invalid >= 1, 'the garbage answer is reported as invalid');
      // Drive one found plug and one found strip outlet over TCP.
      const hs110 = plugs.find((p) => p.sysInfo.model === 'HS110(EU)' && p.sysInfo.hw_ver === '1.0');
      await hs110.setPowerState(true);
      const member = network.members.find((m) => m.device.deviceId === hs110.sysInfo.deviceId);
      assert.strictEqual(member.device.relay(), true);
      const outlet3 = plugs.find((p) => p.childId && p.childId.endsWith('03'));
      await outlet3.setPowerState(true);
      const stripSim = network.members.find((m) => m.device.model === 'HS300');
      assert.strictEqual(stripSim.device.relay(3), true);
      assert.strictEqual(stripSim.device.relay(2), false);
    });
  });
});
