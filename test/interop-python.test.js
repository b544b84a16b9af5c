'use strict';
// Interoperability, part 3: a stdlib-only Python 3 client (test/interop/kasa_client.py,
// written from docs/protocol.md alone) against our simulator, TCP and UDP, on 127.0.0.1.
const assert = require('assert');
const path = require('path');
const { execFile, spawnSync } = require('child_process');
const { PlugSimulator } = require('../nodes/simulator');
const { encryptWithHeader } = require('../nodes/core');
const { HOST, encrypt } = require('./interop/helpers');

const CLIENT = path.join(__dirname, 'interop', 'kasa_client.py');
let PYTHON = process.env.PYTHON || 'python3';
const MODELS = ['hs100', 'hs105', 'hs110', 'hs110v2', 'hs200', 'hs300'];
const HAS_EMETER = { hs100: false, hs105: false, hs110: true, hs110v2: true, hs200: false, hs300: true };

// docs/protocol.md's test vector.
const VECTOR_JSON = '{"system":{"set_relay_state":{"state":0}}}';
const VECTOR_HEX = '0000002ad0f281f88bff9af7d5ef94b6c5a0d48bf99cf091e8b7c4b0d1a5c0e2d8a381f286e793f6d4eedea3dea3';

function py(args, { timeout = 8000 } = {}) {
  return new Promise((resolve) => {
    execFile(PYTHON, [CLIENT, ...args], { timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const m = /reads=(\d+) bytes=(\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, reads: m ? Number(m[1]) : undefined, bytes: m ? Number(m[2]) : undefined });
    });
  });
}

async function ask(port, request, extra = []) {
  const r = await py([HOST, String(port), typeof request === 'string' ? request : JSON.stringify(request), ...extra]);
  assert.strictEqual(r.code, 0, `python client failed: ${r.stderr}`);
  return { reply: JSON.parse(r.stdout), reads: r.reads, bytes: r.bytes };
}

