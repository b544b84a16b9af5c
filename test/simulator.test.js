'use strict';
// The built-in plug simulator, exercised over real sockets on 127.0.0.1 with a
// tiny raw client written here (net/dgram + cipher + framing), so these tests
// don't depend on the package's own client.
const assert = require('assert');
const net = require('net');
const dgram = require('dgram');
const { spawnSimCli } = require('./support/sim-cli');
const { encrypt, encryptWithHeader, decrypt } = require('../nodes/core/cipher');
const { FrameDecoder } = require('../nodes/core/framing');
const { PlugSimulator, SimulatedDevice, SimulatorNetwork, MODELS, isLoopback, booleanRuleFlags, findModel } = require('../nodes/simulator');

const HOST = '127.0.0.1';
const SYSINFO = { system: { get_sysinfo: {} } };
const ID_RE = /^[0-9A-F]{32}$/;

// ---- resources, all released after each test --------------------------------
const open = { sims: [], sockets: [], udps: [], procs: [], timers: new Set() };

function later(ms, fn) {
  const t = setTimeout(() => { open.timers.delete(t); fn(); }, ms);
  open.timers.add(t);
  return t;
}
function cancel(t) { clearTimeout(t); open.timers.delete(t); }
const sleep = (ms) => new Promise((r) => later(ms, r));

async function sim(opts) {
  const s = await PlugSimulator.start({ host: HOST, port: 0, ...opts });
  open.sims.push(s);
  return s;
}

/** A raw TCP connection: send objects/bytes, await decoded reply frames, watch the raw bytes. */
async function connect(port) {
  const socket = net.connect({ host: HOST, port });
  open.sockets.push(socket);
  const conn = { socket, raw: [], error: null, frames: [], waiters: [] };
  conn.closed = new Promise((r) => socket.once('close', r));
  socket.on('error', (e) => { conn.error = e; });
  const dec = new FrameDecoder(1 << 20);
  socket.on('data', (chunk) => {
    conn.raw.push(chunk);
    let frames = [];
    try { frames = dec.push(chunk); } catch { return; }
    for (const f of frames) {
      const w = conn.waiters.shift();
      if (w) w(f); else conn.frames.push(f);
    }
  });
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  conn.send = (obj) => socket.write(encryptWithHeader(typeof obj === 'string' ? obj : JSON.stringify(obj)));
  /** The next reply frame as text; rejects after ms. */
  conn.nextText = (ms = 2000) => new Promise((resolve, reject) => {
    if (conn.frames.length) return resolve(decrypt(conn.frames.shift()));
    const t = later(ms, () => { conn.waiters.splice(conn.waiters.indexOf(w), 1); reject(new Error('no reply')); });
    const w = (f) => { cancel(t); resolve(decrypt(f)); };
    conn.waiters.push(w);
  });
  conn.next = async (ms) => JSON.parse(await conn.nextText(ms));
  conn.query = (obj) => { conn.send(obj); return conn.next(); };
  conn.bytes = () => Buffer.concat(conn.raw);
  /** Resolves true if the socket closed within ms. */
  conn.closedWithin = (ms) => Promise.race([conn.closed.then(() => true), sleep(ms).then(() => false)]);
  return conn;
}

async function query(port, obj) {
  const c = await connect(port);
  try { return await c.query(obj); } finally { c.socket.destroy(); }
}

async function udpSocket() {
  const u = dgram.createSocket('udp4');
  open.udps.push(u);
  u.on('error', () => {});
  await new Promise((r) => u.bind(0, HOST, r));
  return u;
}

/** Sends one datagram (an object as JSON, a string as is) and collects every answer for ms. */
async function udpAsk(port, obj, ms = 300) {
  const u = await udpSocket();
  const answers = [];
  u.on('message', (msg, rinfo) => answers.push({ msg, port: rinfo.port, address: rinfo.address }));
  u.send(encrypt(typeof obj === 'string' ? obj : JSON.stringify(obj)), port, HOST);
  await sleep(ms);
  return answers;
}

afterEach(async () => {
  for (const t of open.timers) clearTimeout(t);
  open.timers.clear();
  for (const s of open.sockets.splice(0)) s.destroy();
  for (const u of open.udps.splice(0)) { try { u.close(); } catch { /* closed */ } }
  for (const p of open.procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await Promise.all(open.sims.splice(0).map((s) => s.stop()));
});

/**
 * Two free consecutive ports (TCP and UDP) below the kernel's ephemeral range, so
 * no outgoing connection of another test can be holding base+1 meanwhile.
 */
async function freePortPair() {
  const canBind = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => { u.close(); srv.close(() => resolve(false)); });
      u.bind(port, HOST, () => u.close(() => srv.close(() => resolve(true))));
    });
  });
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 10000);
    if ((await canBind(base)) && (await canBind(base + 1))) return base;
  }
  throw new Error('no two free consecutive ports found');
}

const thisMonth = () => { const d = new Date(); return { year: d.getFullYear(), month: d.getMonth() + 1 }; };
const prevMonth = () => { const { year, month } = thisMonth(); return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 }; };
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

// ---- models ----------------------------------------------------------------------

