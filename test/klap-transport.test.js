'use strict';
// KlapTransport against the KLAP simulator (and a few hand-written HTTP
// servers for what the simulator can't do), real sockets on 127.0.0.1:
// both hash versions, the default accounts, the auth errors, sessions that
// expire or are forgotten, what is and isn't sent twice, a 1,000-request run,
// close(), and every simulator fault.
const assert = require('assert');
const http = require('http');
const { KlapTransport } = require('../nodes/core/transport/klap');
const { KlapPlugSimulator, KLAP_FAULT_TYPES } = require('../nodes/simulator');
const { klapRequest } = require('./interop/klap-from-card');

const HOST = '127.0.0.1';
const USER = 'Owner@Example.com';
const PASS = 'S3cret-Pass';
const SYSINFO = '{"system":{"get_sysinfo":{}}}';
const aliasReq = (alias) => JSON.stringify({ system: { set_dev_alias: { alias } } });

describe('KlapTransport + KLAP simulator (loopback)', function () {
  let sim;
  let t;
  const start = async (opts) => {
    sim = await KlapPlugSimulator.start({ host: HOST, port: 0, discoveryPort: null, username: USER, password: PASS, ...opts });
    return sim;
  };
  const connect = (opts = {}) => {
    t = new KlapTransport({
      host: HOST, port: sim.port, connectTimeout: 2000, maxReplyBytes: 65536,
      credentials: { username: USER, password: PASS }, ...opts,
    });
    return t;
  };
  const sysinfo = async (timeout = 2000) => JSON.parse(await t.send(SYSINFO, timeout)).system.get_sysinfo;
  afterEach(async () => {
    if (t) t.close();
    if (sim) await sim.stop();
    t = sim = null;
  });

  for (const [model, version] of [['hs100-klap', 1], ['kp115-klap', 2], ['hs300-klap', 2]]) {
    it(`${model}: finds hash v${version} from the proof and reads the sysinfo`, async () => {
      await start({ model });
      connect();
      const info = await sysinfo();
      assert.strictEqual(info.model, sim.spec.model);
      assert.strictEqual(info.deviceId, sim.device.deviceId);
      assert.strictEqual(t.hashVersion, version);
      assert.strictEqual(t.usedDefaultCredentials, false);
      assert.deepStrictEqual(t.stats, { connects: 1, retries: 0, handshakes: 1 });
      assert.strictEqual(t.name, 'klap');
    });
  }

  it('handshake2 and requests carry only Cookie: TP_SESSIONID=<id>', async () => {
    await start({ model: 'kp115-klap' });
    connect();
    await sysinfo();
    assert.strictEqual(sim.server.cookieHeaders.length, 2);
    for (const c of sim.server.cookieHeaders) assert.match(c, /^TP_SESSIONID=[0-9A-F]{32}$/);
  });

  it('exposes no credentials: not as properties, not in JSON', async () => {
    await start({ model: 'kp115-klap' });
    connect();
    await sysinfo();
    const k = require('../nodes/core/transport/klap-crypto');
    const secrets = [PASS, USER, k.klapAuthHash(2, USER, PASS).toString('hex')];
    for (const seen of [JSON.stringify(t), require('util').inspect(t, { depth: 10, showHidden: true })]) {
      for (const secret of secrets) assert.ok(!seen.includes(secret), seen);
    }
    // the account hash's bytes appear nowhere in what inspect shows
    const h = k.klapAuthHash(2, USER, PASS);
    const shown = require('util').inspect(t, { depth: 10, showHidden: true, maxArrayLength: Infinity });
    assert.ok(!shown.includes(h.subarray(0, 8).toString('hex').match(/../g).join(' ')), 'hash bytes shown');
    for (const k of Object.keys(t)) assert.ok(!/password|username|credential/i.test(k), k);
  });

  describe('default accounts, tried against the same handshake1 answer', () => {
    for (const [label, account] of [
      ['blank (un-provisioned)', { username: '', password: '' }],
      ['the Kasa default', { username: 'kasa@tp-link.net', password: 'kasaSetup' }],
      ['the test account', { username: 'test@tp-link.net', password: 'test' }],
    ]) {
      for (const model of ['hs100-klap', 'kp115-klap']) {
        it(`${model} on ${label}: configured account refused, default one accepted, one handshake1`, async () => {
          await start({ model, ...account });
          connect();
          await sysinfo();
          assert.strictEqual(t.usedDefaultCredentials, true);
          assert.strictEqual(sim.server.counts.handshake1, 1);
          assert.strictEqual(sim.server.counts.handshake2, 1);
        });
      }
    }
    it('works with no configured account at all', async () => {
      await start({ model: 'kp115-klap', username: '', password: '' });
      connect({ credentials: undefined });
      await sysinfo();
      assert.strictEqual(t.usedDefaultCredentials, true);
    });
    it('says so when the owner\'s account matches again later', async () => {
      await start({ model: 'kp115-klap', username: 'kasa@tp-link.net', password: 'kasaSetup' });
      connect();
      await sysinfo();
      assert.strictEqual(t.usedDefaultCredentials, true);
      sim.server.setAccount(USER, PASS);
      sim.server.dropSessions();
      await sysinfo();
      assert.strictEqual(t.usedDefaultCredentials, false);
    });
  });

  describe('authentication errors', () => {
    it('wrong password: auth error, no handshake2, nothing requested, no credential in the message', async () => {
      await start({ model: 'kp115-klap' });
      connect({ credentials: { username: USER, password: 'wrong-password' } });
      await assert.rejects(t.send(aliasReq('x'), 2000), (e) => {
        assert.strictEqual(e.kind, 'auth');
        assert.strictEqual(e.name, 'AuthError');
        assert.strictEqual(e.reason, 'credentials');
        assert.match(e.message, /wrong e-mail or password/);
        assert.match(e.message, /case sensitive/);
        assert.match(e.message, /TP-Link cloud account/);
        for (const secret of [USER, 'wrong-password', PASS]) assert.ok(!e.message.includes(secret), e.message);
        assert.ok(!JSON.stringify(e).includes('wrong-password'));
        return true;
      });
      assert.strictEqual(sim.server.counts.handshake1, 1);
      assert.strictEqual(sim.server.counts.handshake2, 0);
      assert.strictEqual(sim.server.counts.requests, 0);
      assert.strictEqual(sim.requests.length, 0);
      assert.strictEqual(t.hashVersion, null);
    });
    it('username case matters: the same e-mail in another case is refused', async () => {
      await start({ model: 'hs100-klap' });
      connect({ credentials: { username: USER.toLowerCase(), password: PASS } });
      await assert.rejects(t.send(SYSINFO, 2000), { kind: 'auth', reason: 'credentials' });
    });
    it('403 on handshake1: the Third-Party Compatibility message', async () => {
      await start({ model: 'kp115-klap' });
      sim.setFault('forbid-handshake');
      connect();
      await assert.rejects(t.send(SYSINFO, 2000), (e) => {
        assert.strictEqual(e.kind, 'auth');
        assert.strictEqual(e.reason, 'third-party-off');
        assert.match(e.message, /"Third-Party Compatibility" switched on in the Kasa or Tapo app/);
        return true;
      });
      assert.strictEqual(sim.server.counts.handshake2, 0);
    });
  });

  describe('sessions', () => {
    it('1,000 requests in sequence: one handshake, one connection, every one applied once, in order', async function () {
      this.timeout(60000);
      await start({ model: 'hs100-klap' });
      connect();
      for (let i = 0; i < 1000; i++) {
        const reply = JSON.parse(await t.send(aliasReq(`n${i}`), 2000));
        assert.strictEqual(reply.system.set_dev_alias.err_code, 0);
      }
      assert.strictEqual((await sysinfo()).alias, 'n999');
      assert.deepStrictEqual(t.stats, { connects: 1, retries: 0, handshakes: 1 });
      assert.strictEqual(sim.requests.length, 1001);
      assert.deepStrictEqual(sim.requests.slice(0, 1000).map((r) => r.system.set_dev_alias.alias), Array.from({ length: 1000 }, (_, i) => `n${i}`));
    });

    it('renews a short session before its TIMEOUT runs out (the device never refuses one)', async () => {
      await start({ model: 'kp115-klap', sessionTimeout: 2 });
      connect();
      await sysinfo();
      // renewal is due at half-life for sessions shorter than 40 min: 1 s here
      await new Promise((r) => setTimeout(r, 1200));
      await sysinfo();
      assert.strictEqual(t.stats.handshakes, 2);
      assert.strictEqual(sim.server.counts.forbidden, 0);
      assert.strictEqual(t.stats.retries, 0);
    });

    it('short-timeout fault: a session really expiring on the device is renewed by the client first', async () => {
      await start({ model: 'hs100-klap' });
      sim.setFault({ type: 'short-timeout', seconds: 1, times: 1 });
      connect();
      await sysinfo();
      await new Promise((r) => setTimeout(r, 1100));
      await sysinfo();
      assert.strictEqual(t.stats.handshakes, 2);
      assert.strictEqual(sim.server.counts.forbidden, 0);
    });

    it('403 mid-session: one new handshake and one resend, the command applied once', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      await sysinfo();
      sim.setFault({ type: 'forbid-request', times: 1 });
      const reply = JSON.parse(await t.send(aliasReq('once'), 2000));
      assert.strictEqual(reply.system.set_dev_alias.err_code, 0);
      assert.strictEqual(t.stats.handshakes, 2);
      assert.strictEqual(t.stats.retries, 1);
      assert.strictEqual(sim.server.counts.forbidden, 1);
      assert.strictEqual(sim.requests.filter((r) => r.system?.set_dev_alias).length, 1);
      assert.strictEqual(sim.device.alias(), 'once');
    });

    it('401 mid-session: the same single re-handshake and resend', async () => {
      await start({ model: 'hs100-klap' });
      connect();
      await sysinfo();
      sim.setFault({ type: 'forbid-request', status: 401, times: 1 });
      assert.strictEqual(JSON.parse(await t.send(aliasReq('401'), 2000)).system.set_dev_alias.err_code, 0);
      assert.deepStrictEqual([t.stats.handshakes, t.stats.retries, sim.server.counts.forbidden], [2, 1, 1]);
      assert.strictEqual(sim.requests.filter((r) => r.system?.set_dev_alias).length, 1);
    });

    it('a device that forgot every session (reboot): 403, re-handshake, resend', async () => {
      await start({ model: 'hs100-klap' });
      connect();
      await sysinfo();
      sim.server.dropSessions();
      await sysinfo();
      assert.strictEqual(t.stats.handshakes, 2);
      assert.strictEqual(t.stats.retries, 1);
    });

    it('403 again on the fresh session: a protocol error, not a loop', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      await sysinfo();
      sim.setFault('forbid-request');
      await assert.rejects(t.send(aliasReq('z'), 2000), { kind: 'protocol', message: /HTTP 403/ });
      assert.strictEqual(sim.server.counts.forbidden, 2);
      assert.strictEqual(t.stats.handshakes, 2);
      assert.strictEqual(sim.requests.length, 1);
    });
  });

  describe('simulator faults', () => {
    it('stall: timeout, never resent, the next request works', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      await sysinfo();
      sim.setFault({ type: 'stall', times: 1 });
      await assert.rejects(t.send(aliasReq('maybe'), 300), { kind: 'timeout' });
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(sim.requests.filter((r) => r.system?.set_dev_alias).length, 1);
      assert.strictEqual(t.stats.retries, 0);
      assert.strictEqual((await sysinfo()).alias, 'maybe');
      assert.strictEqual(sim.requests.filter((r) => r.system?.set_dev_alias).length, 1);
    });

    it('http-500: protocol error naming the status, not resent', async () => {
      await start({ model: 'hs100-klap' });
      connect();
      sim.setFault({ type: 'http-500', times: 1 });
      await assert.rejects(t.send(aliasReq('a'), 2000), { kind: 'protocol', message: /HTTP 500/ });
      assert.strictEqual(sim.requests.length, 1);
      assert.strictEqual(t.stats.retries, 0);
      await sysinfo();
    });

    it('undecryptable body: protocol error "does not decrypt", not resent; a new session after', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      sim.setFault({ type: 'undecryptable', times: 1 });
      await assert.rejects(t.send(aliasReq('a'), 2000), { kind: 'protocol', message: /does not decrypt/ });
      assert.strictEqual(sim.requests.length, 1);
      await sysinfo();
      assert.strictEqual(t.stats.handshakes, 2);
    });

    it('wrong proof: auth error, no handshake2', async () => {
      await start({ model: 'kp115-klap' });
      sim.setFault('wrong-proof');
      connect();
      await assert.rejects(t.send(SYSINFO, 2000), { kind: 'auth', reason: 'credentials' });
      assert.strictEqual(sim.server.counts.handshake2, 0);
    });

    it('close after every reply: 50 requests, each applied once, one handshake', async () => {
      await start({ model: 'hs300-klap' });
      sim.setFault('close-after-reply');
      connect();
      for (let i = 0; i < 50; i++) JSON.parse(await t.send(aliasReq(`c${i}`), 2000));
      assert.strictEqual(sim.requests.length, 50);
      assert.deepStrictEqual(sim.requests.map((r) => r.system.set_dev_alias.alias), Array.from({ length: 50 }, (_, i) => `c${i}`));
      assert.strictEqual(t.stats.handshakes, 1);
      assert.ok(t.stats.connects >= 50, `connects ${t.stats.connects}`);
      // learned after the first close: no request is written into a closing socket
      assert.ok(t.stats.retries <= 1, `retries ${t.stats.retries}`);
    });

    it('every simulator fault type is covered here', () => {
      assert.deepStrictEqual([...KLAP_FAULT_TYPES].sort(), [
        'close-after-reply', 'forbid-handshake', 'forbid-request', 'http-500', 'short-timeout', 'stall', 'undecryptable', 'wrong-proof',
      ]);
    });
  });

  describe('transport limits and close()', () => {
    it('credentials that are not strings: a validation error naming the field, nothing sent', async () => {
      await start({ model: 'kp115-klap' });
      assert.throws(() => connect({ credentials: { username: 42, password: 'x' } }), { kind: 'invalid-input', message: /credentials\.username/ });
      assert.throws(() => connect({ credentials: { username: 'a', password: null } }), (e) => e.kind === 'invalid-input' && /credentials\.password/.test(e.message) && !/null/.test(e.message));
      assert.strictEqual(sim.server.counts.handshake1, 0);
      t = null;
    });

    it('a send timeout past 2^31-1 ms is bounded (no instant timer overflow)', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      assert.strictEqual((await sysinfo(2 ** 32)).model, 'KP115(UK)');
    });

    it('reply larger than maxReplyBytes: protocol error', async () => {
      await start({ model: 'hs300-klap' });
      connect({ maxReplyBytes: 200 });
      await assert.rejects(sysinfo(), { kind: 'protocol', message: /larger than 200 bytes/ });
    });

    it('HTTP port closed: refused', async () => {
      await start({ model: 'kp115-klap' });
      const port = sim.port;
      await sim.stop();
      t = new KlapTransport({ host: HOST, port, connectTimeout: 2000, maxReplyBytes: 65536 });
      await assert.rejects(t.send(SYSINFO, 2000), (e) => e.kind === 'refused' && /HTTP port is closed/.test(e.message));
    });

    it('close() during a request: rejects with closed; later sends reject with closed', async () => {
      await start({ model: 'kp115-klap' });
      connect();
      await sysinfo();
      sim.setFault('stall');
      const p = t.send(SYSINFO, 5000);
      await new Promise((r) => setTimeout(r, 100));
      t.close();
      await assert.rejects(p, { kind: 'closed', name: 'ClientClosedError' });
      await assert.rejects(t.send(SYSINFO, 2000), { kind: 'closed' });
      t.close(); // idempotent
    });
  });

  describe('independent client written from the card', () => {
    for (const [model, version] of [['hs100-klap', 1], ['kp115-klap', 2]]) {
      it(`talks to the ${model} simulator (v${version}): handshake1, handshake2, one request`, async () => {
        await start({ model });
        const reply = JSON.parse(await klapRequest({ port: sim.port, version, username: USER, password: PASS, json: SYSINFO }));
        assert.strictEqual(reply.system.get_sysinfo.deviceId, sim.device.deviceId);
        await assert.rejects(klapRequest({ port: sim.port, version: version === 1 ? 2 : 1, username: USER, password: PASS, json: SYSINFO }), /proof/);
      });
    }
  });
});

