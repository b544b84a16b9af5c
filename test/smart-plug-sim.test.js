'use strict';
// SMART plugs simulated with their real transports (P110/P300/KP125M over KLAP v2,
// P100 over AES): 20002 discovery, the sim CLI, and the misbehaviour a client must
// survive, driven through the package's own DeviceSession and device model.
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');
const { discover20002 } = require('../nodes/core/discovery-20002');
const { DeviceSession } = require('../nodes/core/device-session');
const { DeviceClient } = require('../nodes/core/client');
const { parseSmartRawRequest, smartDeviceChangingMethods } = require('../nodes/core/raw-request');

const USER = 'owner@example.com';
const PASS = 'pw-2';
const BIN = path.join(__dirname, '..', 'nodes', 'simulator', 'cli.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function session(sim, timeout = 1500) {
  const s = new DeviceSession({
    host: '127.0.0.1', port: sim.port, timeout, dialect: 'smart',
    createClient: (h, p) => new DeviceClient({ host: h, port: p, timeout, transport: 'smart', credentials: { username: USER, password: PASS } }),
  });
  s.attach({});
  return s;
}

describe('SMART plug simulator (KLAP v2 and AES, 127.0.0.1)', function () {
  const sims = [];
  const sessions = [];
  const start = async (o) => { const s = await SmartPlugSimulator.start({ username: USER, password: PASS, ...o }); sims.push(s); return s; };
  const open = (sim, t) => { const s = session(sim, t); sessions.push(s); return s; };
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });

  it('answers the 20002 probe as recorded: SMART.TAPOPLUG, KLAP lv 2 / AES, its HTTP port', async () => {
    const p110 = await start({ model: 'p110' });
    const p100 = await start({ model: 'p100' });
    for (const [sim, protocol] of [[p110, 'klap'], [p100, 'aes']]) {
      const { devices } = await discover20002({ broadcast: '127.0.0.1', port: sim.discoveryPort, timeout: 400 });
      assert.strictEqual(devices.length, 1);
      const d = devices[0];
      assert.strictEqual(d.deviceType, 'SMART.TAPOPLUG');
      assert.strictEqual(d.dialect, 'smart');
      assert.strictEqual(d.protocol, protocol);
      assert.strictEqual(d.httpPort, sim.port);
      assert.strictEqual(d.deviceId, sim.device.deviceId);
    }
  });

  it('KP125M (SMART Kasa) over KLAP v2: energy through the device model', async () => {
    const sim = await start({ model: 'kp125m', discoveryPort: null });
    sim.device.setOn(sim.device.main, true);
    const m = await open(sim).model();
    const rt = await m.realtime();
    assert.strictEqual(rt.value.power, 75);
    assert.strictEqual(rt.value.voltage, 120);
    assert.ok(sim.klap.counts.handshake2 >= 1);
  });

  it('403 after N requests: a new session, the request answered once, no error', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const s = open(sim);
    const m = await s.model();
    await m.getState();
    sim.setFault({ type: 'forbidden-after', requests: 2 });
    for (let i = 0; i < 5; i++) await m.setState(i % 2 === 0);
    assert.strictEqual(sim.device.main.on, true);
    assert.ok(sim.klap.counts.forbidden >= 1, 'the device did refuse one');
    assert.ok(sim.klap.counts.handshake1 >= 2, 'and a new session was opened');
    const sets = sim.requests.filter((r) => r.method === 'set_device_info').length;
    assert.strictEqual(sets, 5, 'every set ran exactly once');
  });

  it('AES: 9999 session timeout is a new session and one resend; 403 after N too', async () => {
    const sim = await start({ model: 'p100', discoveryPort: null });
    const m = await open(sim).model();
    await m.getState();
    sim.setFault({ type: 'aes', fault: { type: 'session-timeout', times: 1 } });
    assert.strictEqual((await m.setState(true)).value, true);
    sim.setFault({ type: 'forbidden-after', requests: 1 });
    assert.strictEqual((await m.setState(false)).value, false);
    assert.strictEqual((await m.getState()).value, false);
    assert.strictEqual(sim.requests.filter((r) => r.method === 'set_device_info').length, 2);
  });

  it('a P110 answers -1008 to params:null; the package never sends that, a raw request can', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const s = open(sim);
    const m = await s.model();
    assert.deepStrictEqual((await m.countdownRules()).value, []);
    assert.ok(sim.requests.filter((r) => r.method === 'get_countdown_rules').every((r) => r.params !== null));
    const reply = await s.request({ method: 'get_countdown_rules', params: null });
    assert.strictEqual(reply.error_code, -1008);
  });

  it('stall: a timeout error, not a hang; the next request works after the fault heals', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const m = await open(sim, 400).model();
    await m.getState();
    sim.setFault({ type: 'stall', times: 1 });
    const err = await m.setState(true).then(() => null, (e) => e);
    assert.strictEqual(err && err.kind, 'timeout');
    await sleep(50);
    assert.strictEqual(typeof (await m.getState()).value, 'boolean');
  });

  it('garbage (a reply that does not decrypt; AES random bytes): a protocol error, then recovery', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const m = await open(sim).model();
    await m.getState();
    sim.setFault({ type: 'undecryptable', times: 1 });
    const err = await m.getState().then(() => null, (e) => e);
    assert.strictEqual(err && err.kind, 'protocol');
    assert.strictEqual(typeof (await m.getState()).value, 'boolean');
    const aes = await start({ model: 'p100', discoveryPort: null });
    const a = await open(aes).model();
    await a.getState();
    aes.setFault({ type: 'aes', fault: { type: 'garbage', times: 1 } });
    const err2 = await a.getState().then(() => null, (e) => e);
    assert.strictEqual(err2 && err2.kind, 'protocol');
    assert.strictEqual(typeof (await a.getState()).value, 'boolean');
  });

  it('an IOT command on a SMART session is refused before anything is sent', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const s = open(sim);
    await assert.rejects(s.sysinfo(), (e) => e.kind === 'not-allowed' && /speaks SMART/.test(e.message));
    await assert.rejects(s.probe(), (e) => e.kind === 'not-allowed');
    await assert.rejects(s.run({ module: 'system', method: 'set_relay_state', request: { system: { set_relay_state: { state: 1 } } }, destructive: false }), (e) => e.kind === 'not-allowed');
    assert.strictEqual(sim.klap.counts.requests, 0);
  });

  it('reads asked together go as one multipleRequest round trip', async () => {
    const sim = await start({ model: 'p110', discoveryPort: null });
    const s = open(sim);
    await s.request({ method: 'get_device_info' }); // session open
    const before = sim.requests.length;
    const m = await s.model();
    const [info, caps] = await Promise.all([m.info(), m.capabilities()]);
    assert.strictEqual(info.value.model, 'P110');
    assert.ok(caps.has('energy'));
    const sent = sim.requests.slice(before).map((r) => r.method);
    assert.strictEqual(sent[0], 'multipleRequest', sent.join());
  });
});

