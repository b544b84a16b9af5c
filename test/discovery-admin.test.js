'use strict';
// The editor's admin endpoints: discovery (config dialog "Search") and outlet
// lists (outlet picker). Routes through the test helper's admin app, then
// permissions against a real Node-RED started with adminAuth. Loopback only.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const http = require('http');
const netlib = require('net');
const { helper, load, deviceNode, wired, exchange } = require('./support/nodes');
const { SimulatorNetwork, PlugSimulator } = require('../nodes/simulator');
const { silentUdpPort } = require('./support/silent-udp');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('admin endpoints /tplink-smartplug/…', function () {
  let net;
  let quiet; // the 20002 probe goes here: these tests are about legacy plugs
  before(async () => {
    quiet = await silentUdpPort();
    net = await SimulatorNetwork.start({
      host: '127.0.0.1',
      discoveryPort: 0,
      devices: [{ model: 'hs110', alias: 'Lamp' }, { model: 'hs100', alias: 'Fan' }, { model: 'hs300', alias: 'Strip' }],
      extras: ['garbage', 'bulb'],
    });
  });
  after(async () => { await net.stop(); await quiet.close(); });

  describe('through the test helper', () => {
    const [lamp, , strip] = [0, 1, 2];
    beforeEach(async () => {
      await load(['tplink-relay'], [
        deviceNode('dev', net.members[lamp]),
        deviceNode('strip', net.members[strip]),
        ...wired('relay', 'tplink-relay', 'dev'),
      ]);
    });
    afterEach(async () => { await helper.unload(); });

    const discover = (q) => helper.request().post('/tplink-smartplug/discover').query(q);

    it('POST discover lists the plugs only (not the bulb, not the garbage), with outlets', async () => {
      const res = await discover({ broadcast: '127.0.0.1', port: net.discoveryPort, port20002: quiet.port, timeout: 300 }).expect(200);
      const { devices, rejected } = res.body;
      assert.deepStrictEqual(devices.map((d) => d.alias).sort(), ['Fan', 'Lamp', 'Strip']);
      for (const d of devices) {
        const sim = net.members.find((m) => m.port === d.port);
        assert.ok(sim, `${d.host}:${d.port} is a member`);
        assert.strictEqual(d.host, '127.0.0.1');
        assert.strictEqual(d.mac, sim.device.mac);
        assert.strictEqual(d.deviceId, sim.device.deviceId);
        assert.strictEqual(d.model, sim.device.sysinfo().model);
      }
      const s = devices.find((d) => d.alias === 'Strip');
      assert.strictEqual(s.outlets, 6);
      assert.deepStrictEqual(s.children.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
      assert.strictEqual(s.children[1].alias, 'Plug 2');
      assert.strictEqual(rejected.length, 2);
      assert.ok(rejected.every((r) => typeof r.reason === 'string'));
    });

    it('takes its parameters from a JSON body as well', async () => {
      const res = await helper.request().post('/tplink-smartplug/discover')
        .send({ broadcast: '127.0.0.1', port: net.discoveryPort, port20002: quiet.port, timeout: 300 }).expect(200);
      assert.strictEqual(res.body.devices.length, 3);
    });

    for (const [q, field] of [
      [{ broadcast: 'example.com' }, 'broadcast'],
      [{ broadcast: '256.1.1.1' }, 'broadcast'],
      [{ broadcast: '::1' }, 'broadcast'],
      [{ broadcast: '127.0.0.1/8' }, 'broadcast'],
      [{ broadcast: ['127.0.0.1', '127.0.0.2'] }, 'broadcast'],
      [{ broadcast: '127.0.0.1', port: '0' }, 'port'],
      [{ broadcast: '127.0.0.1', port: '70000' }, 'port'],
      [{ broadcast: '127.0.0.1', port: '99a' }, 'port'],
      [{ broadcast: '127.0.0.1', timeout: '60000' }, 'timeout'],
      [{ broadcast: '127.0.0.1', timeout: '5' }, 'timeout'],
      [{ broadcast: '127.0.0.1', timeout: '1e3' }, 'timeout'],
    ]) {
      it(`400 for ${JSON.stringify(q)}, naming ${field}; nothing is sent`, async () => {
        const before = net.members.map((m) => m.requests.length);
        const res = await discover(q).expect(400);
        assert.strictEqual(res.body.field, field);
        assert.match(res.body.error, new RegExp(`invalid ${field}`));
        assert.deepStrictEqual(net.members.map((m) => m.requests.length), before);
      });
    }

    it('GET device/<id>/outlets asks a deployed strip through its config node', async () => {
      const res = await helper.request().get('/tplink-smartplug/device/strip/outlets').expect(200);
      assert.strictEqual(res.body.alias, 'Strip');
      assert.strictEqual(res.body.outlets.length, 6);
      assert.deepStrictEqual(res.body.outlets[2], { index: 2, id: net.members[strip].device.childId(2), alias: 'Plug 3', on: false });
      await sleep(30);
      assert.strictEqual(net.members[strip].activeConnections, 0, 'no node uses the strip: no connection left open');
    });

    it('GET device/<id>/outlets on a device in use goes through its shared connection', async () => {
      const sim = net.members[lamp];
      const opened = sim.connectionsOpened;
      assert.ifError((await exchange('relay', { payload: true })).error);
      const res = await helper.request().get('/tplink-smartplug/device/dev/outlets').expect(200);
      assert.deepStrictEqual(res.body.outlets, [], 'a single plug has no outlets');
      assert.strictEqual(res.body.alias, 'Lamp');
      assert.strictEqual(sim.connectionsOpened, opened + 1);
      assert.strictEqual(sim.peakConnections, 1);
    });

    it('GET device/<id>/outlets: 404 for an unknown or non-device id', async () => {
      await helper.request().get('/tplink-smartplug/device/nope/outlets').expect(404);
      await helper.request().get('/tplink-smartplug/device/relay/outlets').expect(404);
      await helper.request().get(`/tplink-smartplug/device/${'x'.repeat(200)}/outlets`).expect(404);
    });

    it('GET outlets?host=&port= asks a device not deployed yet; 400 for a bad host, 502 when refused', async () => {
      const res = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1', port: net.members[strip].port }).expect(200);
      assert.strictEqual(res.body.outlets.length, 6);
      const bad = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1:80/x', port: 9999 }).expect(400);
      assert.strictEqual(bad.body.field, 'host');
      const gone = await PlugSimulator.start({ model: 'hs100', host: '127.0.0.1', port: 0 });
      const port = gone.port;
      await gone.stop();
      const refused = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1', port }).expect(502);
      assert.strictEqual(refused.body.kind, 'refused');
    });

    it('each route sits behind needsPermission (write for probing, read for a deployed device)', () => {
      const mod = require('../nodes/tplink-device.js');
      const calls = [];
      const app = { get: (p, ...mw) => calls.push(['get', p, mw]), post: (p, ...mw) => calls.push(['post', p, mw]) };
      const asked = [];
      const RED = {
        httpAdmin: app,
        auth: { needsPermission: (perm) => { asked.push(perm); const mw = () => {}; mw.perm = perm; return mw; } },
        nodes: { registerType() {}, createNode() {}, getNode() { return null; } },
      };
      mod(RED);
      mod(RED); // a second load in the same runtime registers nothing more
      assert.deepStrictEqual(calls.map(([m, p, mw]) => `${m} ${p} ${mw[0].perm}`), [
        'post /tplink-smartplug/discover tplink-device.write',
        'get /tplink-smartplug/device/:id/outlets tplink-device.read',
        'get /tplink-smartplug/outlets tplink-device.write',
      ]);
      assert.ok(calls.every(([, , mw]) => mw.length === 2), 'permission middleware, then the handler');
    });
  });

  describe('probes are shared per device and capped (a read-only user can not flood a plug)', () => {
    // A TCP gate in front of the strip simulator: counts the connections made to the
    // "plug" and holds them until opened, so every HTTP request is known to be in
    // flight before the first probe can finish (no timing involved).
    const gates = [];
    async function gate(target) {
      const g = { connections: 0, open: false, held: [] };
      g.server = netlib.createServer((sock) => {
        g.connections++;
        sock.pause();
        const pass = () => {
          const up = netlib.connect(target.port, '127.0.0.1');
          up.on('error', () => sock.destroy());
          sock.on('error', () => up.destroy());
          sock.on('close', () => up.destroy());
          sock.pipe(up).pipe(sock);
        };
        if (g.open) pass(); else g.held.push(pass);
      });
      await new Promise((r) => g.server.listen(0, '127.0.0.1', r));
      g.port = g.server.address().port;
      g.release = () => { g.open = true; for (const p of g.held.splice(0)) p(); };
      gates.push(g);
      return g;
    }
    let admin = null;
    let seen;
    /** Loads the flow, then serves the helper's admin app (made by the load) on 127.0.0.1. */
    async function deploy(flow) {
      await load([], flow);
      seen = 0;
      admin = http.createServer(helper._httpAdmin);
      admin.on('request', () => { seen++; }); // after the app's own listener: the handler has run
      await new Promise((r) => admin.listen(0, '127.0.0.1', r));
    }
    afterEach(async () => {
      if (admin) {
        admin.closeAllConnections();
        await new Promise((r) => admin.close(r));
        admin = null;
      }
      for (const g of gates.splice(0)) { g.release(); g.server.close(); }
      await helper.unload();
    });

    function get(urlPath) {
      return new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: admin.address().port, path: urlPath, agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
        }).on('error', reject);
      });
    }
    async function until(cond) {
      while (!cond()) await sleep(5);
    }

    it('200 concurrent GET outlets?host=&port= for one device: one connection, 200 answers', async () => {
      const sim = net.members[2];
      const g = await gate(sim);
      await deploy([deviceNode('dev', net.members[0])]);
      const opened = sim.connectionsOpened;
      const all = Array.from({ length: 200 }, () => get(`/tplink-smartplug/outlets?host=127.0.0.1&port=${g.port}`));
      await until(() => seen === 200);
      g.release();
      const res = await Promise.all(all);
      assert.deepStrictEqual([...new Set(res.map((r) => r.status))], [200]);
      assert.ok(res.every((r) => r.body.outlets.length === 6));
      assert.strictEqual(g.connections, 1);
      assert.strictEqual(sim.connectionsOpened, opened + 1);
    });

    it('200 concurrent GET device/<id>/outlets for a device no node uses: one connection, 200 answers', async () => {
      const sim = net.members[2];
      const g = await gate(sim);
      await deploy([{ ...deviceNode('gated', sim), port: g.port }]);
      const all = Array.from({ length: 200 }, () => get('/tplink-smartplug/device/gated/outlets'));
      await until(() => seen === 200);
      g.release();
      const res = await Promise.all(all);
      assert.deepStrictEqual([...new Set(res.map((r) => r.status))], [200]);
      assert.ok(res.every((r) => r.body.alias === 'Strip' && r.body.outlets.length === 6));
      assert.strictEqual(g.connections, 1);
    });

    it('at most 4 devices are probed at once: the 5th gets 429 and opens nothing', async () => {
      const sim = net.members[2];
      const gs = [];
      for (let i = 0; i < 5; i++) gs.push(await gate(sim));
      await deploy([deviceNode('dev', net.members[0])]);
      const codes = [];
      const all = gs.map((g) => get(`/tplink-smartplug/outlets?host=127.0.0.1&port=${g.port}`).then((r) => { codes.push(r.status); return r; }));
      await until(() => seen === 5 && codes.length === 1);
      assert.deepStrictEqual(codes, [429]);
      await until(() => gs.reduce((n, g) => n + g.connections, 0) === 4);
      for (const g of gs) g.release();
      const res = await Promise.all(all);
      assert.deepStrictEqual(res.map((r) => r.status).sort(), [200, 200, 200, 200, 429]);
      assert.strictEqual(gs.reduce((n, g) => n + g.connections, 0), 4);
      assert.match(res.find((r) => r.status === 429).body.error, /too many/);
      // The slots are free again.
      assert.strictEqual((await get(`/tplink-smartplug/outlets?host=127.0.0.1&port=${gs[0].port}`)).status, 200);
    });
  });

  describe('with adminAuth, in a real Node-RED', function () {
    this.timeout(20000);
    let red;
    let base;
    let dir;

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-auth-'));
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.symlinkSync(path.resolve(__dirname, '..'), path.join(dir, 'node_modules', 'node-red-contrib-tplink-smartplug'), 'dir');
      const hash = require('bcryptjs').hashSync('secret', 8);
      fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: 0,
        flowFile: 'flows.json',
        credentialSecret: 'test',
        telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false },
        editorTheme: { palette: { catalogues: [] }, tours: false, projects: { enabled: false } },
        externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password: hash, permissions: '*' },
            { username: 'viewer', password: hash, permissions: 'read' },
          ],
        },
      })};\n`);
      fs.writeFileSync(path.join(dir, 'flows.json'), '[]');
      red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', path.join(dir, 'settings.js'), '--userDir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      base = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${log}`)), 15000);
        const onData = (d) => {
          log += d;
          const m = /Server now running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        };
        red.stdout.on('data', onData);
        red.stderr.on('data', onData);
        red.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Node-RED exited (${code}):\n${log}`)); });
      });
    });

    after(async () => {
      if (red && red.exitCode === null) {
        const exited = new Promise((r) => red.once('exit', r));
        red.kill('SIGTERM');
        await exited;
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function token(username, scope) {
      const res = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password: 'secret' }),
      });
      assert.strictEqual(res.status, 200, `token for ${username}`);
      return (await res.json()).access_token;
    }

    const discoverUrl = () => `${base}/tplink-smartplug/discover?broadcast=127.0.0.1&port=${net.discoveryPort}&port20002=${quiet.port}&timeout=300`;
    const auth = (t) => (t ? { authorization: `Bearer ${t}` } : {});

    it('the package is loaded (tplink-device registered)', async () => {
      const res = await fetch(`${base}/nodes`, { headers: { accept: 'application/json', ...auth(await token('admin', '*')) } });
      const list = await res.json();
      assert.ok(list.some((n) => (n.types || []).includes('tplink-device')), 'tplink-device in the palette');
    });

    it('no login: 401 and no probe sent', async () => {
      const before = net.members.map((m) => m.requests.length);
      const res = await fetch(discoverUrl(), { method: 'POST' });
      assert.strictEqual(res.status, 401);
      const res2 = await fetch(`${base}/tplink-smartplug/outlets?host=127.0.0.1&port=${net.members[0].port}`);
      assert.strictEqual(res2.status, 401);
      const res3 = await fetch(`${base}/tplink-smartplug/device/x/outlets`);
      assert.strictEqual(res3.status, 401);
      await sleep(100);
      assert.deepStrictEqual(net.members.map((m) => m.requests.length), before);
    });

    it('a read-only user may not search or probe addresses, but may ask a deployed device', async () => {
      const t = await token('viewer', 'read');
      assert.strictEqual((await fetch(discoverUrl(), { method: 'POST', headers: auth(t) })).status, 401);
      assert.strictEqual((await fetch(`${base}/tplink-smartplug/outlets?host=127.0.0.1&port=${net.members[0].port}`, { headers: auth(t) })).status, 401);
      // passes the permission check; no such config node deployed
      assert.strictEqual((await fetch(`${base}/tplink-smartplug/device/x/outlets`, { headers: auth(t) })).status, 404);
    });

    it('an admin can search: the plugs answer', async () => {
      const res = await fetch(discoverUrl(), { method: 'POST', headers: auth(await token('admin', '*')) });
      assert.strictEqual(res.status, 200);
      const body = await res.json();
      assert.deepStrictEqual(body.devices.map((d) => d.alias).sort(), ['Fan', 'Lamp', 'Strip']);
    });
  });
});
