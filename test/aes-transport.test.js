'use strict';
// AesTransport (securePassthrough) against the AES SMART simulator and
// hand-written hostile servers, over real sockets on 127.0.0.1.
const assert = require('assert');
const http = require('http');
const crypto = require('crypto');
const { AesTransport, sessionCookie, isKlapOnly } = require('../nodes/core/transport/aes');
const { KlapOnlyError, SmartAuthError } = require('../nodes/core/transport/aes-errors');
const { unpadPkcs1v15, rsaDecryptPkcs1v15, generateRsaKeyPair, loginParams } = require('../nodes/core/transport/aes-crypto');
const { AesSmartServer } = require('../nodes/simulator/smart');
const { SmartDeviceError } = require('../nodes/core/smart');
const { TplinkError } = require('../nodes/core/errors');

const HOST = '127.0.0.1';
const USER = 'Owner@Example.com';
const PASS = 'S3cret-Pa55';
const INFO = JSON.stringify({ method: 'get_device_info' });
const on = (v) => JSON.stringify({ method: 'set_device_info', params: { device_on: v } });

/** No error text may hold the account, plain or in the forms sent on the wire. */
function assertNoCredentials(err) {
  const text = `${err.message} ${err.stack} ${JSON.stringify(err)}`;
  const lp = loginParams(USER, PASS, 2);
  for (const s of [USER, PASS, Buffer.from(PASS).toString('base64'), lp.username, lp.password2, 'test@tp-link.net']) {
    assert.ok(!text.includes(s), `error text holds a credential form: ${err.message}`);
  }
}