describe('simulator: models and sysinfo', () => {
  const expected = {
    HS100: { model: 'HS100(EU)', feature: 'TIM', strip: false },
    HS105: { model: 'HS105(US)', feature: 'TIM', strip: false },
    HS110: { model: 'HS110(EU)', feature: 'TIM:ENE', hw: '1.0', strip: false },
    HS110v2: { model: 'HS110(EU)', feature: 'TIM:ENE', hw: '2.0', strip: false },
    HS200: { model: 'HS200(US)', feature: 'TIM', strip: false },
    HS300: { model: 'HS300(US)', feature: 'TIM:ENE', strip: true },
  };

  it('lists the six models', () => {
    assert.deepStrictEqual(MODELS.map((m) => m.name), Object.keys(expected));
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name} answers a realistic get_sysinfo over TCP`, async () => {
      const s = await sim({ model: name.toLowerCase() });
      const r = await query(s.port, SYSINFO);
      const si = r.system.get_sysinfo;
      assert.strictEqual(si.err_code, 0);
      assert.strictEqual(si.model, want.model);
      assert.strictEqual(si.type, 'IOT.SMARTPLUGSWITCH');
      assert.strictEqual(si.mic_type, 'IOT.SMARTPLUGSWITCH');
      assert.strictEqual(si.feature, want.feature);
      if (want.hw) assert.strictEqual(si.hw_ver, want.hw);
      assert.match(si.deviceId, /^[0-9A-F]{40}$/);
      assert.match(si.hwId, /^[0-9A-F]{32}$/);
      assert.match(si.oemId, /^[0-9A-F]{32}$/);
      assert.match(si.mac, /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
      assert.match(si.sw_ver, /Build/);
      for (const k of ['alias', 'dev_name', 'led_off', 'rssi', 'updating', 'latitude', 'longitude', 'latitude_i', 'longitude_i']) {
        assert.ok(k in si, `missing ${k}`);
      }
      assert.ok(si.rssi < 0);
      if (want.strip) {
        assert.strictEqual(si.child_num, 6);
        assert.deepStrictEqual(si.children.map((c) => c.id), ['00', '01', '02', '03', '04', '05'].map((x) => si.deviceId + x));
        for (const c of si.children) {
          assert.deepStrictEqual(Object.keys(c).sort(), ['alias', 'id', 'next_action', 'on_time', 'state']);
        }
        assert.ok(!('relay_state' in si));
      } else {
        assert.strictEqual(si.relay_state, 0);
        assert.strictEqual(si.on_time, 0);
        assert.deepStrictEqual(si.next_action, { type: -1 });
      }
    });
  }

  it('takes alias, deviceId and mac from the options', () => {
    const d = new SimulatedDevice({ model: 'HS110', alias: 'Desk', deviceId: 'ab'.repeat(20), mac: '50-c7-bf-01-02-03' });
    const si = d.sysinfo();
    assert.strictEqual(si.alias, 'Desk');
    assert.strictEqual(si.deviceId, 'AB'.repeat(20));
    assert.strictEqual(si.mac, '50:C7:BF:01:02:03');
    assert.throws(() => new SimulatedDevice({ model: 'HS999' }), /unknown model/);
  });
});

// ---- system state --------------------------------------------------------------

describe('simulator: system state', () => {
  it('switches the relay, LED, alias and location, and reports them back', async () => {
    const s = await sim({ model: 'HS110' });
    const c = await connect(s.port);
    let r = await c.query({ system: { set_relay_state: { state: 1 } } });
    assert.deepStrictEqual(r, { system: { set_relay_state: { err_code: 0 } } });
    assert.strictEqual(s.device.relay(), true);
    await c.query({ system: { set_led_off: { off: 1 }, set_dev_alias: { alias: 'Lamp' } } });
    await c.query({ system: { set_dev_location: { latitude: 50.9412784, longitude: 6.9582814 } } });
    s.device.advanceTime(5000);
    const si = (await c.query(SYSINFO)).system.get_sysinfo;
    assert.strictEqual(si.relay_state, 1);
    assert.ok(si.on_time >= 5, `on_time ${si.on_time}`);
    assert.strictEqual(si.led_off, 1);
    assert.strictEqual(si.alias, 'Lamp');
    assert.strictEqual(si.latitude_i, 509413);
    assert.strictEqual(si.longitude_i, 69583);
    assert.strictEqual(s.device.ledOff, 1);
    assert.strictEqual(s.device.alias(), 'Lamp');
    assert.deepStrictEqual(s.device.location, { latitude: 50.9412784, longitude: 6.9582814 });
    await c.query({ system: { set_dev_location: { latitude_i: -339000, longitude_i: 1512000 } } });
    assert.deepStrictEqual(s.device.location, { latitude: -33.9, longitude: 151.2 });
    r = await c.query({ system: { set_relay_state: { state: 0 } } });
    assert.strictEqual(s.device.relay(), false);
    assert.strictEqual(s.device.onTime(), 0);
  });

  it('rejects bad and missing arguments with -3 / -10002', () => {
    const d = new SimulatedDevice({ model: 'HS100' });
    const r = d.handle({
      system: {
        set_relay_state: { state: 2 },
        set_led_off: {},
        set_dev_alias: { alias: 'x'.repeat(32) },
        set_mac_addr: { mac: 'nope' },
        set_dev_location: null,
      },
    });
    assert.deepStrictEqual(r.system.set_relay_state, { err_code: -3, err_msg: 'invalid argument' });
    assert.deepStrictEqual(r.system.set_led_off, { err_code: -10002, err_msg: 'Missing necessary argument' });
    assert.strictEqual(r.system.set_dev_alias.err_code, -3);
    assert.strictEqual(r.system.set_mac_addr.err_code, -3);
    assert.strictEqual(r.system.set_dev_location.err_code, -10002);
    assert.strictEqual(d.relay(), false);
    assert.strictEqual(d.handle({ system: { set_relay_state: 'on' } }).system.set_relay_state.err_code, -3);
  });

  it('accepts the device-changing system commands and reflects their state', () => {
    const d = new SimulatedDevice({ model: 'HS110', alias: 'Mine' });
    const id = '0123456789ABCDEF0123456789ABCDEF01234567';
    const r = d.handle({
      system: {
        set_mac_addr: { mac: '50-C7-BF-01-02-03' },
        set_device_id: { deviceId: id },
        set_hw_id: { hwId: '0123456789ABCDEF0123456789ABCDEF' },
        set_dev_icon: { icon: 'xxxx', hash: 'ABCD' },
        get_dev_icon: null,
        set_test_mode: { enable: 1 },
        test_check_uboot: null,
        download_firmware: { url: 'http://example.invalid/fw.bin' },
        get_download_state: {},
        flash_firmware: {},
        check_new_config: null,
        reboot: { delay: 1 },
      },
    });
    for (const [m, v] of Object.entries(r.system)) assert.strictEqual(v.err_code, 0, m);
    assert.deepStrictEqual(r.system.get_dev_icon, { icon: 'xxxx', hash: 'ABCD', err_code: 0 });
    assert.strictEqual(r.system.get_download_state.url, 'http://example.invalid/fw.bin');
    assert.strictEqual(d.mac, '50:C7:BF:01:02:03');
    assert.strictEqual(d.deviceId, id);
    assert.strictEqual(d.hwId, '0123456789ABCDEF0123456789ABCDEF');
    assert.strictEqual(d.reboots, 1);
    d.handle({ system: { set_relay_state: { state: 1 }, set_led_off: { off: 1 } }, schedule: { add_rule: { sact: 1, smin: 60, wday: [1, 1, 1, 1, 1, 1, 1] } } });
    assert.strictEqual(d.handle({ system: { reset: { delay: 1 } } }).system.reset.err_code, 0);
    assert.strictEqual(d.resets, 1);
    assert.strictEqual(d.relay(), false);
    assert.strictEqual(d.ledOff, 0);
    assert.match(d.alias(), /^TP-LINK_Smart Plug_0203$/);
    assert.deepStrictEqual(d.rules('schedule'), []);
  });
});

// ---- netif, cloud, time --------------------------------------------------------

describe('simulator: netif, cnCloud and time', () => {
  it('scans, joins a network and remembers it', () => {
    const d = new SimulatedDevice({ model: 'HS105' });
    const r = d.handle({ netif: { get_scaninfo: { refresh: 1 }, set_stainfo: { ssid: 'WiFi', password: 'secret123', key_type: 3 } } });
    assert.ok(r.netif.get_scaninfo.ap_list.length >= 2);
    for (const ap of r.netif.get_scaninfo.ap_list) assert.deepStrictEqual(Object.keys(ap), ['ssid', 'key_type']);
    assert.strictEqual(r.netif.set_stainfo.err_code, 0);
    assert.deepStrictEqual(d.wifi, { ssid: 'WiFi', key_type: 3 });
    assert.strictEqual(d.handle({ netif: { set_stainfo: {} } }).netif.set_stainfo.err_code, -10002);
  });

  it('binds, unbinds and sets the cloud server', () => {
    const d = new SimulatedDevice({ model: 'HS110' });
    let r = d.handle({ cnCloud: { get_info: null, get_intl_fw_list: {} } });
    assert.strictEqual(r.cnCloud.get_info.binded, 0);
    assert.deepStrictEqual(r.cnCloud.get_intl_fw_list, { fw_list: [], err_code: 0 });
    d.handle({ cnCloud: { bind: { username: 'me@example.com', password: 'pw' }, set_server_url: { server: 'devs.example.com' } } });
    r = d.handle({ cnCloud: { get_info: null } }).cnCloud.get_info;
    assert.strictEqual(r.binded, 1);
    assert.strictEqual(r.username, 'me@example.com');
    assert.strictEqual(r.server, 'devs.example.com');
    d.handle({ cnCloud: { unbind: null } });
    assert.strictEqual(d.cloud.binded, 0);
    assert.strictEqual(d.handle({ cnCloud: { bind: { username: 'x' } } }).cnCloud.bind.err_code, -10002);
  });

  it('sets the clock and timezone', () => {
    const d = new SimulatedDevice({ model: 'HS100' });
    const r = d.handle({ time: { set_timezone: { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, index: 42 } } });
    assert.strictEqual(r.time.set_timezone.err_code, 0);
    const t = d.handle({ time: { get_time: null, get_timezone: null } }).time;
    assert.deepStrictEqual({ ...t.get_time, sec: 10 }, { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, err_code: 0 });
    assert.ok(t.get_time.sec >= 10 && t.get_time.sec <= 12);
    assert.deepStrictEqual(t.get_timezone, { index: 42, err_code: 0 });
    assert.strictEqual(d.timezoneIndex, 42);
    assert.strictEqual(d.handle({ time: { set_timezone: { index: 200 } } }).time.set_timezone.err_code, -3);
    assert.strictEqual(d.handle({ time: { set_timezone: { year: 2016 } } }).time.set_timezone.err_code, -10002);
  });
});

// ---- rules ---------------------------------------------------------------------

describe('simulator: schedule, count_down and anti_theft', () => {
  const RULE = { stime_opt: 0, wday: [1, 0, 0, 1, 1, 0, 0], smin: 1014, enable: 1, repeat: 1, etime_opt: -1, name: 'lights on', eact: -1, month: 0, sact: 1, year: 0, longitude: 0, day: 0, force: 0, latitude: 0, emin: 0 };

  it('adds, lists, edits and deletes schedule rules with 32-hex ids', async () => {
    const s = await sim({ model: 'HS110' });
    const c = await connect(s.port);
    const r = await c.query({ schedule: { add_rule: RULE, set_overall_enable: { enable: 1 } } });
    assert.strictEqual(r.schedule.set_overall_enable.err_code, 0);
    const id = r.schedule.add_rule.id;
    assert.match(id, ID_RE);
    const id2 = (await c.query({ schedule: { add_rule: { ...RULE, name: 'off', sact: 0, smin: 1300 } } })).schedule.add_rule.id;
    assert.notStrictEqual(id, id2);
    let list = (await c.query({ schedule: { get_rules: null } })).schedule.get_rules;
    assert.strictEqual(list.enable, 1);
    assert.deepStrictEqual(list.rule_list.map((x) => x.id), [id, id2]);
    assert.strictEqual(list.rule_list[0].name, 'lights on');
    const edit = await c.query({ schedule: { edit_rule: { ...RULE, id, smin: 600, name: 'earlier' } } });
    assert.strictEqual(edit.schedule.edit_rule.err_code, 0);
    assert.strictEqual(s.device.rules('schedule')[0].smin, 600);
    const missing = await c.query({ schedule: { edit_rule: { ...RULE, id: 'F'.repeat(32) }, delete_rule: { id: '0'.repeat(32) } } });
    assert.deepStrictEqual(missing.schedule.edit_rule, { err_code: -14, err_msg: 'entry not exist' });
    assert.deepStrictEqual(missing.schedule.delete_rule, { err_code: -14, err_msg: 'entry not exist' });
    await c.query({ schedule: { delete_rule: { id } } });
    assert.deepStrictEqual(s.device.rules('schedule').map((x) => x.id), [id2]);
    const next = (await c.query({ schedule: { get_next_action: null } })).schedule.get_next_action;
    assert.strictEqual(next.err_code, 0);
    assert.ok(next.type === 1 || next.type === -1);
    const all = await c.query({ schedule: { delete_all_rules: null, erase_runtime_stat: null } });
    assert.deepStrictEqual(all, { schedule: { delete_all_rules: { err_code: 0 }, erase_runtime_stat: { err_code: 0 } } });
    list = (await c.query({ schedule: { get_rules: null } })).schedule.get_rules;
    assert.deepStrictEqual(list.rule_list, []);
  });

  it('predicts the next scheduled action from an every-day rule', () => {
    const d = new SimulatedDevice({ model: 'HS100' });
    d.handle({ time: { set_timezone: { year: 2024, month: 5, mday: 6, hour: 8, min: 0, sec: 0, index: 18 } } });
    const id = d.handle({ schedule: { add_rule: { ...RULE, wday: [1, 1, 1, 1, 1, 1, 1], smin: 540 } } }).schedule.add_rule.id;
    const next = d.handle({ schedule: { get_next_action: null } }).schedule.get_next_action;
    assert.deepStrictEqual(next, { type: 1, id, schd_sec: 32400, action: 1, err_code: 0 });
    assert.deepStrictEqual(d.sysinfo().next_action, { type: 1, id, schd_sec: 32400, action: 1 });
    assert.strictEqual(d.sysinfo().active_mode, 'schedule');
  });

  it('validates rule arguments', () => {
    const d = new SimulatedDevice({ model: 'HS100' });
    const r = d.handle({ schedule: { add_rule: { smin: 10 } } }).schedule.add_rule;
    assert.strictEqual(r.err_code, -10002);
    assert.strictEqual(d.handle({ schedule: { add_rule: { ...RULE, wday: [1, 2] } } }).schedule.add_rule.err_code, -3);
    assert.strictEqual(d.handle({ schedule: { add_rule: { ...RULE, smin: 5000 } } }).schedule.add_rule.err_code, -3);
    assert.strictEqual(d.handle({ schedule: { edit_rule: { smin: 1 } } }).schedule.edit_rule.err_code, -10002);
    assert.strictEqual(d.handle({ schedule: { set_overall_enable: { enable: 7 } } }).schedule.set_overall_enable.err_code, -3);
  });

  it('holds one countdown rule (-10 on a second), counts down and fires', async () => {
    const s = await sim({ model: 'HS100' });
    const c = await connect(s.port);
    const add = await c.query({ count_down: { add_rule: { enable: 1, delay: 1800, act: 1, name: 'turn on' } } });
    const id = add.count_down.add_rule.id;
    assert.match(id, ID_RE);
    const second = await c.query({ count_down: { add_rule: { enable: 1, delay: 60, act: 0, name: 'again' } } });
    assert.deepStrictEqual(second.count_down.add_rule, { err_code: -10, err_msg: 'table is full' });
    const rules = (await c.query({ count_down: { get_rules: null } })).count_down.get_rules.rule_list;
    assert.strictEqual(rules.length, 1);
    assert.strictEqual(rules[0].id, id);
    assert.ok(rules[0].remain > 1790 && rules[0].remain <= 1800);
    assert.strictEqual(s.device.sysinfo().active_mode, 'count_down');
    await c.query({ count_down: { edit_rule: { enable: 1, id, delay: 10, act: 1, name: 'soon' } } });
    assert.strictEqual(s.device.relay(), false);
    s.device.advanceTime(11_000);
    assert.strictEqual(s.device.relay(), true);
    assert.strictEqual(s.device.rules('count_down')[0].enable, 0);
    const missing = await c.query({ count_down: { delete_rule: { id: 'A'.repeat(32) } } });
    assert.strictEqual(missing.count_down.delete_rule.err_code, -14);
    await c.query({ count_down: { delete_rule: { id } } });
    assert.deepStrictEqual(s.device.rules('count_down'), []);
    await c.query({ count_down: { add_rule: { enable: 1, delay: 5, act: 0, name: 'x' } } });
    const del = await c.query({ count_down: { delete_all_rules: null } });
    assert.deepStrictEqual(del, { count_down: { delete_all_rules: { err_code: 0 } } });
    assert.deepStrictEqual(s.device.rules('count_down'), []);
  });

  it('serves anti_theft rules, including the bare "set_overall_enable":1 form', async () => {
    const s = await sim({ model: 'HS200' });
    const away = { stime_opt: 0, wday: [0, 0, 0, 1, 0, 1, 0], smin: 987, enable: 1, frequency: 5, repeat: 1, etime_opt: 0, duration: 2, name: 'test', lastfor: 1, month: 0, year: 0, longitude: 0, day: 0, latitude: 0, force: 0, emin: 1047 };
    const r = await query(s.port, { anti_theft: { add_rule: away, set_overall_enable: 1 } });
    assert.match(r.anti_theft.add_rule.id, ID_RE);
    assert.deepStrictEqual(r.anti_theft.set_overall_enable, { err_code: 0 });
    const id = r.anti_theft.add_rule.id;
    let list = (await query(s.port, { anti_theft: { get_rules: null } })).anti_theft.get_rules;
    assert.strictEqual(list.rule_list[0].frequency, 5);
    await query(s.port, { anti_theft: { edit_rule: { ...away, id, frequency: 9 }, set_overall_enable: { enable: 0 } } });
    list = (await query(s.port, { anti_theft: { get_rules: null } })).anti_theft.get_rules;
    assert.strictEqual(list.enable, 0);
    assert.strictEqual(list.rule_list[0].frequency, 9);
    const bad = await query(s.port, { anti_theft: { delete_rule: { id: 'B'.repeat(32) }, edit_rule: { ...away, id: 'B'.repeat(32) } } });
    assert.strictEqual(bad.anti_theft.delete_rule.err_code, -14);
    assert.strictEqual(bad.anti_theft.edit_rule.err_code, -14);
    await query(s.port, { anti_theft: { delete_all_rules: null } });
    assert.deepStrictEqual(s.device.rules('anti_theft'), []);
  });

  // Boolean rule flags, as tplink-smarthome-api writes them: hw 1.x firmware takes them,
  // hw 2.x answers -3 (tplink-smarthome-api issue #89; docs/compatibility.md).
  const F = false;
  const T = true;
  const BOOL_RULE = { ...RULE, wday: [F, T, F, T, F, F, F], repeat: true };
  const BOOL_AWAY = { stime_opt: 0, wday: [T, F, F, F, F, F, T], smin: 1080, enable: 1, frequency: 5, repeat: true, etime_opt: 0, emin: 1320, name: 'away' };
  const HW1 = MODELS.filter((m) => m.hwVer.startsWith('1.')).map((m) => m.name);
  const HW2 = MODELS.filter((m) => m.hwVer.startsWith('2.')).map((m) => m.name);

  it('boolean rule flags: hw 1.x models take them, hw 2.x do not; a spec can say otherwise', () => {
    assert.deepStrictEqual(HW1, ['HS105', 'HS110', 'HS300']);
    assert.deepStrictEqual(HW2, ['HS100', 'HS110v2', 'HS200']);
    for (const m of MODELS) assert.strictEqual(booleanRuleFlags(m), m.hwVer.startsWith('1.'), m.name);
    assert.strictEqual(booleanRuleFlags({ ...findModel('HS110v2'), booleanRuleFlags: true }), true);
    assert.strictEqual(booleanRuleFlags({ ...findModel('HS110'), booleanRuleFlags: false }), false);
    assert.strictEqual(booleanRuleFlags({ ...findModel('HS110'), hwVer: '1' }), true);
    assert.strictEqual(booleanRuleFlags({ ...findModel('HS110'), hwVer: '10.0' }), false);
    // The override reaches the rule handlers.
    const d = new SimulatedDevice({ model: { ...findModel('HS110v2'), booleanRuleFlags: true } });
    assert.strictEqual(d.handle({ schedule: { add_rule: BOOL_RULE } }).schedule.add_rule.err_code, 0);
  });

  for (const model of HW1) {
    it(`${model} (hw 1.x): schedule rules with boolean wday/repeat are taken and given back as written`, () => {
      const d = new SimulatedDevice({ model });
      d.handle({ time: { set_timezone: { year: 2024, month: 5, mday: 6, hour: 8, min: 0, sec: 0, index: 18 } } }); // a Monday
      const add = d.handle({ schedule: { add_rule: { ...BOOL_RULE, smin: 60 } } }).schedule.add_rule;
      assert.strictEqual(add.err_code, 0);
      assert.match(add.id, ID_RE);
      let rule = d.handle({ schedule: { get_rules: null } }).schedule.get_rules.rule_list[0];
      assert.deepStrictEqual([rule.wday, rule.repeat], [[F, T, F, T, F, F, F], true]);
      // The boolean flags count for the next action: Wednesday 01:00.
      assert.deepStrictEqual(d.handle({ schedule: { get_next_action: null } }).schedule.get_next_action,
        { type: 1, id: add.id, schd_sec: 3600, action: 1, err_code: 0 });
      // An edit that leaves the flags out keeps them as stored; one that gives them replaces them.
      assert.strictEqual(d.handle({ schedule: { edit_rule: { id: add.id, smin: 120 } } }).schedule.edit_rule.err_code, 0);
      rule = d.rules('schedule')[0];
      assert.deepStrictEqual([rule.smin, rule.wday, rule.repeat], [120, [F, T, F, T, F, F, F], true]);
      const once = { id: add.id, wday: [F, F, T, F, F, F, F], repeat: false, year: 2030, month: 1, day: 15 };
      assert.strictEqual(d.handle({ schedule: { edit_rule: once } }).schedule.edit_rule.err_code, 0);
      rule = d.rules('schedule')[0];
      assert.deepStrictEqual([rule.wday, rule.repeat, rule.year], [[F, F, T, F, F, F, F], false, 2030]);
      // 0/1 still work, and so does a mix, each flag kept as sent.
      assert.strictEqual(d.handle({ schedule: { add_rule: RULE } }).schedule.add_rule.err_code, 0);
      assert.deepStrictEqual(d.rules('schedule')[1].wday, [1, 0, 0, 1, 1, 0, 0]);
      assert.strictEqual(d.handle({ schedule: { add_rule: { ...RULE, wday: [1, F, 0, T, 1, 0, 0] } } }).schedule.add_rule.err_code, 0);
      assert.deepStrictEqual(d.rules('schedule')[2].wday, [1, F, 0, T, 1, 0, 0]);
      // Only wday and repeat take booleans; anything else that is not 0/1 is still -3.
      const bad = (args) => d.handle({ schedule: { add_rule: { ...RULE, ...args } } }).schedule.add_rule.err_code;
      assert.strictEqual(bad({ enable: true }), -3);
      assert.strictEqual(bad({ wday: [T, F, F, F, F, F] }), -3);
      assert.strictEqual(bad({ wday: [T, F, F, F, F, F, 'yes'] }), -3);
      assert.strictEqual(bad({ wday: [T, F, F, F, F, F, 2] }), -3);
      assert.strictEqual(bad({ repeat: 'true' }), -3);
      assert.strictEqual(bad({ repeat: 2 }), -3);
      assert.strictEqual(d.handle({ schedule: { set_overall_enable: { enable: true } } }).schedule.set_overall_enable.err_code, -3);
      assert.strictEqual(d.rules('schedule').length, 3);
    });

    it(`${model} (hw 1.x): anti_theft rules with boolean wday/repeat are taken and given back as written`, () => {
      const d = new SimulatedDevice({ model });
      const add = d.handle({ anti_theft: { add_rule: BOOL_AWAY } }).anti_theft.add_rule;
      assert.strictEqual(add.err_code, 0);
      let rule = d.handle({ anti_theft: { get_rules: null } }).anti_theft.get_rules.rule_list[0];
      assert.deepStrictEqual([rule.wday, rule.repeat, rule.smin, rule.emin], [[T, F, F, F, F, F, T], true, 1080, 1320]);
      const edit = d.handle({ anti_theft: { edit_rule: { ...BOOL_AWAY, id: add.id, wday: [F, F, T, F, F, F, F], repeat: false, frequency: 9 } } });
      assert.strictEqual(edit.anti_theft.edit_rule.err_code, 0);
      rule = d.rules('anti_theft')[0];
      assert.deepStrictEqual([rule.wday, rule.repeat, rule.frequency], [[F, F, T, F, F, F, F], false, 9]);
    });
  }

  it('HS300 (hw 1.x): boolean flags per outlet through context, and over TCP the reply carries JSON booleans', async () => {
    const s = await sim({ model: 'HS300' });
    const ctx = { child_ids: [s.device.childId(2)] };
    const r = await query(s.port, { context: ctx, schedule: { add_rule: BOOL_RULE }, anti_theft: { add_rule: BOOL_AWAY } });
    assert.strictEqual(r.schedule.add_rule.err_code, 0);
    assert.strictEqual(r.anti_theft.add_rule.err_code, 0);
    const c = await connect(s.port);
    c.send({ context: ctx, schedule: { get_rules: null } });
    const text = await c.nextText();
    assert.match(text, /"wday":\[false,true,false,true,false,false,false\]/);
    assert.match(text, /"repeat":true/);
    assert.strictEqual(s.device.rules('schedule', 2).length, 1);
    assert.deepStrictEqual(s.device.rules('schedule', 0), [], 'only the addressed outlet');
    assert.deepStrictEqual(s.device.rules('anti_theft', 2)[0].wday, [T, F, F, F, F, F, T]);
  });

  for (const model of HW2) {
    it(`${model} (hw 2.x): boolean wday or repeat in schedule and anti_theft rules is -3 "invalid argument", nothing stored or changed`, async () => {
      const s = await sim({ model });
      const INVALID = { err_code: -3, err_msg: 'invalid argument' };
      const r = await query(s.port, {
        schedule: { add_rule: BOOL_RULE },
        anti_theft: { add_rule: BOOL_AWAY },
      });
      assert.deepStrictEqual(r.schedule.add_rule, INVALID);
      assert.deepStrictEqual(r.anti_theft.add_rule, INVALID);
      // Either flag alone is enough to be refused.
      const d = s.device;
      assert.deepStrictEqual(d.handle({ schedule: { add_rule: { ...RULE, repeat: true } } }).schedule.add_rule, INVALID);
      assert.deepStrictEqual(d.handle({ schedule: { add_rule: { ...RULE, wday: [T, F, F, F, F, F, F] } } }).schedule.add_rule, INVALID);
      assert.deepStrictEqual(d.handle({ schedule: { add_rule: { ...RULE, wday: [1, 0, 0, 0, 0, 0, F] } } }).schedule.add_rule, INVALID);
      assert.deepStrictEqual(d.handle({ anti_theft: { add_rule: { ...BOOL_AWAY, wday: [1, 0, 0, 0, 0, 0, 1] } } }).anti_theft.add_rule, INVALID);
      assert.deepStrictEqual(d.rules('schedule'), []);
      assert.deepStrictEqual(d.rules('anti_theft'), []);
      // The tplink-smarthome-api edit_rule of issue #89, on a rule written with 0/1.
      const id = d.handle({ schedule: { add_rule: RULE } }).schedule.add_rule.id;
      const issue89 = { id, sact: 1, name: '', enable: 0, emin: 0, etime_opt: -1, smin: 425, stime_opt: 0, wday: [F, T, T, T, T, T, F], repeat: true };
      assert.deepStrictEqual((await query(s.port, { schedule: { edit_rule: issue89 } })).schedule.edit_rule, INVALID);
      const rule = d.rules('schedule')[0];
      assert.deepStrictEqual([rule.smin, rule.enable, rule.wday, rule.repeat], [1014, 1, [1, 0, 0, 1, 1, 0, 0], 1]);
      const awayId = d.handle({ anti_theft: { add_rule: { ...BOOL_AWAY, wday: [1, 0, 0, 0, 0, 0, 1], repeat: 1 } } }).anti_theft.add_rule.id;
      assert.deepStrictEqual(d.handle({ anti_theft: { edit_rule: { id: awayId, repeat: false } } }).anti_theft.edit_rule, INVALID);
      assert.strictEqual(d.rules('anti_theft')[0].repeat, 1);
    });
  }
});

// ---- emeter --------------------------------------------------------------------

describe('simulator: emeter', () => {
  it('HS110 hw 1.x reads V/A/W/kWh, 0 W when off, forced by setLoad', async () => {
    const s = await sim({ model: 'HS110' });
    s.device.setLoad(100);
    s.device.setVoltage(230);
    let rt = (await query(s.port, { emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.strictEqual(rt.power, 0);
    assert.strictEqual(rt.current, 0);
    assert.strictEqual(rt.voltage, 230);
    assert.ok(rt.total > 0, 'history gives a total');
    s.device.setRelay(1);
    rt = (await query(s.port, { emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.deepStrictEqual(Object.keys(rt).sort(), ['current', 'err_code', 'power', 'total', 'voltage']);
    assert.strictEqual(rt.power, 100);
    assert.strictEqual(rt.current, 0.435);
    const before = rt.total;
    s.device.advanceTime(3_600_000); // one hour at 100 W
    rt = (await query(s.port, { emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.ok(Math.abs(rt.total - before - 0.1) < 0.002, `total grew by ${rt.total - before}`);
  });

  it('wobbles realistically around the mains voltage and the default load', () => {
    const d = new SimulatedDevice({ model: 'HS110' });
    d.setRelay(1);
    const rt = d.handle({ emeter: { get_realtime: {} } }).emeter.get_realtime;
    assert.ok(rt.voltage > 225 && rt.voltage < 235, `voltage ${rt.voltage}`);
    assert.ok(rt.power > 55 && rt.power < 65, `power ${rt.power}`);
  });

  it('HS110 hw 2.x reads milli-units and energy_wh', () => {
    const d = new SimulatedDevice({ model: 'HS110v2' });
    d.setLoad(60);
    d.setVoltage(230);
    d.setRelay(1);
    const r = d.handle({ emeter: { get_realtime: {}, get_vgain_igain: {} } }).emeter;
    assert.deepStrictEqual(Object.keys(r.get_realtime).sort(), ['current_ma', 'err_code', 'power_mw', 'total_wh', 'voltage_mv']);
    assert.strictEqual(r.get_realtime.power_mw, 60000);
    assert.strictEqual(r.get_realtime.voltage_mv, 230000);
    assert.strictEqual(r.get_realtime.current_ma, 261);
    assert.ok(Number.isInteger(r.get_realtime.total_wh));
    assert.deepStrictEqual(r.get_vgain_igain, { vgain: 13462, igain: 16835, err_code: 0 });
    const { year, month } = prevMonth();
    const days = d.handle({ emeter: { get_daystat: { year, month } } }).emeter.get_daystat.day_list;
    assert.strictEqual(days.length, daysIn(year, month));
    assert.deepStrictEqual(Object.keys(days[0]).sort(), ['day', 'energy_wh', 'month', 'year']);
  });

  it('gives deterministic day/month stats for past dates, erased by erase_emeter_stat', () => {
    const id = 'C0FFEE'.padEnd(40, '0');
    const a = new SimulatedDevice({ model: 'HS110', deviceId: id });
    const b = new SimulatedDevice({ model: 'HS110', deviceId: id });
    const { year, month } = prevMonth();
    const req = { emeter: { get_daystat: { year, month }, get_monthstat: { year } } };
    const ra = a.handle(req).emeter;
    assert.deepStrictEqual(ra, b.handle(req).emeter);
    assert.strictEqual(ra.get_daystat.day_list.length, daysIn(year, month));
    for (const d of ra.get_daystat.day_list) {
      assert.strictEqual(d.year, year);
      assert.strictEqual(d.month, month);
      assert.ok(d.energy > 0 && d.energy < 2, `energy ${d.energy}`);
    }
    const mEntry = ra.get_monthstat.month_list.find((m) => m.month === month);
    const sum = ra.get_daystat.day_list.reduce((x, d) => x + d.energy, 0);
    assert.ok(Math.abs(mEntry.energy - sum) < 0.02);
    assert.deepStrictEqual(a.handle({ emeter: { get_monthstat: { year: year - 3 } } }).emeter.get_monthstat.month_list, []);
    assert.deepStrictEqual(a.handle({ emeter: { erase_emeter_stat: null } }), { emeter: { erase_emeter_stat: { err_code: 0 } } });
    const after = a.handle(req).emeter;
    assert.deepStrictEqual(after.get_daystat.day_list, []);
    assert.strictEqual(a.handle({ emeter: { get_realtime: {} } }).emeter.get_realtime.total, 0);
    const bad = a.handle({ emeter: { get_daystat: { year }, get_monthstat: { year: 'x' }, set_vgain_igain: { vgain: 1 } } }).emeter;
    assert.strictEqual(bad.get_daystat.err_code, -10002);
    assert.strictEqual(bad.get_monthstat.err_code, -3);
    assert.strictEqual(bad.set_vgain_igain.err_code, -10002);
    const cal = a.handle({ emeter: { set_vgain_igain: { vgain: 13000, igain: 16000 }, start_calibration: { vtarget: 13462, itarget: 16835 } } }).emeter;
    assert.strictEqual(cal.set_vgain_igain.err_code, 0);
    assert.strictEqual(cal.start_calibration.err_code, 0);
  });

  it('answers -1 "module not support" on models without a meter', async () => {
    for (const model of ['HS100', 'HS105', 'HS200']) {
      const s = await sim({ model });
      const r = await query(s.port, { emeter: { get_realtime: {} } });
      assert.deepStrictEqual(r, { emeter: { err_code: -1, err_msg: 'module not support' } });
    }
  });
});

// ---- strips ------------------------------------------------------------------------

describe('simulator: HS300 strip and context', () => {
  it('addresses outlets by full and short child id; emeter per outlet in milli-units', async () => {
    const s = await sim({ model: 'HS300' });
    const ids = s.device.childIds;
    s.device.setVoltage(120);
    s.device.setLoad(50, 2);
    s.device.setLoad(20, 3);
    const c = await connect(s.port);
    let r = await c.query({ context: { child_ids: [ids[2]] }, system: { set_relay_state: { state: 1 } } });
    assert.deepStrictEqual(r, { system: { set_relay_state: { err_code: 0 } } });
    await c.query({ context: { child_ids: ['03'] }, system: { set_relay_state: { state: 1 }, set_dev_alias: { alias: 'Kettle' } } });
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((i) => s.device.relay(i)), [false, false, true, true, false, false]);
    assert.strictEqual(s.device.alias(3), 'Kettle');
    const si = (await c.query(SYSINFO)).system.get_sysinfo;
    assert.deepStrictEqual(si.children.map((x) => x.state), [0, 0, 1, 1, 0, 0]);
    assert.strictEqual(si.children[3].alias, 'Kettle');
    assert.notStrictEqual(si.alias, 'Kettle');
    const e2 = (await c.query({ context: { child_ids: [ids[2]] }, emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.strictEqual(e2.power_mw, 50000);
    assert.strictEqual(e2.voltage_mv, 120000);
    const e3 = (await c.query({ context: { child_ids: ['03'] }, emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.strictEqual(e3.power_mw, 20000);
    const e0 = (await c.query({ context: { child_ids: ['00'] }, emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.strictEqual(e0.power_mw, 0);
    const all = (await c.query({ emeter: { get_realtime: {} } })).emeter.get_realtime;
    assert.strictEqual(all.power_mw, 70000);
    const { year, month } = prevMonth();
    const days = (await c.query({ context: { child_ids: ['04'] }, emeter: { get_daystat: { year, month } } })).emeter.get_daystat.day_list;
    assert.ok(days.length > 27 && 'energy_wh' in days[0]);
  });

  it('answers -14 for an unknown child id and switches every outlet without context', async () => {
    const s = await sim({ model: 'HS300' });
    const r = await query(s.port, { context: { child_ids: ['09'] }, system: { set_relay_state: { state: 1 } }, emeter: { get_realtime: {} } });
    assert.deepStrictEqual(r, {
      system: { set_relay_state: { err_code: -14, err_msg: 'entry not exist' } },
      emeter: { get_realtime: { err_code: -14, err_msg: 'entry not exist' } },
    });
    assert.strictEqual(s.device.relay(), false);
    await query(s.port, { system: { set_relay_state: { state: 1 } } });
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((i) => s.device.relay(i)), Array(6).fill(true));
  });

  it('keeps schedule and countdown rules per outlet', () => {
    const d = new SimulatedDevice({ model: 'HS300' });
    const ctx = (i) => ({ child_ids: [d.childId(i)] });
    const id = d.handle({ context: ctx(1), count_down: { add_rule: { enable: 1, delay: 30, act: 1, name: 'one' } } }).count_down.add_rule.id;
    assert.match(id, ID_RE);
    const other = d.handle({ context: ctx(4), count_down: { add_rule: { enable: 1, delay: 60, act: 1, name: 'four' } } }).count_down.add_rule;
    assert.strictEqual(other.err_code, 0, 'each outlet has its own countdown table');
    d.handle({ context: ctx(5), schedule: { add_rule: { sact: 1, smin: 100, wday: [1, 1, 1, 1, 1, 1, 1] } } });
    assert.strictEqual(d.rules('schedule', 5).length, 1);
    assert.strictEqual(d.rules('schedule', 0).length, 0);
    assert.strictEqual(d.rules('schedule').length, 0);
    d.advanceTime(31_000);
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((i) => d.relay(i)), [false, true, false, false, false, false]);
    d.advanceTime(30_000);
    assert.strictEqual(d.relay(4), true);
    assert.notStrictEqual(d.sysinfo().children[5].next_action.type, undefined);
  });
});

// ---- reply shapes --------------------------------------------------------------

describe('simulator: reply shapes and errors', () => {
  it('answers unknown modules with -1 and unknown methods with -2', async () => {
    const s = await sim({ model: 'HS110' });
    const r = await query(s.port, { smartlife: { get_x: {} }, system: { fly: {} } });
    assert.deepStrictEqual(r, {
      smartlife: { err_code: -1, err_msg: 'module not support' },
      system: { fly: { err_code: -2, err_msg: 'member not support' } },
    });
    const weird = new SimulatedDevice({ model: 'HS100' }).handle({ __proto__x: {}, system: { constructor: {} } });
    assert.strictEqual(weird.system.constructor.err_code, -2);
  });

  it('mirrors several modules and methods in one request', async () => {
    const s = await sim({ model: 'HS110' });
    const r = await query(s.port, {
      system: { get_sysinfo: null, set_led_off: { off: 1 } },
      time: { get_time: null, get_timezone: {} },
      emeter: { get_realtime: {} },
      schedule: { get_rules: null },
      cnCloud: { get_info: null },
    });
    assert.deepStrictEqual(Object.keys(r), ['system', 'time', 'emeter', 'schedule', 'cnCloud']);
    assert.deepStrictEqual(Object.keys(r.system), ['get_sysinfo', 'set_led_off']);
    assert.deepStrictEqual(Object.keys(r.time), ['get_time', 'get_timezone']);
    for (const mod of Object.values(r)) for (const res of Object.values(mod)) assert.strictEqual(res.err_code, 0);
    assert.strictEqual(s.device.ledOff, 1);
  });
});

// ---- transport -----------------------------------------------------------------

describe('simulator: TCP and UDP transport', () => {
  it('keeps the connection open for several requests by default', async () => {
    const s = await sim({ model: 'HS100' });
    const c = await connect(s.port);
    for (let i = 0; i < 3; i++) assert.strictEqual((await c.query(SYSINFO)).system.get_sysinfo.err_code, 0);
    assert.strictEqual(s.connectionsOpened, 1);
    assert.strictEqual(await c.closedWithin(50), false);
  });

  it('closes after each reply with closeAfterReply', async () => {
    const s = await sim({ model: 'HS100', closeAfterReply: true });
    const c = await connect(s.port);
    assert.strictEqual((await c.query(SYSINFO)).system.get_sysinfo.err_code, 0);
    assert.strictEqual(await c.closedWithin(500), true);
  });

  it('answers pipelined requests in order and a request split into 1-byte chunks', async () => {
    const s = await sim({ model: 'HS110' });
    const c = await connect(s.port);
    const reqs = [{ system: { set_dev_alias: { alias: 'one' } } }, SYSINFO, { system: { set_dev_alias: { alias: 'two' } } }, SYSINFO];
    c.socket.write(Buffer.concat(reqs.map((r) => encryptWithHeader(JSON.stringify(r)))));
    const replies = [];
    for (let i = 0; i < reqs.length; i++) replies.push(await c.next());
    assert.strictEqual(replies[1].system.get_sysinfo.alias, 'one');
    assert.strictEqual(replies[3].system.get_sysinfo.alias, 'two');
    const bytes = encryptWithHeader(JSON.stringify({ system: { set_relay_state: { state: 1 } } }));
    for (const b of bytes) { c.socket.write(Buffer.from([b])); await new Promise(setImmediate); }
    assert.deepStrictEqual(await c.next(), { system: { set_relay_state: { err_code: 0 } } });
    assert.strictEqual(s.device.relay(), true);
  });

  it('answers nothing to a non-JSON request and closes', async () => {
    const s = await sim({ model: 'HS100' });
    const c = await connect(s.port);
    c.send('hello, not json');
    assert.strictEqual(await c.closedWithin(500), true);
    assert.strictEqual(c.bytes().length, 0);
    const d = await connect(s.port);
    d.send('[1,2]');
    assert.strictEqual(await d.closedWithin(500), true);
    assert.strictEqual(d.bytes().length, 0);
  });

  it('answers UDP with one datagram, no length header', async () => {
    const s = await sim({ model: 'HS110', alias: 'udp plug' });
    const answers = await udpAsk(s.port, SYSINFO, 150);
    assert.strictEqual(answers.length, 1);
    assert.strictEqual(answers[0].port, s.port);
    const r = JSON.parse(decrypt(answers[0].msg));
    assert.strictEqual(r.system.get_sysinfo.alias, 'udp plug');
    const none = await udpAsk(s.port, 'not json', 80);
    assert.strictEqual(none.length, 0);
  });

  it('runs without UDP when asked', async () => {
    const s = await sim({ model: 'HS110', udp: false });
    assert.strictEqual((await query(s.port, SYSINFO)).system.get_sysinfo.err_code, 0);
    assert.strictEqual((await udpAsk(s.port, SYSINFO, 80)).length, 0);
  });

  it('logs every request and counts connections', async () => {
    const s = await sim({ model: 'HS100' });
    assert.deepStrictEqual(s.requests, []);
    const conns = await Promise.all([connect(s.port), connect(s.port), connect(s.port)]);
    await Promise.all(conns.map((c) => c.query(SYSINFO)));
    await udpAsk(s.port, { system: { get_sysinfo: null } }, 60);
    assert.strictEqual(s.requests.length, 4);
    assert.deepStrictEqual(s.requests[0], SYSINFO);
    assert.deepStrictEqual(s.requests[3], { system: { get_sysinfo: null } });
    assert.strictEqual(s.connectionsOpened, 3);
    assert.strictEqual(s.activeConnections, 3);
    assert.strictEqual(s.peakConnections, 3);
    for (const c of conns) c.socket.destroy();
    await Promise.all(conns.map((c) => c.closed));
    await sleep(20);
    assert.strictEqual(s.activeConnections, 0);
    assert.strictEqual(s.peakConnections, 3);
  });

  it('keeps only the newest requestLogLimit requests', async () => {
    const s = await sim({ model: 'HS100', requestLogLimit: 2 });
    const c = await connect(s.port);
    for (const alias of ['a', 'b', 'c']) await c.query({ system: { set_dev_alias: { alias } } });
    assert.deepStrictEqual(s.requests.map((r) => r.system.set_dev_alias.alias), ['b', 'c']);
  });

  it('stops (closing open sockets) and restarts on the same port with the same state', async () => {
    const s = await sim({ model: 'HS110' });
    const port = s.port;
    await query(port, { system: { set_dev_alias: { alias: 'kept' }, set_relay_state: { state: 1 } } });
    const c = await connect(port);
    await s.stop();
    assert.strictEqual(await c.closedWithin(500), true);
    await assert.rejects(connect(port), (e) => e.code === 'ECONNREFUSED');
    assert.strictEqual(s.listening, false);
    await s.restart();
    assert.strictEqual(s.port, port);
    const si = (await query(port, SYSINFO)).system.get_sysinfo;
    assert.strictEqual(si.alias, 'kept');
    assert.strictEqual(si.relay_state, 1);
    await s.stop();
    await s.listen();
    assert.strictEqual((await udpAsk(port, SYSINFO, 80)).length, 1);
  });

  it('refuses a non-loopback host unless allowLan', async () => {
    await assert.rejects(PlugSimulator.start({ model: 'HS100', host: '0.0.0.0' }), /non-loopback/);
    assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && !isLoopback('192.168.1.2'));
  });
});

// ---- faults --------------------------------------------------------------------

describe('simulator: faults on the wire', () => {
  let s;
  beforeEach(async () => { s = await sim({ model: 'HS110' }); });

  it('delay: replies late', async () => {
    s.setFault({ type: 'delay', ms: 120 });
    const c = await connect(s.port);
    const t0 = Date.now();
    await c.query(SYSINFO);
    assert.ok(Date.now() - t0 >= 110);
  });

  it('stall: never replies, keeps the socket open', async () => {
    s.setFault('stall');
    const c = await connect(s.port);
    c.send({ system: { set_relay_state: { state: 1 } } });
    assert.strictEqual(await c.closedWithin(150), false);
    assert.strictEqual(c.bytes().length, 0);
    assert.strictEqual(s.device.relay(), true, 'the request was still carried out');
  });

  it('reset-mid-header: 2 header bytes, then RST', async () => {
    s.setFault('reset-mid-header');
    const c = await connect(s.port);
    c.send(SYSINFO);
    assert.strictEqual(await c.closedWithin(1000), true);
    assert.strictEqual(c.bytes().length, 2);
    assert.strictEqual(c.error && c.error.code, 'ECONNRESET');
  });

  it('reset-mid-body: header and part of the body, then RST', async () => {
    s.setFault('reset-mid-body');
    const c = await connect(s.port);
    c.send(SYSINFO);
    assert.strictEqual(await c.closedWithin(1000), true);
    const b = c.bytes();
    assert.ok(b.length > 4 && b.length < 4 + b.readUInt32BE(0), `got ${b.length} bytes`);
    assert.strictEqual(c.error && c.error.code, 'ECONNRESET');
  });

  it('huge-length: header claims 2 GiB, a few bytes follow', async () => {
    s.setFault('huge-length');
    const c = await connect(s.port);
    c.send(SYSINFO);
    await sleep(80);
    const b = c.bytes();
    assert.strictEqual(b.readUInt32BE(0), 0x80000000);
    assert.ok(b.length > 4 && b.length <= 16);
    assert.strictEqual(await c.closedWithin(10), false);
  });

  it('lying-length: header claims more than is sent, then closes', async () => {
    s.setFault({ type: 'lying-length', extra: 100 });
    const c = await connect(s.port);
    c.send(SYSINFO);
    assert.strictEqual(await c.closedWithin(1000), true);
    const b = c.bytes();
    assert.strictEqual(b.readUInt32BE(0), b.length - 4 + 100);
  });

  it('garbage: a valid frame that does not decrypt to JSON', async () => {
    s.setFault('garbage');
    const c = await connect(s.port);
    c.send(SYSINFO);
    const text = await c.nextText();
    assert.throws(() => JSON.parse(text));
  });

  it('non-json and wrong-shape: well-framed replies a client must reject', async () => {
    const c = await connect(s.port);
    s.setFault({ type: 'non-json', text: 'oops' });
    c.send(SYSINFO);
    assert.strictEqual(await c.nextText(), 'oops');
    s.setFault({ type: 'wrong-shape', body: [1, 2] });
    assert.deepStrictEqual(await c.query(SYSINFO), [1, 2]);
    s.setFault('wrong-shape');
    assert.deepStrictEqual(await c.query(SYSINFO), { foo: 1 });
  });

  it('err-code: every method answers the code, state untouched', async () => {
    s.setFault({ type: 'err-code', code: -14 });
    const r = await query(s.port, { system: { set_relay_state: { state: 1 }, get_sysinfo: {} } });
    assert.deepStrictEqual(r, { system: { set_relay_state: { err_code: -14, err_msg: 'entry not exist' }, get_sysinfo: { err_code: -14, err_msg: 'entry not exist' } } });
    assert.strictEqual(s.device.relay(), false);
    s.setFault({ type: 'err-code', code: -1 });
    assert.strictEqual((await query(s.port, SYSINFO)).system.get_sysinfo.err_msg, 'module not support');
  });

  it('close-after-reply, and times: n heals after n requests', async () => {
    s.setFault({ type: 'close-after-reply', times: 1 });
    const c = await connect(s.port);
    await c.query(SYSINFO);
    assert.strictEqual(await c.closedWithin(500), true);
    const d = await connect(s.port);
    await d.query(SYSINFO);
    await d.query(SYSINFO);
    assert.strictEqual(await d.closedWithin(30), false);
    assert.strictEqual(s.fault, null);
    s.setFault({ type: 'err-code', code: -2, times: 2 });
    assert.strictEqual((await d.query(SYSINFO)).system.get_sysinfo.err_code, -2);
    assert.strictEqual((await d.query(SYSINFO)).system.get_sysinfo.err_code, -2);
    assert.strictEqual((await d.query(SYSINFO)).system.get_sysinfo.err_code, 0);
  });

  it('applies payload faults to UDP too', async () => {
    s.setFault({ type: 'err-code', code: -1, times: 1 });
    let a = await udpAsk(s.port, SYSINFO, 80);
    assert.strictEqual(JSON.parse(decrypt(a[0].msg)).system.get_sysinfo.err_code, -1);
    s.setFault('stall');
    a = await udpAsk(s.port, SYSINFO, 80);
    assert.strictEqual(a.length, 0);
    s.setFault(null);
    a = await udpAsk(s.port, SYSINFO, 80);
    assert.strictEqual(a.length, 1);
  });

  it('rejects unknown fault types', () => {
    assert.throws(() => s.setFault('explode'), /unknown fault/);
    assert.throws(() => s.setFault({ type: 'delay' }), /ms/);
  });
});

// ---- network -------------------------------------------------------------------

describe('simulator: discovery network', () => {
  let network;
  afterEach(async () => { if (network) await network.stop(); network = null; });

  it('answers one probe from 3 plugs, a garbage device and a bulb, each from its own port', async () => {
    network = await SimulatorNetwork.start({
      host: HOST,
      discoveryPort: 0,
      devices: [{ model: 'HS100', alias: 'a' }, { model: 'HS110v2', alias: 'b' }, { model: 'HS300', alias: 'c' }],
      extras: ['garbage', 'bulb'],
    });
    assert.ok(network.discoveryPort > 0);
    assert.strictEqual(network.members.length, 3);
    const answers = await udpAsk(network.discoveryPort, SYSINFO, 250);
    assert.strictEqual(answers.length, 5);
    const ports = answers.map((a) => a.port);
    assert.strictEqual(new Set(ports).size, 5);
    assert.ok(!ports.includes(network.discoveryPort));
    const plugs = [];
    let bulbs = 0;
    let junk = 0;
    for (const a of answers) {
      assert.strictEqual(a.address, HOST);
      let obj;
      try { obj = JSON.parse(decrypt(a.msg)); } catch { junk++; continue; }
      const si = obj.system.get_sysinfo;
      if (si.mic_type === 'IOT.SMARTBULB') { bulbs++; continue; }
      plugs.push({ alias: si.alias, port: a.port });
    }
    assert.strictEqual(junk, 1);
    assert.strictEqual(bulbs, 1);
    assert.deepStrictEqual(plugs.map((p) => p.alias).sort(), ['a', 'b', 'c']);
    for (const p of plugs) assert.strictEqual(network.members.find((m) => m.device.alias() === p.alias).port, p.port);
    // Each member is also a full TCP device on its own port.
    assert.strictEqual((await query(network.members[2].port, SYSINFO)).system.get_sysinfo.child_num, 6);
    await network.members[0].stop();
    assert.strictEqual((await udpAsk(network.discoveryPort, SYSINFO, 150)).length, 4, 'a stopped member stays silent');
  });

  it('shares a member\'s port when the discovery port is that member\'s (a plug on 9999)', async () => {
    const probe = await sim({ model: 'HS100' });
    const port = probe.port;
    await probe.stop();
    network = await SimulatorNetwork.start({ host: HOST, discoveryPort: port, devices: [{ model: 'HS110', port, alias: 'owner' }, { model: 'HS105', alias: 'other' }] });
    assert.strictEqual(network.discoveryPort, port);
    const answers = await udpAsk(port, SYSINFO, 150);
    const byAlias = Object.fromEntries(answers.map((a) => [JSON.parse(decrypt(a.msg)).system.get_sysinfo.alias, a.port]));
    assert.deepStrictEqual(byAlias, { owner: port, other: network.members[1].port });
  });
});

// ---- CLI ---------------------------------------------------------------------------

describe('simulator: CLI', () => {

  function run(args) {
    return spawnSimCli(args, open.procs);
  }

  async function lines(p, n) {
    for (let i = 0; i < 200; i++) {
      const got = p.out.split('\n').filter(Boolean);
      if (got.length >= n) return got;
      if (p.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`CLI printed ${JSON.stringify(p.out)} / ${p.err}`);
  }

  it('starts several devices, serves them, and stops on SIGINT', async () => {
    const p = run(['--model', 'hs110', '--model', 'hs300', '--alias', 'Desk', '--port', '0', '--discovery-port', '0']);
    const out = await lines(p, 3);
    assert.match(out[0], /^HS110 "Desk" tcp 127\.0\.0\.1:\d+ udp 127\.0\.0\.1:\d+$/);
    assert.match(out[1], /^HS300 "TP-LINK_Power Strip_[0-9A-F]{4}" tcp 127\.0\.0\.1:\d+/);
    const port = Number(/tcp 127\.0\.0\.1:(\d+)/.exec(out[1])[1]);
    const discovery = Number(/^discovery udp 127\.0\.0\.1:(\d+)$/.exec(out[2])[1]);
    assert.strictEqual((await query(port, SYSINFO)).system.get_sysinfo.child_num, 6);
    assert.strictEqual((await udpAsk(discovery, SYSINFO, 150)).length, 2);
    p.kill('SIGINT');
    assert.deepStrictEqual(await p.exited, { code: 0, signal: null });
  });

  it('uses consecutive ports, and refuses a non-loopback host without --allow-lan', async () => {
    const base = await freePortPair();
    const p = run(['--model', 'hs100', '--model', 'hs105', '--port', String(base), '--json', '--close-after-reply']);
    const out = (await lines(p, 2)).map((l) => JSON.parse(l));
    assert.deepStrictEqual(out.map((o) => o.model), ['HS100', 'HS105']);
    assert.strictEqual(out[0].tcp, base);
    assert.strictEqual(out[1].tcp, base + 1);
    const c = await connect(base + 1);
    assert.strictEqual((await c.query(SYSINFO)).system.get_sysinfo.model, 'HS105(US)');
    assert.strictEqual(await c.closedWithin(500), true);
    p.kill('SIGTERM');
    assert.strictEqual((await p.exited).code, 0);
    const bad = run(['--host', '192.168.1.10', '--port', '0']);
    assert.strictEqual((await bad.exited).code, 2);
    assert.match(bad.err, /non-loopback/);
  });
});
