'use strict';
// The tplink-smartplug bin with --protocol smart, spawned as a user would run it,
// against SmartPlugSimulator (P110, P300 over KLAP v2) on 127.0.0.1: the device
// model's payloads, raw SMART requests with their guard, Kasa-only commands
// refused naming the device, strip outlets, and the account never printed.
const assert = require('assert');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');
const { EXIT } = require('../nodes/cli/exit-codes');
const { runCli, assertFails } = require('./support/cli-bin');

const HOST = '127.0.0.1';
const USER = 'Owner@Example.com';
const PASS = 'Tapo Pass Case Sensitive';

// A Tapo handshake is slower than the legacy exchange: a longer limit.
const cli = (args, { env = {} } = {}) => runCli(args, { env, timeout: 15000 });

/** Every method the device ran, batches and control_child opened up. */
function methodsRun(sim) {
  const out = [];
  const walk = (r) => {
    if (!r || typeof r.method !== 'string') return;
    out.push(r.method);
    if (r.method === 'multipleRequest') for (const x of r.params.requests) walk(x);
    if (r.method === 'control_child') walk(r.params.requestData);
  };
  sim.requests.forEach(walk);
  return out;
}

const noSecret = (r) => {
  for (const s of [PASS, USER]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'account printed');
};

describe('tplink-smartplug CLI --protocol smart', function () {
  this.timeout(30000);
  let sim;
  const to = (...args) => cli(['-t', HOST, '-p', String(sim.port), '--protocol', 'smart', '--username', USER, '--password', PASS, ...args]);
  afterEach(async () => {
    if (sim) await sim.stop();
    sim = null;
  });

  describe('a P110', () => {
    beforeEach(async () => {
      sim = await SmartPlugSimulator.start({ model: 'p110', host: HOST, username: USER, password: PASS, discoveryPort: null, nickname: 'Kettle' });
    });

    it('on / off switch the relay and print tplink-relay\'s payload (the state)', async () => {
      let r = await to('-c', 'on');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout), true);
      assert.strictEqual(sim.device.main.on, true);
      noSecret(r);
      r = await to('-c', 'off');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout), false);
      assert.strictEqual(sim.device.main.on, false);
    });

    it('info prints the device model\'s info (the account from TPLINK_USERNAME / TPLINK_PASSWORD)', async () => {
      const r = await cli(['-t', HOST, '-p', String(sim.port), '--protocol', 'smart', '-c', 'info'], { env: { TPLINK_USERNAME: USER, TPLINK_PASSWORD: PASS } });
      assert.strictEqual(r.code, 0, r.stderr);
      const info = JSON.parse(r.stdout);
      assert.strictEqual(info.dialect, 'smart');
      assert.strictEqual(info.model, 'P110');
      assert.strictEqual(info.alias, 'Kettle');
      assert.strictEqual(info.deviceId, sim.device.deviceId);
      assert.deepStrictEqual(info.outlets, []);
      noSecret(r);
    });

    it('energy (and its alias realtime) print tplink-emeter\'s reading', async () => {
      await to('-c', 'on');
      for (const name of ['energy', 'realtime']) {
        const r = await to('-c', name);
        assert.strictEqual(r.code, 0, r.stderr);
        const reading = JSON.parse(r.stdout);
        assert.strictEqual(typeof reading.power, 'number');
        assert.ok(reading.power > 0, r.stdout);
      }
    });

    it('led-off, alias and reboot go through the model', async () => {
      let r = await to('-c', 'led-off');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { led: false });
      assert.strictEqual(sim.device.ledRule, 'never');
      r = await to('-c', 'alias=Tea maker');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { alias: 'Tea maker' });
      assert.strictEqual(sim.device.main.nickname, 'Tea maker');
      r = await to('-c', 'reboot=3');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { delay: 3 });
      assert.strictEqual(sim.device.reboots, 1);
    });

    it('countdown and schedule print tplink-countdown\'s and tplink-schedule\'s rule lists', async () => {
      let r = await to('-j', '{"method":"add_countdown_rule","params":{"enable":true,"delay":600,"desired_states":{"on":true}}}');
      assert.strictEqual(r.code, 0, r.stderr);
      r = await to('-c', 'countdown');
      assert.strictEqual(r.code, 0, r.stderr);
      const rules = JSON.parse(r.stdout);
      assert.strictEqual(rules.length, 1);
      assert.strictEqual(rules[0].delay, 600);
      r = await to('-c', 'schedule');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), []);
    });

    it('a Kasa-only command: not-allowed status naming the device (P110, SMART); nothing but reads sent', async () => {
      let r = await to('-c', 'time');
      assertFails(r, EXIT.notAllowed, /not available on this device \(P110, SMART\)/);
      r = await to('-c', 'icon');
      assertFails(r, EXIT.notAllowed, /the "icon" command is not available on this device \(P110, SMART\)/);
      r = await to('-c', 'reset', '--allow-destructive');
      assertFails(r, EXIT.notAllowed, /"reset" command is not available on this device \(P110, SMART\)/);
      r = await to('-c', 'daystat=2026-01');
      assertFails(r, EXIT.notAllowed, /daily energy statistics is not available on this device \(P110, SMART\)/);
      const ran = methodsRun(sim);
      assert.ok(ran.length > 0, 'the model was asked');
      for (const m of ran) assert.match(m, /^(get_device_info|component_nego|multipleRequest)$/, `sent ${m}`);
    });

    it('-j sends a SMART request, or an array of them as one batch, and prints the reply', async () => {
      let r = await to('-j', '{"method":"get_device_info"}');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout).result.model, 'P110');
      r = await to('-j', JSON.stringify([{ method: 'set_device_info', params: { device_on: true } }, { method: 'get_device_info' }]));
      assert.strictEqual(r.code, 0, r.stderr);
      const responses = JSON.parse(r.stdout).result.responses;
      assert.deepStrictEqual(responses.map((x) => x.method), ['set_device_info', 'get_device_info']);
      assert.strictEqual(sim.device.main.on, true);
      assert.deepStrictEqual(sim.requests[sim.requests.length - 1].method, 'multipleRequest');
    });

    it('-j a method the device does not know: device status, the reply printed', async () => {
      const r = await to('-j', '{"method":"get_frobnicator"}');
      assertFails(r, EXIT.device, /get_frobnicator: -1002/);
      assert.strictEqual(JSON.parse(r.stdout).error_code, -1002);
    });

    it('-j device-changing SMART methods need --allow-destructive (tplink-raw\'s guard); nothing sent', async () => {
      assertFails(await to('-j', '{"method":"device_reset"}'), EXIT.notAllowed, /refusing to send device_reset.*--allow-destructive/);
      assertFails(await to('-j', JSON.stringify([{ method: 'get_device_info' }, { method: 'set_qs_info', params: {} }])), EXIT.notAllowed, /set_qs_info/);
      assertFails(await to('-j', '{"method":"unbind_cloud_account"}'), EXIT.notAllowed, /unbind_cloud_account/);
      assert.strictEqual(sim.klap.counts.handshake1, 0, 'nothing sent');
    });

    it('-j that is not a SMART request: exit 3 naming the field; nothing sent', async () => {
      assertFails(await to('-j', '{"system":{"get_sysinfo":{}}}'), EXIT.badJson, /-j\.system: expected only "method" and "params"/);
      assertFails(await to('-j', '[]'), EXIT.badJson, /invalid -j: expected an array of 1 to 16/);
      assertFails(await to('-j', '{"method":"control_child"}'), EXIT.badJson, /-j\.method/);
      assertFails(await to('-j', '{"method":"get_device_info","params":{"__proto__":{"x":1}}}'), EXIT.badJson, /__proto__/);
      assertFails(await to('-j', '{"method":'), EXIT.badJson, /-j is not valid JSON/);
      assert.strictEqual(sim.klap.counts.handshake1, 0, 'nothing sent');
    });

    it('usage errors: --outlet with a whole-device command, --udp, unknown names; nothing sent, no password echoed', async () => {
      assertFails(await to('-c', 'info', '--outlet', '1'), EXIT.usage, /"info" is for the whole device; --outlet goes with on, off/);
      assertFails(await to('-c', 'on', '--udp'), EXIT.usage, /--udp is for --protocol legacy/);
      assertFails(await to('-c', 'dance'), EXIT.usage, /unknown command "dance"/);
      assertFails(await to('-c', 'reboot=soon'), EXIT.usage, /whole seconds/);
      const r = await to('-c', 'alias');
      assertFails(r, EXIT.usage, /needs a value/);
      noSecret(r);
      assert.strictEqual(sim.klap.counts.handshake1, 0, 'nothing sent');
    });

    it('--outlet on a single plug: invalid-input status, nothing switched', async () => {
      assertFails(await to('-c', 'on', '--outlet', '1'), EXIT.usage, /not a multi-outlet strip/);
      assert.strictEqual(sim.device.main.on, false);
    });

    it('a stalled device: timeout status, no hint to try another protocol', async () => {
      sim.setFault('stall');
      const r = await to('-c', 'info', '--timeout', '300');
      assertFails(r, EXIT.timeout, /within 300 ms/);
      assert.doesNotMatch(r.stderr, /--protocol klap/);
    });

    it('a wrong password: exit status auth, the password never printed', async () => {
      const wrong = 'tapo pass case sensitive';
      const r = await cli(['-t', HOST, '-p', String(sim.port), '--protocol', 'smart', '--username', USER, '--password', wrong, '-c', 'on']);
      assertFails(r, EXIT.auth, /wrong e-mail or password/);
      assert.ok(!r.stdout.includes(wrong) && !r.stderr.includes(wrong));
      assert.strictEqual(sim.device.main.on, false);
    });
  });

  describe('a P300 strip', () => {
    beforeEach(async () => {
      sim = await SmartPlugSimulator.start({ model: 'p300', host: HOST, username: USER, password: PASS, discoveryPort: null });
    });
    const states = () => sim.device.children.map((c) => c.on);

    it('--outlet by index and by child id switches that outlet only', async () => {
      let r = await to('-c', 'on', '--outlet', '1');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout), true);
      assert.deepStrictEqual(states(), [false, true, false]);
      r = await to('-c', 'on', '--outlet', sim.device.children[2].deviceId.toLowerCase());
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(states(), [false, true, true]);
      r = await to('-c', 'off', '--outlet', '1');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(states(), [false, false, true]);
    });

    it('info lists the outlets; a missing outlet is refused naming the range', async () => {
      const r = await to('-c', 'info');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout).outlets.map((o) => o.index), [0, 1, 2]);
      assertFails(await to('-c', 'on', '--outlet', '7'), EXIT.usage, /invalid outlet: expected an outlet index from 0 to 2/);
      assert.deepStrictEqual(states(), [false, false, false]);
    });

    it('-j with --outlet goes to that outlet (control_child)', async () => {
      const r = await to('-j', '{"method":"set_device_info","params":{"device_on":true}}', '--outlet', '0');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(states(), [true, false, false]);
      const last = sim.requests[sim.requests.length - 1];
      assert.strictEqual(last.method, 'control_child');
      assert.strictEqual(last.params.device_id, sim.device.children[0].deviceId);
    });
  });

  it('--help names the smart protocol and its request shape', async () => {
    const r = await cli(['--help']);
    assert.strictEqual(r.code, 0);
    for (const s of ['auto|legacy|klap|smart', 'Tapo', '{"method":']) assert.ok(r.stdout.includes(s), s);
  });
});
