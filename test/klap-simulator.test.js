'use strict';
// The KLAP simulator on its own: the generic KlapServer carries any JSON
// dialect through `handle`, sessions and seqs are checked like a device would,
// and the CLI starts a KLAP plug with an account it never prints.
const assert = require('assert');
const http = require('http');
const { spawnSimCli } = require('./support/sim-cli');
const { KlapServer, KlapPlugSimulator, KLAP_MODELS } = require('../nodes/simulator');
const { KlapTransport } = require('../nodes/core/transport/klap');
const { klapRequest } = require('./interop/klap-from-card');
const k = require('../nodes/core/transport/klap-crypto');

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function post(port, pathName, body, cookie) {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Length': body.length };
    if (cookie) headers.Cookie = cookie;
    const req = http.request({ host: HOST, port, path: pathName, method: 'POST', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('KLAP simulator: the generic server', () => {
  let server;
  afterEach(async () => {
    if (server) await server.stop();
    server = null;
  });

  it('hands any JSON text to handle() (a SMART-dialect echo here) and seals its answer', async () => {
    const seen = [];
    server = new KlapServer({
      hashVersion: 2, username: 'u@x', password: 'p',
      handle: async (text) => {
        seen.push(text);
        return JSON.stringify({ error_code: 0, result: { echo: JSON.parse(text).method } });
      },
    });
    await server.listen();
    const reply = await klapRequest({ port: server.port, version: 2, username: 'u@x', password: 'p', json: '{"method":"get_device_info"}' });
    assert.deepStrictEqual(JSON.parse(reply), { error_code: 0, result: { echo: 'get_device_info' } });
    assert.deepStrictEqual(seen, ['{"method":"get_device_info"}']);
    assert.strictEqual(server.liveSessions, 1);
  });

  it('refuses requests without a confirmed session (403), a bad seq or a body signed for another seq (400)', async () => {
    server = new KlapServer({ hashVersion: 1, handle: () => '{}' });
    await server.listen();
    assert.strictEqual((await post(server.port, '/app/request?seq=1', Buffer.alloc(48))).status, 403);
    const h1 = await post(server.port, '/app/handshake1', Buffer.alloc(16, 7));
    assert.strictEqual(h1.status, 200);
    assert.strictEqual(h1.body.length, 48);
    const cookie = h1.headers['set-cookie'][0].split(';')[0];
    assert.match(h1.headers['set-cookie'][0], /^TP_SESSIONID=[0-9A-F]{32};TIMEOUT=86400$/);
    // handshake1 done, handshake2 not: still refused
    assert.strictEqual((await post(server.port, '/app/request?seq=1', Buffer.alloc(48), cookie)).status, 403);
    assert.strictEqual((await post(server.port, '/app/handshake2', Buffer.alloc(32), cookie)).status, 403);
    assert.strictEqual(server.counts.handled, 0);
    // complete the session properly, then break the seq
    const local = Buffer.alloc(16, 7);
    const remote = h1.body.subarray(0, 16);
    const hash = k.klapAuthHash(1, '', '');
    assert.strictEqual((await post(server.port, '/app/handshake2', k.klapClientProof(1, local, remote, hash), cookie)).status, 200);
    const keys = k.klapSessionKeys(local, remote, hash);
    const seq = k.klapNextSeq(keys.seq0);
    const body = k.klapSeal(keys, seq, '{}');
    assert.strictEqual((await post(server.port, `/app/request?seq=${seq + 1}`, body, cookie)).status, 400);
    assert.strictEqual((await post(server.port, '/app/request?seq=abc', body, cookie)).status, 400);
    assert.strictEqual((await post(server.port, '/app/request?seq=99999999999', body, cookie)).status, 400);
    assert.strictEqual(server.counts.handled, 0);
    const ok = await post(server.port, `/app/request?seq=${seq}`, body, cookie);
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(k.klapOpen(keys, seq, ok.body, true).toString(), '{}');
    assert.strictEqual(server.counts.handled, 1);
    assert.strictEqual((await post(server.port, '/app/handshake1', Buffer.alloc(3))).status, 400);
    assert.strictEqual((await post(server.port, '/nothing', Buffer.alloc(3))).status, 404);
  });

  it('a blank account is what an un-provisioned plug proves with', async () => {
    server = new KlapServer({ hashVersion: 2, handle: () => '{"ok":1}' });
    await server.listen();
    assert.strictEqual(await klapRequest({ port: server.port, version: 2, username: '', password: '', json: '{}' }), '{"ok":1}');
  });

  it('refuses unknown faults and bad counts', () => {
    server = null;
    const s = new KlapServer({ hashVersion: 2, handle: () => '{}' });
    assert.throws(() => s.setFault('nope'), /unknown KLAP fault/);
    assert.throws(() => s.setFault({ type: 'stall', times: 0 }), /positive integer/);
  });

  it('refuses a non-loopback address unless allowed', () => {
    assert.throws(() => new KlapServer({ hashVersion: 2, handle: () => '{}', host: '192.0.2.1' }), /non-loopback/);
  });
});

describe('KLAP simulator: models', () => {
  it('has HS100(UK) 4.1 fw 1.1.0 (v1), KP115 fw 1.1.1 (v2, emeter) and HS300 hw 2 fw 1.1.2 (v2, 6 outlets)', () => {
    const by = Object.fromEntries(KLAP_MODELS.map((m) => [m.name, m]));
    assert.deepStrictEqual([by['hs100-klap'].model, by['hs100-klap'].hwVer, by['hs100-klap'].swVer.split(' ')[0], by['hs100-klap'].klap.hashVersion], ['HS100(UK)', '4.1', '1.1.0', 1]);
    assert.deepStrictEqual([by['kp115-klap'].swVer.split(' ')[0], by['kp115-klap'].klap.hashVersion, by['kp115-klap'].emeter !== null], ['1.1.1', 2, true]);
    assert.deepStrictEqual([by['hs300-klap'].hwVer, by['hs300-klap'].swVer.split(' ')[0], by['hs300-klap'].outlets, by['hs300-klap'].klap.encryptScheme.new_klap], ['2.0', '1.1.2', 6, 1]);
  });

  it('the KP115 reads its meter and the HS300 switches one outlet by context, over KLAP', async () => {
    const kp = await KlapPlugSimulator.start({ model: 'kp115-klap', discoveryPort: null });
    const strip = await KlapPlugSimulator.start({ model: 'hs300-klap', discoveryPort: null });
    const mk = (s) => new KlapTransport({ host: HOST, port: s.port, connectTimeout: 2000, maxReplyBytes: 65536 });
    const a = mk(kp);
    const b = mk(strip);
    try {
      kp.device.setRelay(1);
      const meter = JSON.parse(await a.send('{"emeter":{"get_realtime":{}}}', 2000)).emeter.get_realtime;
      assert.strictEqual(meter.err_code, 0);
      assert.ok(meter.power_mw > 0);
      const child = strip.device.childId(2);
      const r = JSON.parse(await b.send(JSON.stringify({ context: { child_ids: [child] }, system: { set_relay_state: { state: 1 } } }), 2000));
      assert.strictEqual(r.system.set_relay_state.err_code, 0);
      assert.deepStrictEqual(strip.device.outlets.map((o) => o.relay), [0, 0, 1, 0, 0, 0]);
    } finally {
      a.close();
      b.close();
      await kp.stop();
      await strip.stop();
    }
  });
});

describe('KLAP simulator: CLI', () => {
  const procs = [];
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  });
  function run(args) {
    return spawnSimCli(args, procs);
  }
  async function firstLine(p) {
    for (let i = 0; i < 250; i++) {
      if (p.out.includes('\n')) return p.out.split('\n')[0];
      if (p.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`CLI printed ${JSON.stringify(p.out)} / ${p.err}`);
  }

  it('--model kp115-klap --username U --password P: serves KLAP with that account and never prints it', async () => {
    const p = run(['--model', 'kp115-klap', '--port', '0', '--username', 'Someone@Mail.test', '--password', 'Pa55-word']);
    const line = await firstLine(p);
    assert.match(line, /^kp115-klap "TP-LINK_Smart Plug_[0-9A-F]{4}" http 127\.0\.0\.1:\d+ udp-20002 127\.0\.0\.1:\d+ klap v2 account set$/);
    const port = Number(/http 127\.0\.0\.1:(\d+)/.exec(line)[1]);
    const reply = await klapRequest({ port, version: 2, username: 'Someone@Mail.test', password: 'Pa55-word', json: '{"system":{"get_sysinfo":{}}}' });
    assert.strictEqual(JSON.parse(reply).system.get_sysinfo.model, 'KP115(UK)');
    p.kill('SIGINT');
    assert.strictEqual((await p.exited).code, 0);
    assert.ok(!(p.out + p.err).includes('Pa55-word') && !(p.out + p.err).includes('Someone@Mail.test'));
  });

  it('blank account by default (un-provisioned); --json names the ports', async () => {
    const p = run(['--model', 'hs100-klap', '--port', '0', '--json']);
    const info = JSON.parse(await firstLine(p));
    assert.strictEqual(info.account, 'blank account');
    assert.strictEqual(info.klap, 1);
    const reply = await klapRequest({ port: info.http, version: 1, username: '', password: '', json: '{"system":{"get_sysinfo":{}}}' });
    assert.strictEqual(JSON.parse(reply).system.get_sysinfo.model, 'HS100(UK)');
    p.kill('SIGTERM');
    assert.strictEqual((await p.exited).code, 0);
  });

  it('refuses --discovery-port with a KLAP model', async () => {
    const p = run(['--model', 'kp115-klap', '--discovery-port', '0']);
    assert.strictEqual((await p.exited).code, 2);
    assert.match(p.err, /--discovery-port/);
  });
});
