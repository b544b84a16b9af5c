'use strict';
// The SMART plug simulator: the device model answering request texts, and the
// same model behind the AES server driven by AesTransport and the dialect
// helpers over 127.0.0.1 (strip outlets, paging, batches, countdown, energy).
const assert = require('assert');
const smart = require('../nodes/core/smart');
const { AesTransport } = require('../nodes/core/transport/aes');
const { SmartDevice, AesSmartServer, SMART_MODELS, buildDiscoveryAnswer, crc32 } = require('../nodes/simulator/smart');

const call = (dev, method, params) => JSON.parse(dev.handleSmartRequest(JSON.stringify(params === undefined ? { method } : { method, params })));
const ok = (dev, method, params) => smart.checkSmartReply(dev.handleSmartRequest(JSON.stringify(params === undefined ? { method } : { method, params })), method);

describe('SMART simulator: device model', () => {
  for (const spec of SMART_MODELS) {
    it(`${spec.name}: get_device_info has the card's fields`, () => {
      const dev = new SmartDevice({ model: spec.name, nickname: 'Büro' });
      const info = ok(dev, 'get_device_info');
      assert.strictEqual(info.model, spec.model);
      assert.strictEqual(info.type, spec.type);
      assert.strictEqual(info.device_id, dev.deviceId);
      assert.match(info.mac, /^([0-9A-F]{2}-){5}[0-9A-F]{2}$/);
      assert.strictEqual(smart.decodeNickname(info.nickname), 'Büro');
      assert.strictEqual(smart.decodeNickname(info.ssid), 'SimNet');
      for (const f of ['fw_ver', 'hw_ver', 'ip', 'rssi', 'signal_level', 'overheat_status', 'latitude', 'longitude', 'region']) assert.ok(f in info, f);
      if (spec.children) assert.ok(!('device_on' in info));
      else assert.strictEqual(info.device_on, false);
      const comps = ok(dev, 'component_nego').component_list.map((c) => c.id);
      assert.strictEqual(comps.includes('energy_monitoring'), spec.energy);
      assert.strictEqual(comps.includes('control_child'), spec.children > 0);
    });
  }

  it('answers -1002 to an unknown method, -1003 to non-JSON, -1008 to bad params', () => {
    const dev = new SmartDevice({ model: 'P100' });
    assert.strictEqual(call(dev, 'get_nothing').error_code, -1002);
    assert.strictEqual(JSON.parse(dev.handleSmartRequest('{oops')).error_code, -1003);
    assert.strictEqual(JSON.parse(dev.handleSmartRequest('[]')).error_code, -1003);
    assert.strictEqual(JSON.parse(dev.handleSmartRequest('{"params":{}}')).error_code, -1008);
    assert.strictEqual(call(dev, 'set_device_info', { device_on: 'yes' }).error_code, -1008);
    assert.strictEqual(call(dev, 'set_device_info', { nickname: 'not base64!' }).error_code, -1008);
    assert.strictEqual(call(dev, 'get_energy_usage').error_code, -1002); // P100 has no meter
    assert.strictEqual(call(dev, '__proto__').error_code, -1002);
  });

  it('switches and renames (nickname base64 on the wire)', () => {
    const dev = new SmartDevice({ model: 'P100' });
    ok(dev, 'set_device_info', { device_on: true, nickname: smart.encodeNickname('Lampe ☀') });
    const info = ok(dev, 'get_device_info');
    assert.strictEqual(info.device_on, true);
    assert.strictEqual(smart.decodeNickname(info.nickname), 'Lampe ☀');
    dev.clock.advance(90_000);
    assert.strictEqual(ok(dev, 'get_device_info').on_time, 90);
  });

  it('P110: -1008 for get_countdown_rules with params null; P100 answers', () => {
    assert.strictEqual(call(new SmartDevice({ model: 'P110' }), 'get_countdown_rules', null).error_code, -1008);
    assert.strictEqual(call(new SmartDevice({ model: 'P110' }), 'get_countdown_rules', { start_index: 0 }).error_code, 0);
    assert.strictEqual(call(new SmartDevice({ model: 'P100' }), 'get_countdown_rules', null).error_code, 0);
  });

  it('countdown: one rule at most, fires at its deadline', () => {
    const dev = new SmartDevice({ model: 'P110' });
    assert.deepStrictEqual(ok(dev, 'add_countdown_rule', { delay: 60, desired_states: { on: true }, enable: true }), { id: 'C1' });
    assert.strictEqual(call(dev, 'add_countdown_rule', { delay: 5, desired_states: { on: false }, enable: true }).error_code, -1902);
    let list = ok(dev, 'get_countdown_rules', { start_index: 0 });
    assert.strictEqual(list.countdown_rule_max_count, 1);
    assert.strictEqual(list.rule_list.length, 1);
    assert.strictEqual(list.rule_list[0].remain, 60);
    dev.clock.advance(59_000);
    assert.strictEqual(ok(dev, 'get_device_info').device_on, false);
    dev.clock.advance(1_000);
    assert.strictEqual(ok(dev, 'get_device_info').device_on, true);
    list = ok(dev, 'get_countdown_rules', { start_index: 0 });
    assert.strictEqual(list.rule_list[0].enable, false);
    ok(dev, 'edit_countdown_rule', { id: 'C1', delay: 10, desired_states: { on: false }, enable: true });
    dev.clock.advance(10_000);
    assert.strictEqual(ok(dev, 'get_device_info').device_on, false);
    ok(dev, 'remove_countdown_rules', { remove_all: true });
    assert.deepStrictEqual(ok(dev, 'get_countdown_rules', { start_index: 0 }).rule_list, []);
    for (const bad of [{}, { delay: 0, desired_states: { on: true } }, { delay: 10 }, { delay: 10, desired_states: { on: 1 } }]) {
      assert.strictEqual(call(dev, 'add_countdown_rule', bad).error_code, -1008, JSON.stringify(bad));
    }
  });

  it('schedule rules: added, edited, removed, paged with start_index/sum, 32 at most', () => {
    const dev = new SmartDevice({ model: 'P100', pageSize: 10 });
    const rule = (m) => ({ enable: true, mode: 'repeat', s_type: 'normal', s_min: m, time_offset: 0, e_type: 'normal', e_min: 0, e_action: 'none', week_day: 127, day: 0, month: 0, year: 0, desired_states: { on: true } });
    for (let i = 0; i < 32; i++) assert.strictEqual(ok(dev, 'add_schedule_rule', rule(i)).id, `S${i + 1}`);
    assert.strictEqual(call(dev, 'add_schedule_rule', rule(99)).error_code, -1802);
    const p = ok(dev, 'get_schedule_rules', { start_index: 30, schedule_mode: '' });
    assert.strictEqual(p.sum, 32);
    assert.strictEqual(p.start_index, 30);
    assert.deepStrictEqual(p.rule_list.map((r) => r.id), ['S31', 'S32']);
    assert.strictEqual(p.schedule_rule_max_count, 32);
    ok(dev, 'edit_schedule_rule', { ...rule(700), id: 'S2' });
    assert.strictEqual(ok(dev, 'get_schedule_rules', { start_index: 0 }).rule_list[1].s_min, 700);
    assert.strictEqual(call(dev, 'edit_schedule_rule', { ...rule(1), id: 'S99' }).error_code, -1805);
    ok(dev, 'remove_schedule_rules', { rule_list: [{ id: 'S1' }] });
    assert.strictEqual(ok(dev, 'get_schedule_rules', { start_index: 0 }).sum, 31);
    for (const bad of [{ s_type: 'noon' }, { s_min: 1440 }, { week_day: 128 }, { desired_states: {} }, { enable: 'yes' }]) {
      assert.strictEqual(call(dev, 'add_schedule_rule', { ...rule(1), ...bad }).error_code, -1008, JSON.stringify(bad));
    }
    ok(dev, 'remove_schedule_rules', { remove_all: true });
    assert.strictEqual(ok(dev, 'get_schedule_rules', { start_index: 0 }).sum, 0);
  });

  it('energy: Wh and minutes accrue while on; current_power in mW, get_current_power in W', () => {
    const dev = new SmartDevice({ model: 'P110' });
    const before = ok(dev, 'get_energy_usage');
    assert.strictEqual(before.current_power, 0);
    ok(dev, 'set_device_info', { device_on: true });
    assert.strictEqual(ok(dev, 'get_energy_usage').current_power, 60_000);
    assert.strictEqual(ok(dev, 'get_current_power').current_power, 60);
    const em = ok(dev, 'get_emeter_data');
    assert.strictEqual(em.power_mw, 60_000);
    assert.strictEqual(em.voltage_mv, 230_000);
    assert.strictEqual(em.current_ma, Math.round((60 / 230) * 1000));
    // one hour later (staying inside today for the arithmetic)
    dev.clock.setWall({ ...dev.clock.wall(), hour: 1, min: 0, sec: 0 });
    const mark = ok(dev, 'get_energy_usage');
    dev.clock.advance(3_600_000);
    const after = ok(dev, 'get_energy_usage');
    assert.strictEqual(after.today_energy - mark.today_energy, 60);
    assert.strictEqual(after.today_runtime - mark.today_runtime, 60);
    assert.ok(after.month_energy >= after.today_energy);
    assert.match(after.local_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('P300: three children, paged, each switched through control_child', () => {
    const dev = new SmartDevice({ model: 'P300', pageSize: 2 });
    const p0 = ok(dev, 'get_child_device_list', { start_index: 0 });
    assert.strictEqual(p0.sum, 3);
    assert.strictEqual(p0.child_device_list.length, 2);
    const p1 = ok(dev, 'get_child_device_list', { start_index: 2 });
    assert.deepStrictEqual(p1.child_device_list.map((c) => c.position), [3]);
    const id = p0.child_device_list[1].device_id;
    const r = ok(dev, 'control_child', { device_id: id, requestData: { method: 'set_device_info', params: { device_on: true } } });
    assert.deepStrictEqual(r, { responseData: { error_code: 0, result: {} } });
    assert.deepStrictEqual(dev.children.map((c) => c.on), [false, true, false]);
    const child = smart.childResult(ok(dev, 'control_child', { device_id: id, requestData: { method: 'get_device_info' } }), 'get_device_info');
    assert.strictEqual(child.device_on, true);
    assert.strictEqual(child.position, 2);
    // a child's error comes inside responseData
    assert.strictEqual(ok(dev, 'control_child', { device_id: id, requestData: { method: 'get_nothing' } }).responseData.error_code, -1002);
    assert.strictEqual(call(dev, 'control_child', { device_id: 'nope', requestData: { method: 'get_device_info' } }).error_code, -1008);
    assert.strictEqual(call(dev, 'set_device_info', { device_on: true }).error_code, -1008); // the strip itself has no relay
    assert.strictEqual(call(dev, 'get_energy_usage').error_code, -1002);
  });

  it('multipleRequest: answers in order, stops at the first error', () => {
    const dev = new SmartDevice({ model: 'P110' });
    const reqs = [{ method: 'get_device_info' }, { method: 'set_device_info', params: { device_on: 'x' } }, { method: 'set_device_info', params: { device_on: true } }];
    const out = smart.splitMultipleReply(ok(dev, 'multipleRequest', { requests: reqs }), reqs);
    assert.deepStrictEqual(out.map((o) => o.ok), [true, false, false]);
    assert.strictEqual(out[1].error.code, -1008);
    assert.strictEqual(out[2].skipped, true);
    assert.strictEqual(dev.main.on, false); // the third never ran
    assert.strictEqual(call(dev, 'multipleRequest', { requests: [{ method: 'multipleRequest', params: { requests: [{ method: 'multipleRequest', params: { requests: [] } }] } }] }).result.responses[0].result.responses[0].error_code, -1008);
  });

  it('hostile requests: always a JSON reply with an integer error_code, never a throw or a polluted prototype', () => {
    const corpus = [
      '', ' ', 'null', 'true', '"x"', '1e400', '{"method":null}', '{"method":{}}', '{"method":"get_device_info","params":"x"}',
      '{"method":"set_device_info","params":{"__proto__":{"device_on":true}}}',
      '{"method":"set_device_info","params":{"nickname":"' + 'QQ=='.repeat(5000) + '"}}',
      '{"method":"control_child","params":{"device_id":{"toString":1},"requestData":[]}}',
      '{"method":"multipleRequest","params":{"requests":[null,1,"x",[]]}}',
      '{"method":"multipleRequest","params":{"requests":' + JSON.stringify(new Array(500).fill({ method: 'get_device_info' })) + '}}',
      '{"method":"get_schedule_rules","params":{"start_index":-1}}', '{"method":"get_schedule_rules","params":{"start_index":1e99}}',
      '{"method":"add_countdown_rule","params":{"delay":1e308,"desired_states":{"on":true}}}',
      '{"method":"edit_schedule_rule","params":{"id":{"$ne":1}}}', '{"method":"remove_schedule_rules","params":{"rule_list":[null]}}',
      '{"method":"constructor"}', '{"method":"hasOwnProperty"}', '{"method":"toString"}',
    ];
    for (const model of ['P110', 'P300']) {
      const dev = new SmartDevice({ model });
      for (const text of corpus) {
        const reply = JSON.parse(dev.handleSmartRequest(text));
        assert.ok(Number.isInteger(reply.error_code), `${model} ${text.slice(0, 60)}`);
      }
      assert.strictEqual({}.device_on, undefined);
      assert.strictEqual(dev.main.on, false);
    }
  });

  it('20002 discovery answer: header with a valid CRC-32 and the recorded fields', () => {
    const dev = new SmartDevice({ model: 'P110', mac: '3C-52-A1-00-11-22' });
    const serial = Buffer.from([1, 2, 3, 4]);
    const buf = buildDiscoveryAnswer(dev, { httpPort: 8080, serial });
    assert.strictEqual(buf[0], 2);
    assert.strictEqual(buf.readUInt16BE(4), buf.length - 16);
    assert.deepStrictEqual(buf.subarray(8, 12), serial);
    const crc = buf.readUInt32BE(12);
    const copy = Buffer.from(buf);
    copy.writeUInt32BE(0x5a6b7c8d, 12);
    assert.strictEqual(crc32(copy), crc);
    assert.strictEqual(crc32(Buffer.from('123456789')), 0xcbf43926); // the CRC-32 check value
    const { error_code, result } = JSON.parse(buf.subarray(16).toString());
    assert.strictEqual(error_code, 0);
    assert.strictEqual(result.device_type, 'SMART.TAPOPLUG');
    assert.strictEqual(result.device_model, 'P110(UK)');
    assert.strictEqual(result.mac, '3C-52-A1-00-11-22');
    assert.deepStrictEqual(result.mgt_encrypt_schm, { encrypt_type: 'KLAP', http_port: 8080, is_support_https: false, lv: 2 });
    const aes = JSON.parse(buildDiscoveryAnswer(new SmartDevice({ model: 'KP125M' }), { httpPort: 80 }).subarray(16).toString()).result;
    assert.strictEqual(aes.device_type, 'SMART.KASAPLUG');
    assert.deepStrictEqual(aes.mgt_encrypt_schm, { encrypt_type: 'AES', http_port: 80, is_support_https: false });
  });
});

describe('SMART simulator behind AES, driven by AesTransport (127.0.0.1)', () => {
  let sim;
  let t;
  const USER = 'u@example.com';
  const PASS = 'pw';
  const start = async (opts) => {
    sim = await AesSmartServer.start({ host: '127.0.0.1', username: USER, password: PASS, ...opts });
    t = new AesTransport({ host: '127.0.0.1', port: sim.port, connectTimeout: 3000, maxReplyBytes: 1 << 20, credentials: { username: USER, password: PASS } });
  };
  const rpc = async (req) => smart.checkSmartReply(await t.send(JSON.stringify(req), 2000), req.method);
  afterEach(async () => {
    if (t) t.close();
    if (sim) await sim.stop();
    t = sim = null;
  });

  it('P300: lists the outlets through paging and switches each through control_child', async () => {
    await start({ model: 'P300', pageSize: 2 });
    const { items } = await smart.fetchAllPages((start) => rpc(smart.smartRequest('get_child_device_list', smart.childListParams(start))), 'child_device_list');
    assert.deepStrictEqual(items.map((c) => c.position), [1, 2, 3]);
    for (const c of items) {
      const res = await rpc(smart.controlChild(c.device_id, smart.smartRequest('set_device_info', { device_on: c.position !== 2 })));
      smart.childResult(res, 'set_device_info');
    }
    assert.deepStrictEqual(sim.device.children.map((c) => c.on), [true, false, true]);
    assert.strictEqual(sim.stats.handshakes, 1);
  });

  it('P110: one multipleRequest reads info, energy and countdown rules', async () => {
    await start({ model: 'P110' });
    const reqs = [smart.smartRequest('get_device_info'), smart.smartRequest('get_energy_usage'), smart.smartRequest('get_countdown_rules', smart.countdownRulesParams(0))];
    const out = smart.splitMultipleReply(await rpc(smart.multipleRequest(reqs)), reqs);
    assert.deepStrictEqual(out.map((o) => o.ok), [true, true, true]);
    assert.strictEqual(out[0].result.model, 'P110');
    assert.strictEqual(typeof out[1].result.today_energy, 'number');
    assert.strictEqual(out[2].result.countdown_rule_max_count, 1);
    assert.strictEqual(sim.stats.requests, 1);
  });

  it('KP125M: pages 23 schedule rules in three round trips', async () => {
    await start({ model: 'KP125M' });
    for (let i = 0; i < 23; i++) {
      await rpc(smart.smartRequest('add_schedule_rule', { enable: true, mode: 'repeat', s_type: 'normal', s_min: i, week_day: 62, desired_states: { on: i % 2 === 0 } }));
    }
    const before = sim.stats.requests;
    const { items, last } = await smart.fetchAllPages((s) => rpc(smart.smartRequest('get_schedule_rules', smart.scheduleRulesParams(s))), 'rule_list');
    assert.strictEqual(items.length, 23);
    assert.strictEqual(new Set(items.map((r) => r.id)).size, 23);
    assert.strictEqual(last.schedule_rule_max_count, 32);
    assert.strictEqual(sim.stats.requests - before, 3);
  });

  it('a device error comes back as SmartDeviceError with its meaning', async () => {
    await start({ model: 'P110' });
    await assert.rejects(rpc({ method: 'get_countdown_rules', params: null }), (e) => e instanceof smart.SmartDeviceError && e.code === -1008 && /refused the parameters/.test(e.message));
  });
});