describe('AesTransport (securePassthrough) on 127.0.0.1', function () {
  let sim;
  let t;
  const start = async (opts) => {
    sim = await AesSmartServer.start({ model: 'P100', host: HOST, username: USER, password: PASS, ...opts });
    return sim;
  };
  const transport = (opts) => {
    t = new AesTransport({ host: HOST, port: sim.port, connectTimeout: 3000, maxReplyBytes: 65536, credentials: { username: USER, password: PASS }, ...opts });
    return t;
  };
  const methods = () => sim.device.requests.map((r) => r.method);
  afterEach(async () => {
    if (t) t.close();
    if (sim) await sim.stop();
    t = sim = null;
  });

  it('logs in (v1), reads and switches, on one connection and one session', async () => {
    await start({ nickname: 'Desk' });
    transport();
    const info = JSON.parse(await t.send(INFO, 2000));
    assert.strictEqual(info.error_code, 0);
    assert.strictEqual(info.result.model, 'P100');
    assert.strictEqual(Buffer.from(info.result.nickname, 'base64').toString(), 'Desk');
    assert.strictEqual(JSON.parse(await t.send(on(true), 2000)).error_code, 0);
    assert.strictEqual(sim.device.main.on, true);
    for (let i = 0; i < 10; i++) await t.send(INFO, 2000);
    assert.strictEqual(t.name, 'aes');
    assert.deepStrictEqual(t.stats, { connects: 1, retries: 0, handshakes: 1 });
    assert.strictEqual(sim.stats.handshakes, 1);
    assert.strictEqual(sim.stats.connections, 1);
    assert.strictEqual(methods().filter((m) => m === 'set_device_info').length, 1);
  });

  it('logs in with password2 when told the login version is 2', async () => {
    await start({ loginVersion: 2 });
    transport({ loginVersion: 2 });
    assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
    assert.strictEqual(sim.stats.loginFailures, 0);
  });

  it('a v2 device refuses the v1 login: auth error, nothing run', async () => {
    await start({ loginVersion: 2 });
    transport();
    await assert.rejects(t.send(on(true), 2000), (e) => {
      assert.ok(e instanceof SmartAuthError && e instanceof TplinkError);
      assert.strictEqual(e.kind, 'auth');
      assertNoCredentials(e);
      return true;
    });
    assert.deepStrictEqual(methods(), []);
  });

  it('falls back to the default test account on -1501 (unbound device)', async () => {
    await start({ username: undefined, password: undefined });
    transport();
    assert.strictEqual(JSON.parse(await t.send(on(true), 2000)).error_code, 0);
    assert.strictEqual(sim.device.main.on, true);
    assert.strictEqual(sim.stats.loginFailures, 1);
    assert.strictEqual(sim.stats.handshakes, 2); // a fresh handshake before the second account
    assert.deepStrictEqual(methods(), ['set_device_info']);
    // The account that worked is tried first on the next session.
    sim.dropSessions(); // the next request gets 9999: a new session
    await t.send(INFO, 2000);
    assert.strictEqual(sim.stats.handshakes, 3);
    assert.strictEqual(sim.stats.loginFailures, 1);
  });

  it('wrong password: a plain auth error without the credentials, nothing run', async () => {
    await start();
    transport({ credentials: { username: USER, password: 'wrong' } });
    await assert.rejects(t.send(on(true), 2000), (e) => {
      assert.strictEqual(e.kind, 'auth');
      assert.match(e.message, /case sensitive/);
      assert.match(e.message, new RegExp(`${HOST}:${sim.port}`));
      assert.ok(!e.message.includes('wrong') || /password wrong/.test(e.message));
      assertNoCredentials(e);
      return true;
    });
    assert.strictEqual(sim.stats.loginFailures, 2);
    assert.deepStrictEqual(methods(), []);
    assert.strictEqual(sim.device.main.on, false);
  });

  it('works with a SESSIONID cookie and never sends TIMEOUT back', async () => {
    await start({ cookieName: 'SESSIONID' });
    transport();
    assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
    assert.deepStrictEqual(sessionCookie(['SESSIONID=AB12;TIMEOUT=1440']), { cookie: 'SESSIONID=AB12', timeoutS: 1440 });
    assert.deepStrictEqual(sessionCookie(['TP_SESSIONID=X9', 'TIMEOUT=60']), { cookie: 'TP_SESSIONID=X9', timeoutS: 60 });
    assert.deepStrictEqual(sessionCookie(['OTHER=1']), { cookie: null, timeoutS: 86400 });
    assert.deepStrictEqual(sessionCookie(undefined), { cookie: null, timeoutS: 86400 });
  });

  it('9999 (session timeout): handshakes again and resends once; the device runs it once', async () => {
    await start();
    transport();
    await t.send(INFO, 2000);
    sim.setFault({ type: 'session-timeout', times: 1 });
    assert.strictEqual(JSON.parse(await t.send(on(true), 2000)).error_code, 0);
    assert.strictEqual(sim.device.main.on, true);
    assert.deepStrictEqual(methods(), ['get_device_info', 'set_device_info']);
    assert.strictEqual(sim.stats.handshakes, 2);
    assert.strictEqual(t.stats.retries, 1);
  });

  it('9999 again right after a new session: an error, not a loop', async () => {
    await start();
    transport();
    await t.send(INFO, 2000);
    sim.setFault({ type: 'session-timeout' });
    await assert.rejects(t.send(on(true), 2000), (e) => e.kind === 'protocol' && /ended the session again/.test(e.message));
    assert.strictEqual(sim.stats.handshakes, 2);
    assert.deepStrictEqual(methods(), ['get_device_info']);
    sim.setFault(null); // healed: the next request starts a fresh session at once
    await t.send(INFO, 2000);
    assert.strictEqual(sim.stats.handshakes, 3);
    assert.deepStrictEqual(methods(), ['get_device_info', 'get_device_info']);
  });

  it('403 after N requests: a new session each time, every request run exactly once', async () => {
    await start();
    sim.setFault({ type: 'forbidden-after', requests: 3 });
    transport();
    for (let i = 0; i < 8; i++) await t.send(on(i % 2 === 0), 2000);
    assert.strictEqual(methods().length, 8);
    assert.strictEqual(sim.stats.handshakes, 3);
    assert.strictEqual(sim.device.main.on, false);
  });

  it('renews the session before the device TIMEOUT runs out', async () => {
    await start({ sessionTimeout: 3600 });
    let now = Date.now();
    transport({ now: () => now });
    await t.send(INFO, 2000);
    now += 35 * 60_000; // still well inside
    await t.send(INFO, 2000);
    assert.strictEqual(sim.stats.handshakes, 1);
    now += 10 * 60_000; // 45 min of 60: inside the last 20 minutes
    await t.send(INFO, 2000);
    assert.strictEqual(sim.stats.handshakes, 2);
    assert.strictEqual(t.stats.retries, 0);
  });

  it('1003 on the handshake: KlapOnlyError so the caller can switch to KLAP', async () => {
    await start();
    sim.setFault({ type: 'klap-only' });
    transport();
    await assert.rejects(t.send(INFO, 2000), (e) => {
      assert.ok(e instanceof KlapOnlyError);
      assert.strictEqual(e.kind, 'protocol');
      assert.strictEqual(e.klapOnly, true);
      assert.strictEqual(isKlapOnly(e), true);
      return true;
    });
    assert.strictEqual(isKlapOnly(new Error('x')), false);
  });

  it('1003 on a request of a live session: KlapOnlyError too, nothing run', async () => {
    await start();
    transport();
    await t.send(INFO, 2000);
    sim.setFault({ type: 'klap-only' });
    await assert.rejects(t.send(on(true), 2000), (e) => isKlapOnly(e));
    assert.deepStrictEqual(methods(), ['get_device_info']);
  });

  for (const code of [1002, 1112, -1001]) {
    it(`${code} on a read: resent once`, async () => {
      await start();
      transport();
      await t.send(INFO, 2000);
      sim.setFault({ type: 'err-code', code, times: 1 });
      assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
      assert.strictEqual(t.stats.retries, 1);
    });

    it(`${code} on a change: an error, never resent`, async () => {
      await start();
      transport();
      await t.send(INFO, 2000);
      sim.setFault({ type: 'err-code', code, times: 1 });
      await assert.rejects(t.send(on(true), 2000), (e) => e instanceof SmartDeviceError && e.code === code && e.kind === 'device');
      assert.strictEqual(t.stats.retries, 0);
      assert.deepStrictEqual(methods(), ['get_device_info']);
      // the session is still good
      assert.strictEqual(JSON.parse(await t.send(on(true), 2000)).error_code, 0);
      assert.strictEqual(sim.stats.handshakes, 1);
    });
  }

  it('1003 inside the login reply: KlapOnlyError', async () => {
    await start();
    sim.setFault({ type: 'login-code', code: 1003, times: 1 });
    transport();
    await assert.rejects(t.send(INFO, 2000), (e) => isKlapOnly(e));
  });

  it('a kept-open connection the device dropped while idle: the next request still goes through, once', async () => {
    await start();
    transport();
    await t.send(INFO, 2000);
    for (let i = 0; i < 5; i++) {
      sim.dropConnections();
      assert.strictEqual(JSON.parse(await t.send(on(i % 2 === 0), 2000)).error_code, 0);
    }
    assert.strictEqual(methods().filter((m) => m === 'set_device_info').length, 5);
    assert.strictEqual(sim.stats.handshakes, 1);
    assert.strictEqual(t.stats.connects, 6); // one fresh connection after each drop
  });

  it('1112 on login: retried (a login changes nothing)', async () => {
    await start();
    sim.setFault({ type: 'login-code', code: 1112, times: 1 });
    transport();
    assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
    assert.strictEqual(t.stats.retries, 1);
  });

  it('an inner error code is returned for the dialect to check, not retried', async () => {
    await start();
    transport();
    const r = JSON.parse(await t.send(JSON.stringify({ method: 'no_such_method' }), 2000));
    assert.strictEqual(r.error_code, -1002);
    assert.strictEqual(t.stats.retries, 0);
  });

  describe('hostile device: an error, never a crash; the transport still works after', () => {
    const cases = [
      { fault: { type: 'stall', times: 1 }, kind: 'timeout', timeout: 300 },
      { fault: { type: 'garbage', times: 1 }, kind: 'protocol', re: /not JSON/ },
      { fault: { type: 'bad-cipher', times: 1 }, kind: 'protocol', re: /does not decrypt/ },
      { fault: { type: 'non-json-inner', times: 1 }, kind: 'protocol', re: /not JSON/ },
      { fault: { type: 'huge', times: 1 }, kind: 'protocol', re: /exceeds/ },
      { fault: { type: 'http-500', times: 1 }, kind: 'protocol', re: /HTTP 500/ },
    ];
    for (const c of cases) {
      it(`${c.fault.type} on a request → ${c.kind}`, async () => {
        await start();
        transport({ connectTimeout: 1000 });
        await t.send(INFO, 2000);
        sim.setFault(c.fault);
        await assert.rejects(t.send(INFO, c.timeout || 2000), (e) => {
          assert.ok(e instanceof TplinkError, String(e));
          assert.strictEqual(e.kind, c.kind, e.message);
          if (c.re) assert.match(e.message, c.re);
          return true;
        });
        assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
      });
    }
    const onHandshake = cases.filter((c) => ['stall', 'garbage', 'huge', 'http-500'].includes(c.fault.type));
    for (const c of [...onHandshake, { fault: { type: 'bad-padding', times: 1 }, kind: 'protocol', re: /padding/ }]) {
      it(`${c.fault.type} on the handshake → ${c.kind}`, async () => {
        await start();
        sim.setFault(c.fault);
        transport({ connectTimeout: 300 });
        await assert.rejects(t.send(INFO, 2000), (e) => e instanceof TplinkError && e.kind === c.kind && (!c.re || c.re.test(e.message)));
        assert.strictEqual(sim.stats.logins, 0); // it failed at the handshake
        assert.strictEqual(JSON.parse(await t.send(INFO, 2000)).error_code, 0);
      });
    }
  });

  it('close(): a waiting request fails with kind closed, later ones too', async () => {
    await start();
    transport();
    await t.send(INFO, 2000);
    sim.setFault({ type: 'stall' });
    const p = t.send(INFO, 5000);
    setImmediate(() => t.close());
    await assert.rejects(p, (e) => e.kind === 'closed');
    await assert.rejects(t.send(INFO, 2000), (e) => e.kind === 'closed');
    t.close(); // idempotent
  });

  it('reuse:false opens a connection per exchange', async () => {
    await start();
    transport({ reuse: false });
    await t.send(INFO, 2000);
    await t.send(INFO, 2000);
    assert.strictEqual(t.stats.handshakes, 1);
    assert.strictEqual(sim.stats.connections, 4); // handshake, login, two requests
  });

  it('connection refused: kind refused', async () => {
    const srv = http.createServer();
    await new Promise((r) => srv.listen(0, HOST, r));
    const port = srv.address().port;
    await new Promise((r) => srv.close(r));
    t = new AesTransport({ host: HOST, port, connectTimeout: 1000, maxReplyBytes: 65536 });
    await assert.rejects(t.send(INFO, 1000), (e) => e.kind === 'refused');
  });

  describe('against hand-written servers', () => {
    let srv;
    let seen;
    const serve = async (handler) => {
      seen = [];
      srv = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          seen.push({ headers: req.headers, url: req.url, body });
          handler(req, res, body);
        });
      });
      await new Promise((r) => srv.listen(0, HOST, r));
      t = new AesTransport({ host: HOST, port: srv.address().port, connectTimeout: 1000, maxReplyBytes: 65536, credentials: { username: USER, password: PASS } });
    };
    afterEach(async () => {
      if (t) t.close();
      t = null;
      if (srv) await new Promise((r) => { srv.closeAllConnections(); srv.close(r); });
      srv = null;
    });
    const json = (res, obj, headers = {}) => res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(obj));

    it('sends the handshake the firmware wants: compact JSON, SPKI PEM, explicit Content-Length, requestByApp', async () => {
      await serve((req, res) => json(res, { error_code: -1010 }));
      await assert.rejects(t.send(INFO, 1000), (e) => e instanceof SmartDeviceError && e.code === -1010);
      const h = seen[0];
      assert.strictEqual(h.url, '/app');
      assert.strictEqual(h.headers['content-length'], String(Buffer.byteLength(h.body)));
      assert.strictEqual(h.headers['requestbyapp'], 'true');
      assert.strictEqual(h.headers['content-type'], 'application/json');
      assert.strictEqual(h.headers.cookie, undefined);
      const msg = JSON.parse(h.body);
      assert.strictEqual(h.body, JSON.stringify(msg));
      assert.strictEqual(msg.method, 'handshake');
      const key = crypto.createPublicKey(msg.params.key);
      assert.strictEqual(key.asymmetricKeyDetails.modulusLength, 1024);
      assert.match(msg.params.key, /^-----BEGIN PUBLIC KEY-----/);
      // 320 bytes for a 1024-bit key (the reference card's 314 counts the PEM's 6 newlines unescaped).
      assert.strictEqual(Buffer.byteLength(h.body), 320);
    });

    const hostile = {
      'non-JSON handshake': (req, res) => res.writeHead(200).end('<html>'),
      'handshake without a key': (req, res) => json(res, { error_code: 0, result: {} }, { 'Set-Cookie': 'TP_SESSIONID=1' }),
      'a key that is not 128 bytes': (req, res) => json(res, { error_code: 0, result: { key: Buffer.alloc(200, 1).toString('base64') } }, { 'Set-Cookie': 'TP_SESSIONID=1' }),
      'random key bytes (bad padding)': (req, res) => json(res, { error_code: 0, result: { key: crypto.randomBytes(128).toString('base64') } }, { 'Set-Cookie': 'TP_SESSIONID=1' }),
      'an array reply': (req, res) => json(res, [1, 2]),
      'a string error_code': (req, res) => json(res, { error_code: '0' }),
      'HTTP 403 on the handshake': (req, res) => res.writeHead(403).end(),
      'connection closed without reply': (req) => req.socket.destroy(),
    };
    for (const [name, handler] of Object.entries(hostile)) {
      it(`${name} → protocol error`, async () => {
        await serve(handler);
        await assert.rejects(t.send(INFO, 1000), (e) => e instanceof TplinkError && e.kind === 'protocol');
      });
    }

    it('a handshake with a good key but no session cookie → protocol error', async () => {
      await serve((req, res, body) => {
        const pem = JSON.parse(body).params.key;
        const enc = crypto.publicEncrypt({ key: pem, padding: crypto.constants.RSA_PKCS1_PADDING }, crypto.randomBytes(32));
        json(res, { error_code: 0, result: { key: enc.toString('base64') } });
      });
      await assert.rejects(t.send(INFO, 1000), (e) => e.kind === 'protocol' && /no session cookie/.test(e.message));
    });
  });

  describe('RSA PKCS#1 v1.5 done by hand', () => {
    it('decrypts what publicEncrypt(PKCS#1) made, with no flag', async () => {
      const kp = await generateRsaKeyPair();
      for (let i = 0; i < 20; i++) {
        const m = crypto.randomBytes(32);
        const c = crypto.publicEncrypt({ key: kp.publicPem, padding: crypto.constants.RSA_PKCS1_PADDING }, m);
        assert.deepStrictEqual(rsaDecryptPkcs1v15(kp.privateKey, c), m);
      }
    });
    it('checks the padding', () => {
      const ok = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(8, 7), Buffer.from([0]), Buffer.from('hi')]);
      assert.strictEqual(unpadPkcs1v15(ok).toString(), 'hi');
      for (const bad of [
        Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(8, 7), Buffer.from([0, 1])]),
        Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(8, 7), Buffer.from([0, 1])]),
        Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(7, 7), Buffer.from([0, 1, 2])]), // padding string too short
        Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(20, 7)]), // no separator
        Buffer.from([0, 2]),
      ]) assert.throws(() => unpadPkcs1v15(bad), /bad RSA padding/);
    });
    it('login params: v1 base64 password, v2 base64 hex SHA1; username base64 hex SHA1', () => {
      const sha = (s) => crypto.createHash('sha1').update(s).digest('hex');
      assert.deepStrictEqual(loginParams('a@b.c', 'pw', 1), { username: Buffer.from(sha('a@b.c')).toString('base64'), password: Buffer.from('pw').toString('base64') });
      assert.deepStrictEqual(loginParams('a@b.c', 'pw', 2), { username: Buffer.from(sha('a@b.c')).toString('base64'), password2: Buffer.from(sha('pw')).toString('base64') });
    });
  });
});
