'use strict';
// Interop: tp-link-tapo-connect (npm, not ours) as the client of our SMART
// simulators over KLAP v2 on 127.0.0.1: a P110 (switch, info, energy) and a
// P300 strip (outlets through control_child). Run in a child process so its
// module state and timers stay out of mocha's; the simulator lives here.
const assert = require('assert');
const path = require('path');
const { runJsonClient } = require('./support/json-client');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');

const CLIENT = path.join(__dirname, 'interop', 'tapo-klap-client.js');
const USER = 'tapo.user@example.com';
const PASS = 'Tapo-Pass-1';

function runClient(port, mode) {
  return runJsonClient([CLIENT, `127.0.0.1:${port}`, mode], { TAPO_TEST_USER: USER, TAPO_TEST_PASS: PASS });
}

describe('interop: tp-link-tapo-connect drives our SMART simulators over KLAP', function () {
  this.timeout(30_000);
  let sim;
  afterEach(async () => { if (sim) await sim.stop(); sim = null; });

  it('P110: on, off, device info (nickname decoded), energy usage', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, nickname: 'Desk lamp', discoveryPort: null });
    const { code, result } = await runClient(sim.port, 'plug');
    assert.strictEqual(result.ok, true, result.error);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(result.info, { device_on: true, nickname: 'Desk lamp', model: 'P110', mac: sim.device.mac });
    assert.strictEqual(result.offAfter, false);
    assert.strictEqual(sim.device.main.on, false);
    assert.strictEqual(typeof result.energy.today_energy, 'number');
    assert.strictEqual(typeof result.energy.month_energy, 'number');
    assert.ok(sim.klap.counts.handshake2 >= 1, 'it went through KLAP');
    assert.ok(sim.requests.some((r) => r.method === 'get_energy_usage'));
  });

  it('P300: the strip, then one outlet on through control_child', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p300', username: USER, password: PASS, discoveryPort: null });
    for (const c of sim.device.children) sim.device.setOn(c, false);
    const { result } = await runClient(sim.port, 'strip');
    assert.strictEqual(result.ok, true, result.error);
    assert.strictEqual(result.info.model, 'P300');
    assert.deepStrictEqual(result.children.map((c) => c.position), [1, 2, 3]);
    assert.deepStrictEqual(result.children.map((c) => c.nickname), ['Outlet 1', 'Outlet 2', 'Outlet 3']);
    assert.deepStrictEqual(result.childrenAfter, [false, true, false]);
    assert.deepStrictEqual(sim.device.children.map((c) => c.on), [false, true, false]);
  });

  it('a wrong password is refused by the simulator (the proof does not match)', async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: 'other', discoveryPort: null });
    const { result } = await runClient(sim.port, 'plug');
    assert.strictEqual(result.ok, false);
    assert.strictEqual(sim.device.requests.length, 0);
  });
});