describe('SMART bad-input corpus (nothing sent for any)', function () {
  const BAD = [
    [null, 'payload'], [42, 'payload'], ['{', 'payload'], [[], 'payload'], [{}, 'payload.method'], [{ method: '' }, 'payload.method'],
    [{ method: 'get device info' }, 'payload.method'], [{ method: 'x'.repeat(65) }, 'payload.method'], [{ method: 'get_device_info', extra: 1 }, 'payload.extra'],
    [{ method: 'get_device_info', params: [] }, 'payload.params'], [{ method: 'get_device_info', params: 'x' }, 'payload.params'],
    [{ method: 'multipleRequest', params: {} }, 'payload.method'], [{ method: 'control_child', params: {} }, 'payload.method'],
    [JSON.parse('{"method":"get_device_info","params":{"__proto__":{}}}'), 'payload.params.__proto__'],
    [{ method: 'get_device_info', params: { n: Infinity } }, 'payload.params.n'],
    [Array.from({ length: 17 }, () => ({ method: 'get_device_info' })), 'payload'],
    [{ method: 'get_device_info', params: { s: 'x'.repeat(70_000) } }, 'payload'],
  ];
  for (const [input, field] of BAD) {
    it(`${JSON.stringify(input).slice(0, 60)} is refused naming ${field}`, () => {
      assert.throws(() => parseSmartRawRequest(input, 'payload'), (e) => e.kind === 'invalid-input' && e.field === field);
    });
  }
  it('device-changing names, reads of the same families allowed', () => {
    const list = parseSmartRawRequest([{ method: 'device_reset' }, { method: 'get_cloud_info' }, { method: 'fw_download' }, { method: 'set_device_info', params: {} }], 'payload');
    assert.deepStrictEqual(smartDeviceChangingMethods(list), ['device_reset', 'fw_download']);
  });
});