describe('interop: stdlib Python client against our simulator', function () {
  this.timeout(15000);

  before(function () {
    const v = spawnSync(PYTHON, ['-c', 'import sys; print(sys.version_info[0]); print(sys.executable)'], { encoding: 'utf8' });
    const [major, exe] = v.status === 0 ? v.stdout.trim().split('\n') : [];
    if (major === '3') {
      if (exe) PYTHON = exe; // the interpreter itself, not a launcher shim: each run starts faster
      return;
    }
    // Like the browser tests: a machine without Python 3 skips, CI fails.
    if (process.env.CI === 'true') throw new Error(`${PYTHON} (Python 3) is needed for the interop tests in CI`);
    this.skip();
  });

  it('the Python cipher and framing give docs/protocol.md\'s test vector, as ours and the JS reference do', async () => {
    const r = await py(['--encrypt', VECTOR_JSON]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout.trim(), VECTOR_HEX);
    assert.strictEqual(encryptWithHeader(VECTOR_JSON).toString('hex'), VECTOR_HEX);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(VECTOR_JSON.length, 0);
    assert.strictEqual(Buffer.concat([head, encrypt(VECTOR_JSON)]).toString('hex'), VECTOR_HEX);
  });

  for (const model of MODELS) {
    describe(model, () => {
      let sim;
      beforeEach(async () => { sim = await PlugSimulator.start({ model, host: HOST, port: 0 }); });
      afterEach(async () => { await sim.stop(); });

      it('get_sysinfo over TCP', async () => {
        const { reply } = await ask(sim.port, { system: { get_sysinfo: {} } });
        const sys = reply.system.get_sysinfo;
        assert.strictEqual(sys.err_code, 0);
        assert.strictEqual(sys.model, sim.device.spec.model);
        assert.strictEqual(sys.deviceId, sim.device.deviceId);
        assert.deepStrictEqual(sim.requests[sim.requests.length - 1], { system: { get_sysinfo: {} } });
      });

      it('relay on and off (the test vector\'s request among them)', async () => {
        const on = await ask(sim.port, { system: { set_relay_state: { state: 1 } } });
        assert.deepStrictEqual(on.reply, { system: { set_relay_state: { err_code: 0 } } });
        assert.strictEqual(sim.device.relay(), true);
        const off = await ask(sim.port, VECTOR_JSON);
        assert.deepStrictEqual(off.reply, { system: { set_relay_state: { err_code: 0 } } });
        assert.strictEqual(sim.device.relay(), false);
      });

      it('a multi-module request: every module and method answered in the request\'s shape', async () => {
        const req = { system: { get_sysinfo: null }, time: { get_time: null, get_timezone: {} }, emeter: { get_realtime: {} }, schedule: { get_rules: null, get_next_action: null } };
        const { reply } = await ask(sim.port, req);
        assert.deepStrictEqual(Object.keys(reply).sort(), ['emeter', 'schedule', 'system', 'time']);
        assert.deepStrictEqual(Object.keys(reply.time).sort(), ['get_time', 'get_timezone']);
        assert.strictEqual(reply.system.get_sysinfo.err_code, 0);
        assert.strictEqual(reply.schedule.get_rules.err_code, 0);
        assert.strictEqual(reply.schedule.get_next_action.err_code, 0);
        if (HAS_EMETER[model]) assert.strictEqual(reply.emeter.get_realtime.err_code, 0);
        else assert.strictEqual(reply.emeter.err_code, -1); // module-level "module not support"
      });

      it('UDP: get_sysinfo as one datagram, no length header', async () => {
        const { reply } = await ask(sim.port, { system: { get_sysinfo: {} } }, ['--udp']);
        assert.strictEqual(reply.system.get_sysinfo.deviceId, sim.device.deviceId);
        if (model === 'hs300') assert.strictEqual(reply.system.get_sysinfo.children.length, 6);
      });
    });
  }

  describe('replies split across reads', () => {
    let sim;
    beforeEach(async () => { sim = await PlugSimulator.start({ model: 'hs110', host: HOST, port: 0 }); });
    afterEach(async () => { await sim.stop(); });

    const year = new Date().getFullYear() - 1;
    const big = { emeter: { get_daystat: { year, month: 1 }, get_monthstat: { year } }, schedule: { get_daystat: { year, month: 1 }, get_monthstat: { year } } };

    it('a large daystat reply read 512 bytes at a time', async () => {
      const { reply, reads, bytes } = await ask(sim.port, big, ['--chunk', '512']);
      assert.ok(bytes > 2048, `reply of ${bytes} bytes`);
      assert.ok(reads >= Math.ceil(bytes / 512), `${reads} reads for ${bytes} bytes`);
      assert.strictEqual(reply.emeter.get_daystat.day_list.length, 31);
      assert.strictEqual(reply.emeter.get_monthstat.month_list.length, 12);
      assert.strictEqual(reply.schedule.get_daystat.day_list.length, 31);
      assert.ok(reply.emeter.get_daystat.day_list.every((d) => d.year === year && d.month === 1 && typeof d.energy === 'number'));
    });

    it('3 bytes at a time: the length header itself arrives in two pieces', async () => {
      const whole = await ask(sim.port, { emeter: { get_daystat: { year, month: 1 } } });
      const split = await ask(sim.port, { emeter: { get_daystat: { year, month: 1 } } }, ['--chunk', '3']);
      assert.deepStrictEqual(split.reply, whole.reply);
      assert.strictEqual(split.reads, Math.ceil(4 / 3) + Math.ceil((split.bytes - 4) / 3));
    });

    it('a simulator that closes after each reply is read the same way', async () => {
      sim.closeAfterReply = true;
      const a = await ask(sim.port, big, ['--chunk', '700']);
      const b = await ask(sim.port, { system: { get_sysinfo: {} } });
      assert.strictEqual(a.reply.emeter.get_daystat.day_list.length, 31);
      assert.strictEqual(b.reply.system.get_sysinfo.err_code, 0);
      assert.strictEqual(sim.connectionsOpened, 2);
    });

    it('nothing listening: the client reports a network error (exit 3), no hang', async () => {
      const port = sim.port;
      await sim.stop();
      const r = await py([HOST, String(port), '{"system":{"get_sysinfo":{}}}', '--timeout', '1']);
      assert.strictEqual(r.code, 3, r.stderr);
      await sim.listen();
    });
  });
});
