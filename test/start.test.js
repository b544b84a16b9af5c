'use strict';
// `npm start` as a newcomer runs it: simulated plugs, Node-RED with this package
// and the demo flow, the demo's inject switching a simulated plug, and Ctrl-C
// (SIGINT) stopping everything. Ports and user directory are moved aside so the
// test can run beside a developer's own `npm start`.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const { DeviceClient } = require('../nodes/core/client');

function request(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { Accept: 'application/json', 'Content-Type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const canBind = (port) => new Promise((resolve) => {
  const srv = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
});

/** Seven free consecutive ports below the ephemeral range: three Kasa plugs, the KLAP plug, two Tapo, Node-RED. */
async function freePorts() {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 10000);
    const ok = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((k) => canBind(base + k)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free ports');
}

describe('npm start (the demo)', function () {
  this.timeout(60000);
  let proc, tmp, base, log = '';
  // Node-RED's port: after the six simulated devices.
  let NR;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-start-'));
    base = await freePorts();
    NR = base + 6;
    proc = spawn(process.execPath, [path.join(__dirname, '..', 'scripts', 'start.js')], {
      env: { ...process.env, PORT: String(base + 6), TPLINK_SIM_PORT: String(base), TPLINK_USER_DIR: tmp, NODE_RED_LOG: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.on('data', (c) => { log += c; });
    proc.stderr.on('data', (c) => { log += c; });
    await new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        // Started, and the KLAP plug's demo account deployed into the credential store.
        if (/Started flows/.test(log) && /demo account is in Node-RED's credential store/.test(log)) { clearInterval(timer); resolve(); }
        if (proc.exitCode !== null) { clearInterval(timer); reject(new Error(`start.js exited:\n${log}`)); }
      }, 100);
    });
  });

  after(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints the simulated plugs and the editor address', () => {
    assert.match(log, new RegExp(`simulated HS110 "Simulated HS110" on tcp/udp 127\\.0\\.0\\.1:${base}`));
    assert.match(log, /simulated HS300 "Simulated HS300"/);
    assert.match(log, new RegExp(`simulated KP115\\(UK\\) "Simulated KP115 \\(KLAP\\)" with KLAP on http 127\\.0\\.0\\.1:${base + 3}`));
    assert.match(log, new RegExp(`Node-RED: http://127\\.0\\.0\\.1:${base + 6}`));
    assert.match(log, new RegExp(`simulated P110 "Simulated P110" \\(SMART over KLAP\\) on http/udp 127\\.0\\.0\\.1:${base + 4}`));
    assert.match(log, /simulated P300 "Simulated P300"/);
  });

  it('serves the editor with the demo flow, wired to the simulated plugs', async () => {
    const res = await request(NR, 'GET', '/flows');
    assert.strictEqual(res.status, 200);
    const flows = JSON.parse(res.body);
    assert.ok(flows.some((n) => n.type === 'tab' && n.label === 'TP-Link demo'));
    const ports = flows.filter((n) => n.type === 'tplink-device').map((n) => Number(n.port)).sort();
    assert.deepStrictEqual(ports, [base, base + 1, base + 2, base + 3, base + 4, base + 5]);
    assert.doesNotMatch(log, /\[error\]/);
  });

  it('serves the dashboard page of examples/dashboard.json at /dashboard, from the devDependency', async () => {
    assert.match(log, new RegExp(`Dashboard: http://127\\.0\\.0\\.1:${base + 6}/dashboard`));
    assert.match(log, /Node-RED Dashboard 2\.0 \(v[\d.]+\) started at \/dashboard/);
    const flows = JSON.parse((await request(NR, 'GET', '/flows')).body);
    assert.ok(flows.some((n) => n.type === 'tab' && n.label === 'TP-Link dashboard'));
    assert.ok(flows.some((n) => n.type === 'ui-switch'));
    const page = await request(NR, 'GET', '/dashboard/');
    assert.strictEqual(page.status, 200);
    assert.match(page.body, /<div id="app">/);
  });

  it('the demo inject turns the simulated HS100 on', async () => {
    const client = new DeviceClient({ host: '127.0.0.1', port: base + 1 });
    try {
      const before = (await client.send({ system: { get_sysinfo: {} } })).system.get_sysinfo.relay_state;
      assert.strictEqual(before, 0);
      const res = await request(NR, 'POST', '/inject/demo-on');
      assert.strictEqual(res.status, 200);
      let state = 0;
      for (let i = 0; i < 50 && state !== 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await client.send({ system: { get_sysinfo: {} } })).system.get_sysinfo.relay_state;
      }
      assert.strictEqual(state, 1);
    } finally {
      await client.close();
    }
  });

  it('the demo inject toggles the KLAP plug, whose account is in the credential store, not the flow or the log', async () => {
    const client = new DeviceClient({ host: '127.0.0.1', port: base + 3, transport: 'klap', credentials: { username: 'demo@example.com', password: 'demo-password' } });
    const relay = async () => (await client.send({ system: { get_sysinfo: {} } })).system.get_sysinfo.relay_state;
    try {
      assert.strictEqual(await relay(), 0);
      const res = await request(NR, 'POST', '/inject/demo-klap-toggle');
      assert.strictEqual(res.status, 200);
      let state = 0;
      for (let i = 0; i < 50 && state !== 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = await relay();
      }
      assert.strictEqual(state, 1);
      const flows = await request(NR, 'GET', '/flows');
      const dev = JSON.parse(flows.body).find((n) => n.id === 'demo-kp115');
      assert.strictEqual(dev.protocol, 'klap');
      assert.doesNotMatch(flows.body, /demo-password/);
      const creds = JSON.parse((await request(NR, 'GET', '/credentials/tplink-device/demo-kp115')).body);
      assert.deepStrictEqual(creds, { username: 'demo@example.com', has_password: true });
      assert.doesNotMatch(fs.readFileSync(path.join(tmp, 'flows.json'), 'utf8'), /demo-password|demo@example/);
      assert.doesNotMatch(fs.readFileSync(path.join(tmp, 'flows_cred.json'), 'utf8'), /demo-password/, 'encrypted by Node-RED');
      assert.doesNotMatch(log, /demo-password/);
    } finally {
      await client.close();
    }
  });

  it('the demo toggles the simulated Tapo P110 (SMART over KLAP)', async () => {
    const client = new DeviceClient({ host: '127.0.0.1', port: base + 4, transport: 'smart' });
    const on = async () => (await client.send({ method: 'get_device_info' })).result.device_on;
    try {
      const before = await on();
      assert.strictEqual((await request(NR, 'POST', '/inject/demo-p110-toggle')).status, 200);
      let now = before;
      for (let i = 0; i < 50 && now === before; i++) {
        await new Promise((r) => setTimeout(r, 50));
        now = await on();
      }
      assert.strictEqual(now, !before);
      assert.doesNotMatch(log, /\[error\]/);
    } finally {
      await client.close();
    }
  });

  it('Ctrl-C stops Node-RED and the plugs, and frees their ports', async () => {
    const code = await new Promise((resolve) => { proc.once('exit', (c) => resolve(c)); proc.kill('SIGINT'); });
    assert.strictEqual(code, 0);
    for (const p of [base, base + 1, base + 2, base + 3, base + 4, base + 5, base + 6]) assert.ok(await canBind(p), `port ${p} free again`);
  });
});