describe('sim CLI: --model p110 / p300 / p100', function () {
  const procs = [];
  afterEach(() => { for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL'); });

  it('serves a P110 and a P300 over KLAP and a P100 over AES; never prints the account', async () => {
    const p = spawn(process.execPath, [BIN, '--model', 'p110', '--model', 'p300', '--model', 'p100', '--port', '0', '--json', '--username', USER, '--password', PASS], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    for (let i = 0; i < 250 && out.split('\n').length < 4; i++) await sleep(20);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(lines.map((l) => [l.model, l.transport, l.account]), [['P110', 'klap', 'account set'], ['P300', 'klap', 'account set'], ['P100', 'aes', 'account set']]);
    for (const l of lines) {
      const s = session({ port: l.http });
      try {
        assert.strictEqual((await (await s.model()).info()).value.model, l.model);
      } finally {
        await s.close();
      }
    }
    const exited = new Promise((r) => p.once('exit', (code) => r(code)));
    p.kill('SIGINT');
    assert.strictEqual(await exited, 0);
    assert.ok(!(out + err).includes(PASS) && !(out + err).includes(USER));
  });
});

describe("DeviceSession dialect 'auto' over KLAP: the device's answer tells IOT from SMART", function () {
  const { KlapPlugSimulator } = require('../nodes/simulator');
  const auto = (port) => new DeviceSession({
    host: '127.0.0.1', port, timeout: 1500, dialect: 'auto',
    createClient: (h, p) => new DeviceClient({ host: h, port: p, timeout: 1500, transport: 'klap', credentials: { username: USER, password: PASS } }),
  });

  it('a Tapo P110 over KLAP: smart, and the SMART model works; IOT commands refused after', async () => {
    const sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    const s = auto(sim.port);
    s.attach({});
    try {
      assert.strictEqual(s.dialect, 'auto');
      const [a, b] = await Promise.all([s.isSmart(), s.knownDialect()]);
      assert.strictEqual(a, true);
      assert.strictEqual(b, 'smart');
      assert.strictEqual(sim.klap.counts.handled, 1, 'asked once for both callers');
      assert.strictEqual((await (await s.model()).info()).value.model, 'P110');
      await assert.rejects(s.sysinfo(), (e) => e.kind === 'not-allowed');
    } finally {
      await s.close();
      await sim.stop();
    }
  });

  it('a Kasa KP115 over KLAP: iot, and the IOT model works', async () => {
    const sim = await KlapPlugSimulator.start({ model: 'kp115-klap', username: USER, password: PASS, discoveryPort: null });
    const s = auto(sim.port);
    s.attach({});
    try {
      assert.strictEqual(await s.knownDialect(), 'iot');
      assert.strictEqual((await (await s.model()).info()).value.model, 'KP115(UK)');
      assert.strictEqual((await s.sysinfo()).model, 'KP115(UK)');
    } finally {
      await s.close();
      await sim.stop();
    }
  });

  it('probe and describe of an unused auto session tell the dialect and leave no connection open', async () => {
    const sim = await SmartPlugSimulator.start({ model: 'p300', username: USER, password: PASS, discoveryPort: null });
    const s = auto(sim.port);
    try {
      const d = await s.describe();
      assert.strictEqual(d.dialect, 'smart');
      assert.strictEqual(d.outlets.length, 3);
      assert.strictEqual(s.inUse, false);
    } finally {
      await s.close();
      await sim.stop();
    }
  });
});
