'use strict';
// Interop: tp-link-tapo-connect (npm, ISC, not ours) as the client of our AES
// securePassthrough P100 simulator on 127.0.0.1. Its AES path needs
// `node --security-revert=CVE-2023-46809` on current Node (it decrypts the RSA
// key with the padding mode Node 20 refuses), so it runs in a child process
// with that flag. Node 22 no longer knows the flag (exit 12, "unknown CVE") and
// accepts the padding again (its OpenSSL does implicit rejection): there the
// child runs without it. Our own transport needs no flag on either
// (test/aes-transport.test.js).
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const { runJsonClient } = require('./support/json-client');
const { AesSmartServer } = require('../nodes/simulator/smart');

const CLIENT = path.join(__dirname, 'interop', 'tapo-aes-client.js');
const USER = 'tapo.user@example.com';
const PASS = 'Tapo-Pass-1';

/** Runs the client asynchronously (the simulator lives in this process's event loop). */
function runClient(port, flags, env = {}) {
  return runJsonClient([...flags, CLIENT, `127.0.0.1:${port}`], { TAPO_TEST_USER: USER, TAPO_TEST_PASS: PASS, ...env });
}

/** The flag when this Node knows it; [] on Node versions that dropped it. */
function revertFlags() {
  return new Promise((resolve) => {
    const flag = '--security-revert=CVE-2023-46809';
    const child = spawn(process.execPath, [flag, '-e', '0'], { stdio: 'ignore' });
    child.on('exit', (code) => resolve(code === 0 ? [flag] : []));
  });
}

describe('interop: tp-link-tapo-connect drives our AES P100 simulator', function () {
  let sim;
  let flags;
  before(async () => {
    flags = await revertFlags();
    // Node 20 must know the flag: without it this interop could not run there at all.
    if (Number(process.versions.node.split('.')[0]) === 20) assert.strictEqual(flags.length, 1);
  });
  afterEach(async () => {
    if (sim) await sim.stop();
    sim = null;
  });

  it('turns it on and off and reads device info (child process, with --security-revert=CVE-2023-46809 where Node has it)', async () => {
    sim = await AesSmartServer.start({ model: 'P100', host: '127.0.0.1', username: USER, password: PASS, nickname: 'Wohnzimmer' });
    const { code, result, stderr } = await runClient(sim.port, flags);
    assert.strictEqual(code, 0, `${JSON.stringify(result)} ${stderr}`);
    assert.strictEqual(result.ok, true);
    assert.deepStrictEqual(result.steps[0], { device_on: true, nickname: 'Wohnzimmer', model: 'P100', mac: sim.device.mac });
    assert.deepStrictEqual(result.steps[1], { device_on: false });
    assert.strictEqual(sim.device.main.on, false);
    const methods = sim.device.requests.map((r) => r.method);
    assert.deepStrictEqual(methods, ['set_device_info', 'get_device_info', 'set_device_info', 'get_device_info']);
    assert.strictEqual(sim.stats.handshakes, 1);
    assert.strictEqual(sim.stats.logins, 1);
  });

  it('with a wrong password it is refused (-1501) and nothing is switched', async () => {
    sim = await AesSmartServer.start({ model: 'P100', host: '127.0.0.1', username: USER, password: 'another' });
    const { code, result } = await runClient(sim.port, flags);
    assert.notStrictEqual(code, 0);
    assert.strictEqual(result.ok, false);
    assert.match(result.error, /Invalid credentials/);
    assert.strictEqual(sim.stats.loginFailures, 1);
    assert.deepStrictEqual(sim.device.requests, []);
  });

  it('without the flag, the only way it may fail is Node refusing PKCS#1 v1.5 decryption', async () => {
    sim = await AesSmartServer.start({ model: 'P100', host: '127.0.0.1', username: USER, password: PASS });
    const { result } = await runClient(sim.port, []);
    // Node builds whose OpenSSL does implicit rejection accept the padding again; others refuse it.
    if (!result.ok) {
      assert.match(result.error, /RSA_PKCS1_PADDING is no longer supported/);
      assert.deepStrictEqual(sim.device.requests, []);
    } else {
      assert.strictEqual(sim.device.requests.length, 4);
    }
  });
});