describe('KlapTransport against hand-written HTTP servers', () => {
  let server;
  let t;
  const serve = async (handler) => {
    server = http.createServer(handler);
    await new Promise((r) => server.listen(0, HOST, r));
    t = new KlapTransport({ host: HOST, port: server.address().port, connectTimeout: 1000, maxReplyBytes: 65536, credentials: { username: USER, password: PASS } });
  };
  afterEach(async () => {
    if (t) t.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    server = t = null;
  });

  it('close() during the handshake: rejects with closed', async () => {
    let hits = 0;
    await serve(() => hits++); // never answers
    const p = t.send(SYSINFO, 2000);
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(hits, 1);
    t.close();
    await assert.rejects(p, { kind: 'closed' });
  });

  it('handshake1 that never answers: timeout within connectTimeout', async () => {
    await serve(() => {});
    await assert.rejects(t.send(SYSINFO, 5000), (e) => e.kind === 'timeout' && /1000 ms/.test(e.message));
  });

  it('handshake1 answer of the wrong size: protocol error', async () => {
    await serve((req, res) => res.end(Buffer.alloc(10)));
    await assert.rejects(t.send(SYSINFO, 2000), { kind: 'protocol', message: /10 bytes, expected 48/ });
  });

  it('a session cookie that would inject a header: protocol error, nothing more sent', async () => {
    const paths = [];
    await serve((req, res) => {
      paths.push(req.url);
      res.setHeader('Set-Cookie', 'TP_SESSIONID=a"b;TIMEOUT=10');
      res.end(Buffer.alloc(48));
    });
    await assert.rejects(t.send(SYSINFO, 2000), { kind: 'protocol', message: /session cookie/ });
    assert.deepStrictEqual(paths, ['/app/handshake1']);
  });
});
