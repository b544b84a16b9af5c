'use strict';
// The tplink-smartplug bin, spawned as a user would run it, against the plug
// simulator on 127.0.0.1: output, exit statuses and what reached the device.
const assert = require('assert');
const { PlugSimulator, SimulatorNetwork, KlapPlugSimulator } = require('../nodes/simulator');
const { EXIT } = require('../nodes/cli/exit-codes');
const { silentUdpPort } = require('./support/silent-udp');
const { runCli, assertFails } = require('./support/cli-bin');

const HOST = '127.0.0.1';

const cli = (args, opts = {}) => runCli(args, opts);

describe('tplink-smartplug CLI', function () {
  let sim;
  const to = (...args) => cli(['-t', HOST, '-p', String(sim.port), ...args]);
  afterEach(async () => {
    if (sim) await sim.stop();
    sim = null;
  });

  describe('against an HS110', () => {
    beforeEach(async () => {
      sim = await PlugSimulator.start({ model: 'HS110', host: HOST, port: 0 });
    });

    it('on / off switch the relay and print the reply', async () => {
      let r = await to('-c', 'on');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { system: { set_relay_state: { err_code: 0 } } });
      assert.strictEqual(sim.device.relay(), true);
      r = await to('-c', 'off');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(sim.device.relay(), false);
    });

    it('info prints the sysinfo as pretty JSON', async () => {
      const r = await to('-c', 'info');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stderr, '');
      const info = JSON.parse(r.stdout).system.get_sysinfo;
      assert.strictEqual(info.deviceId, sim.device.deviceId);
      assert.strictEqual(info.model, 'HS110(EU)');
      assert.match(r.stdout, /^\{\n {2}"system": \{\n/);
    });

    it('energy reads the meter', async () => {
      const r = await to('-c', 'energy');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(typeof JSON.parse(r.stdout).emeter.get_realtime.voltage, 'number');
    });

    it('-j sends a raw request (several modules) as given', async () => {
      const req = { system: { set_led_off: { off: 1 }, get_sysinfo: {} }, time: { get_time: null } };
      const r = await to('-j', JSON.stringify(req));
      assert.strictEqual(r.code, 0, r.stderr);
      const reply = JSON.parse(r.stdout);
      assert.strictEqual(reply.system.set_led_off.err_code, 0);
      assert.strictEqual(reply.system.get_sysinfo.led_off, 1);
      assert.strictEqual(typeof reply.time.get_time.year, 'number');
      assert.deepStrictEqual(sim.requests, [req]);
    });

    it('--udp sends one datagram', async () => {
      const r = await to('--udp', '-c', 'info');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout).system.get_sysinfo.deviceId, sim.device.deviceId);
      assert.strictEqual(sim.connectionsOpened, 0);
      assert.strictEqual(sim.requests.length, 1);
    });

    it('a stalled device times out with its own status', async () => {
      sim.setFault('stall');
      const r = await to('-c', 'info', '--timeout', '200');
      assertFails(r, EXIT.timeout, /no reply from 127\.0\.0\.1:\d+ within 200 ms/);
    });

    it('a broken reply is a protocol failure', async () => {
      sim.setFault('garbage');
      assertFails(await to('-c', 'info'), EXIT.protocol, /not JSON/);
    });

    it('a destructive command is refused without --allow-destructive, and nothing is sent', async () => {
      assertFails(await to('-c', 'reset'), EXIT.notAllowed, /system\.reset.*--allow-destructive/);
      const raw = { netif: { set_stainfo: { ssid: 'x', password: 'secretsecret', key_type: 3 } } };
      assertFails(await to('-j', JSON.stringify(raw)), EXIT.notAllowed, /netif\.set_stainfo/);
      assert.strictEqual(sim.requests.length, 0);
      assert.strictEqual(sim.connectionsOpened, 0);
      assert.strictEqual(sim.device.resets, 0);
    });

    it('with --allow-destructive the reset is sent', async () => {
      const r = await to('-c', 'reset=0', '--allow-destructive');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(sim.requests, [{ system: { reset: { delay: 0 } } }]);
    });

    it('invalid JSON and bad arguments are refused before anything is sent', async () => {
      assertFails(await to('-j', '{"system":'), EXIT.badJson, /-j is not valid JSON/);
      assertFails(await to('-j', '[1,2]'), EXIT.badJson, /JSON object/);
      assertFails(await to('-c', 'dance'), EXIT.usage, /unknown command "dance"/);
      assertFails(await to('-c', 'info', '--frobnicate'), EXIT.usage, /unknown option --frobnicate/);
      assertFails(await to('-c', 'alias'), EXIT.usage, /needs a value/);
      assertFails(await to('-c', 'info', '--timeout', 'soon'), EXIT.usage, /--timeout/);
      assertFails(await cli(['-c', 'info']), EXIT.usage, /missing -t HOST/);
      assert.strictEqual(sim.requests.length, 0);
    });
  });

  describe('hostile -j and arguments: the input exit status, nothing sent', () => {
    beforeEach(async () => {
      sim = await PlugSimulator.start({ model: 'HS110', host: HOST, port: 0 });
    });

    it('-j nested 5,000 levels deep: exit 3 naming the nesting, not an internal error', async () => {
      const deep = '{"system":{"get_sysinfo":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}}';
      assertFails(await to('-j', deep), EXIT.badJson, /levels of nesting/);
      assert.strictEqual(sim.connectionsOpened, 0);
    });

    it('-j with a "__proto__" module (or key) is refused with exit 3; nothing sent', async () => {
      assertFails(await to('-j', '{"__proto__":{"get_sysinfo":{}}}'), EXIT.badJson, /__proto__/);
      assertFails(await to('-j', '{"system":{"get_sysinfo":{}},"__proto__":{"reset":{}}}'), EXIT.badJson, /__proto__/);
      assertFails(await to('-j', '{"system":{"set_dev_alias":{"__proto__":{"x":1},"alias":"x"}}}'), EXIT.badJson, /__proto__/);
      assert.strictEqual(sim.requests.length, 0);
      assert.strictEqual(sim.connectionsOpened, 0);
    });

    for (const name of ['system.', 'system-', 'system_']) {
      it(`-j {"${name}":{"reset":{}}} fails the module grammar (exit 3), even with --allow-destructive`, async () => {
        const j = JSON.stringify({ [name]: { reset: {} } });
        assertFails(await to('-j', j), EXIT.badJson, new RegExp(`invalid -j\\.${name.replace('.', '\\.')}: expected a module name`));
        assertFails(await to('-j', j, '--allow-destructive'), EXIT.badJson, /expected a module name/);
        assert.strictEqual(sim.requests.length, 0);
      });
    }

    it('-j gets the same device-changing guard as tplink-raw (other spellings and families)', async () => {
      assertFails(await to('-j', '{"System":{"Reset":{}}}'), EXIT.notAllowed, /System\.Reset/);
      assertFails(await to('-j', '{"smartlife.iot.common.cloud":{"bind":{}}}'), EXIT.notAllowed, /smartlife\.iot\.common\.cloud\.bind/);
      assert.strictEqual(sim.requests.length, 0);
    });

    it('--broadcast not-an-ip: usage error (exit 2), no DNS lookup, nothing sent', async () => {
      for (const bad of ['not-an-ip', 'localhost', '256.1.1.1', '::1', '']) {
        const r = await cli(['--discover', '--broadcast', bad, '--timeout', '200'], { noNetwork: true });
        assertFails(r, EXIT.usage, /--broadcast needs an IPv4 address/);
      }
    });

    // A host name would be refused by the suite's network guard before any lookup, so the
    // control uses a loopback probe the guard allows and only the preload stops.
    it('the preload really catches network use (the test above can fail)', async () => {
      const r = await cli(['--discover', '--broadcast', '127.0.0.1', '--timeout', '200'], { noNetwork: true });
      assert.strictEqual(r.code, 99, r.stderr);
      assert.match(r.stderr, /network use in a test that expects none/);
    });
  });

  it('an HS100 has no energy meter: device-error status, message naming emeter, reply on stdout', async () => {
    sim = await PlugSimulator.start({ model: 'HS100', host: HOST, port: 0 });
    const r = await to('-c', 'energy');
    assertFails(r, EXIT.device, /emeter\.get_realtime: -1 "module not support"/);
    assert.strictEqual(JSON.parse(r.stdout).emeter.err_code, -1);
  });

  it('--outlet addresses one outlet of an HS300', async () => {
    sim = await PlugSimulator.start({ model: 'HS300', host: HOST, port: 0 });
    const r = await to('-c', 'on', '--outlet', '2');
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((i) => sim.device.relay(i)), [false, false, true, false, false, false]);
  });

  it('a stopped device: refused, with a one-line message', async () => {
    sim = await PlugSimulator.start({ model: 'HS100', host: HOST, port: 0 });
    await sim.stop();
    assertFails(await to('-c', 'info', '--protocol', 'legacy'), EXIT.refused, /connection refused by 127\.0\.0\.1/);
    // The default, auto, tried both generations on the given port.
    assertFails(await to('-c', 'info'), EXIT.refused, /no TP-Link protocol answers \(tried legacy XOR on port \d+, KLAP on port \d+\)/);
  });

  it('--help documents the commands and the exit statuses', async () => {
    const r = await cli(['--help']);
    assert.strictEqual(r.code, 0);
    for (const word of ['--discover', '--allow-destructive', 'led-off', 'wlanscan', 'reset']) assert.ok(r.stdout.includes(word), word);
    for (const code of Object.values(EXIT)) assert.match(r.stdout, new RegExp(`^ +${code} +\\S`, 'm'));
  });

  describe('KLAP (--protocol, --username, --password) against a KlapPlugSimulator', () => {
    const USER = 'Owner@Example.com';
    const PASS = 'Hunter2 Case Sensitive';
    let klap;
    beforeEach(async () => { klap = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, discoveryPort: null }); });
    afterEach(async () => { await klap.stop(); });
    const toKlap = (...args) => cli(['-t', HOST, '-p', String(klap.port), ...args]);

    it('--protocol klap with the account switches the plug and prints the reply', async () => {
      const r = await toKlap('--protocol', 'klap', '--username', USER, '--password', PASS, '-c', 'on');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { system: { set_relay_state: { err_code: 0 } } });
      assert.strictEqual(klap.device.relay(), true);
      assert.ok(!r.stdout.includes(PASS) && !r.stderr.includes(PASS));
    });

    it('the account from TPLINK_USERNAME / TPLINK_PASSWORD; the default protocol (auto) finds KLAP on the given port', async () => {
      const ok = await cli(['-t', HOST, '-p', String(klap.port), '-c', 'info'], { env: { TPLINK_USERNAME: USER, TPLINK_PASSWORD: PASS } });
      assert.strictEqual(ok.code, 0, ok.stderr);
      assert.strictEqual(JSON.parse(ok.stdout).system.get_sysinfo.model, 'KP115(UK)');
    });

    it('a wrong password: exit status auth, one line saying what to do, the password never printed', async () => {
      const wrong = 'hunter2 case sensitive';
      const r = await toKlap('--protocol', 'klap', '--username', USER, '--password', wrong, '-c', 'on');
      assertFails(r, EXIT.auth, /wrong e-mail or password \(both are case sensitive/);
      assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong) && !r.stderr.includes(USER));
      assert.strictEqual(klap.device.relay(), false);
      assert.strictEqual(klap.requests.length, 0, 'nothing sent');
    });

    it('third-party access off (403 on handshake1): exit status auth naming the app setting', async () => {
      klap.setFault('forbid-handshake');
      assertFails(await toKlap('--protocol', 'klap', '--username', USER, '--password', PASS, '-c', 'info'), EXIT.auth, /Third-Party Compatibility/);
    });

    it('usage errors never echo the password', async () => {
      const secret = 'S3cret-Value-XYZ';
      for (const args of [
        ['--password', secret, '--password', secret, '-c', 'info'],
        ['--protocol', 'legacy', '--password', secret, '-c', 'info'],
        ['--protocol', 'tapo', '--password', secret, '-c', 'info'],
        ['--password', secret, '-c', 'dance'],
        ['--password', secret],
        [`--password=${secret}`, '--udp', '--protocol', 'klap', '-c', 'info'],
        [`--pasword=${secret}`, '-c', 'info'],
      ]) {
        const r = await toKlap(...args);
        assert.strictEqual(r.code, EXIT.usage, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), r.stderr);
      }
      assert.strictEqual(klap.server.counts.handshake1, 0, 'nothing sent');
    });

    it('--help lists the protocol options and the auth exit status', async () => {
      const r = await cli(['--help']);
      assert.strictEqual(r.code, 0);
      for (const s of ['--protocol', '--username', '--password', 'TPLINK_PASSWORD', `${EXIT.auth}`, 'Third-Party Compatibility']) assert.ok(r.stdout.includes(s), s);
    });
  });

  describe('--discover', () => {
    let network;
    let quiet; // the 20002 probe goes here in the legacy-only test
    before(async () => { quiet = await silentUdpPort(); });
    after(async () => {
      if (network) await network.stop();
      await quiet.close();
    });

    it('lists the plugs (host, port, alias, model, mac), not the garbage or the bulb', async () => {
      network = await SimulatorNetwork.start({
        host: HOST,
        discoveryPort: 0,
        devices: [{ model: 'HS100', alias: 'Lamp' }, { model: 'HS110', alias: 'Kettle' }, { model: 'HS300', alias: 'Desk' }],
        extras: ['garbage', 'bulb'],
      });
      const r = await cli(['--discover', '--broadcast', HOST, '--port', String(network.discoveryPort), '--port20002', String(quiet.port), '--timeout', '400']);
      assert.strictEqual(r.code, 0, r.stderr);
      const found = JSON.parse(r.stdout).sort((a, b) => a.port - b.port);
      const want = network.members.map((m) => ({
        host: HOST, port: m.port, protocol: 'legacy', needsAuth: false,
        alias: m.device.alias(), model: m.device.spec.model, mac: m.device.mac, outlets: m.device.spec.outlets,
      })).sort((a, b) => a.port - b.port);
      assert.deepStrictEqual(found, want);
      // The two non-plugs are mentioned on stderr, not listed.
      for (const x of network.extras) assert.ok(r.stderr.includes(`127.0.0.1:${x.port}`), r.stderr);
    });
  });
});
