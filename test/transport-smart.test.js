'use strict';
// The 'smart' transport: KLAP v2 first, AES when /app/handshake1 is 404 (older
// firmware), back to KLAP on AES's 1003 (the firmware moved), remembered; TPAP
// firmware (403 on handshake1) gets the Third-Party Compatibility diagnosis at
// once, not a timeout. Real simulators on 127.0.0.1.
const assert = require('assert');
const { createTransport, transportNames } = require('../nodes/core/transport/factory');
const { DeviceClient } = require('../nodes/core/client');
const { AuthError } = require('../nodes/core/errors');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');

const USER = 'owner@example.com';
const PASS = 'pw-1';
const opts = (port) => ({ host: '127.0.0.1', port, connectTimeout: 2000, maxReplyBytes: 1 << 20, credentials: { username: USER, password: PASS } });
const INFO = JSON.stringify({ method: 'get_device_info' });

describe("transport 'smart' (KLAP v2, else AES)", function () {
  let sim;
  let t;
  afterEach(async () => { t?.close(); if (sim) await sim.stop(); sim = null; t = null; });

  it("'aes' and 'smart' are in the factory", () => {
    assert.ok(transportNames().includes('aes'));
    assert.ok(transportNames().includes('smart'));
  });

  it('KLAP firmware: answered over KLAP, no switch', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    t = createTransport('smart', opts(sim.port));
    const r = JSON.parse(await t.send(INFO, 2000));
    assert.strictEqual(r.result.model, 'P110');
    assert.strictEqual(t.using, 'klap');
    assert.strictEqual(t.switches, 0);
  });

  it('AES firmware (handshake1 is 404): switches to AES, and stays there', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p100', username: USER, password: PASS, discoveryPort: null });
    t = createTransport('smart', opts(sim.port));
    assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).result.model, 'P100');
    assert.strictEqual(t.using, 'aes');
    assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).result.model, 'P100');
    assert.strictEqual(t.switches, 1, 'remembered: the second request goes straight to AES');
    assert.strictEqual(sim.device.requests.length, 2);
  });

  it('AES answering 1003 (firmware moved to KLAP): switched to KLAP, the request applied once', async () => {
    // The device's model behind a KLAP server; the client starts on AES as after an earlier 404.
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    const aesSim = await SmartPlugSimulator.start({ model: 'p110', transport: 'aes', username: USER, password: PASS, discoveryPort: null });
    aesSim.setFault({ type: 'aes', fault: { type: 'klap-only' } });
    const { SmartTransport } = require('../nodes/core/transport/smart');
    // AES on aesSim's port answers 1003; KLAP is then built for the same options: point both at one port by a tiny make().
    const made = [];
    t = new SmartTransport(opts(0), (name, o) => {
      made.push(name);
      return createTransport(name, { ...o, port: name === 'aes' ? aesSim.port : sim.port });
    }, 'aes');
    sim.device.setOn(sim.device.main, false);
    const set = JSON.stringify({ method: 'set_device_info', params: { device_on: true } });
    assert.strictEqual(JSON.parse(await t.send(set, 2000)).error_code, 0);
    assert.deepStrictEqual(made, ['aes', 'klap']);
    assert.strictEqual(t.using, 'klap');
    assert.strictEqual(sim.device.main.on, true);
    assert.strictEqual(aesSim.device.requests.length, 0, 'the AES side ran nothing');
    assert.strictEqual(sim.device.requests.filter((r) => r.method === 'set_device_info').length, 1);
    await aesSim.stop();
  });

  it('TPAP firmware / Third-Party Compatibility off (403 on handshake1): the diagnosis, at once', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    sim.setFault('forbid-handshake');
    const c = new DeviceClient({ host: '127.0.0.1', port: sim.port, transport: 'smart', timeout: 5000, credentials: { username: USER, password: PASS } });
    try {
      const err = await c.send({ method: 'get_device_info' }).then(() => null, (e) => e);
      assert.ok(err instanceof AuthError, String(err));
      assert.strictEqual(err.kind, 'auth');
      assert.strictEqual(err.reason, 'third-party-off');
      assert.match(err.message, /Third-Party Compatibility/);
      assert.doesNotMatch(err.message, /timeout|within/);
      assert.strictEqual(sim.device.requests.length, 0);
    } finally {
      await c.close();
    }
  });

  it('a wrong account: AuthError naming no credential', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: 'another', discoveryPort: null });
    t = createTransport('smart', opts(sim.port));
    const err = await t.send(INFO, 2000).then(() => null, (e) => e);
    assert.ok(err instanceof AuthError);
    assert.strictEqual(err.reason, 'credentials');
    assert.ok(!err.message.includes(PASS) && !err.message.includes(USER));
  });

  it('AES login refused: the same AuthError class as KLAP (SmartAuthError unified)', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p100', username: USER, password: 'another', discoveryPort: null });
    t = createTransport('smart', opts(sim.port));
    const err = await t.send(INFO, 2000).then(() => null, (e) => e);
    assert.ok(err instanceof AuthError, String(err));
    assert.strictEqual(err.kind, 'auth');
    assert.ok(!err.message.includes(PASS));
  });
});
