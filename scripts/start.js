#!/usr/bin/env node
// `npm start`: simulated plugs on 127.0.0.1 and Node-RED on http://127.0.0.1:1880
// with this package and a demo flow wired to them, plus the Dashboard 2.0 page of
// examples/dashboard.json at /dashboard (the dashboard is a devDependency of this
// checkout, so nothing is installed). Ctrl-C stops everything.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '..');
// Overridable so a test can run the whole demo beside a developer's own `npm start`.
const userDir = process.env.TPLINK_USER_DIR || path.join(root, '.node-red');
const BASE_PORT = Number(process.env.TPLINK_SIM_PORT) || 9999;
const http = require('http');
const { SimulatorNetwork, KlapPlugSimulator, SmartPlugSimulator } = require(path.join(root, 'nodes', 'simulator'));

// The demo devices: the demo and example flows point at 127.0.0.1:9999 (the HS110),
// 10000 (HS100), 10001 (HS300), 10002 (KP115 with KLAP, below); discovery answers on
// the HS110's port. Tapo (SMART over KLAP v2, un-provisioned: blank account): P110 on
// 10003, P300 on 10004 (HTTP, and the 20002 probe answered on the same UDP port number).
const DEVICES = [
  { model: 'hs110', port: BASE_PORT, alias: 'Simulated HS110' },
  { model: 'hs100', port: BASE_PORT + 1, alias: 'Simulated HS100' },
  { model: 'hs300', port: BASE_PORT + 2, alias: 'Simulated HS300' },
];

// A plug with KLAP firmware (HTTP, an account) on BASE_PORT + 3 (10002): the demo's
// "Simulated KP115 (KLAP)" config node. Its account, also in the README, is a demo's:
// it goes into Node-RED's credential store, never into the flow file.
const KLAP_PLUG = { model: 'kp115-klap', port: BASE_PORT + 3, alias: 'Simulated KP115 (KLAP)', node: 'demo-kp115' };
const DEMO_ACCOUNT = { username: 'demo@example.com', password: 'demo-password' };
const TAPO = [
  { model: 'p110', port: BASE_PORT + 4, nickname: 'Simulated P110' },
  { model: 'p300', port: BASE_PORT + 5, nickname: 'Simulated P300' },
];

const DASHBOARD = '@flowfuse/node-red-dashboard';
/** The dashboard package's folder, or null when devDependencies were not installed. */
function dashboardDir() {
  try { return path.dirname(require.resolve(`${DASHBOARD}/package.json`, { paths: [root] })); } catch { return null; }
}

const readExample = (name) => JSON.parse(fs.readFileSync(path.join(root, 'examples', name), 'utf8'));

/** The demo flow (and the dashboard page when it can run), device ports moved along with TPLINK_SIM_PORT. */
function demoFlow(withDashboard) {
  const flow = readExample('demo.json');
  if (withDashboard) {
    // The dashboard example uses the demo's device config nodes (same ids): keep one of each.
    const ids = new Set(flow.map((n) => n.id));
    flow.push(...readExample('dashboard.json').filter((n) => !ids.has(n.id)));
  }
  for (const node of flow) {
    if (node.type === 'tplink-device') node.port = Number(node.port) - 9999 + BASE_PORT;
  }
  return JSON.stringify(flow, null, 2);
}

function linkModule(name, dir) {
  const link = path.join(userDir, 'node_modules', name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  try { fs.lstatSync(link); } catch { fs.symlinkSync(dir, link, 'dir'); }
}

/** Returns whether the dashboard is there. */
function prepareUserDir() {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  // Node-RED loads packages from <userDir>/node_modules: link this checkout there, and the dashboard beside it.
  linkModule('node-red-contrib-tplink-smartplug', root);
  const dashboard = dashboardDir();
  if (dashboard) linkModule(DASHBOARD, dashboard);
  else console.warn(`${DASHBOARD} is not installed (npm install without --omit=dev): no dashboard page`);
  // Only on the first start: later starts keep the user's own edits.
  const flows = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flows)) fs.writeFileSync(flows, demoFlow(!!dashboard));
  else if (dashboard && !/"type":\s*"ui-base"/.test(fs.readFileSync(flows, 'utf8'))) {
    console.log(`${flows} predates the dashboard page: import it with Menu > Import > Examples > node-red-contrib-tplink-smartplug > dashboard`);
  }
  return !!dashboard;
}

/** One admin API call to the local Node-RED; resolves {status, body}. */
function admin(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: Number(process.env.PORT) || 1880, method, path: urlPath,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
    }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * Credentials can't be in a flow file: once Node-RED runs, the demo account is
 * deployed with the KLAP plug's config node through the admin API (as the editor
 * does), and Node-RED keeps it in flows_cred.json. Only when that node is there
 * and has no password yet, so an account the user typed is never replaced.
 */
async function storeDemoAccount() {
  for (let i = 0; i < 600; i++) {
    const flows = await admin('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' }).catch(() => null);
    if (flows && flows.status === 200) {
      const { rev, flows: nodes } = JSON.parse(flows.body);
      const node = nodes.find((n) => n.id === KLAP_PLUG.node && n.type === 'tplink-device');
      if (!node) return;
      const creds = await admin('GET', `/credentials/tplink-device/${KLAP_PLUG.node}`);
      if (creds.status === 200 && JSON.parse(creds.body).has_password) return;
      node.credentials = { ...DEMO_ACCOUNT };
      const res = await admin('POST', '/flows', { rev, flows: nodes }, { 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' });
      if (res.status !== 200) throw new Error(`deploying the demo account failed: HTTP ${res.status} ${res.body}`);
      console.log(`the KLAP plug's demo account is in Node-RED's credential store (config node "${KLAP_PLUG.alias}")`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Node-RED did not answer on its admin API within 60 s');
}

async function main() {
  const dashboard = prepareUserDir();
  const net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: BASE_PORT, devices: DEVICES });
  for (const sim of net.members) {
    console.log(`simulated ${sim.device.model} "${sim.device.sysinfo().alias}" on tcp/udp 127.0.0.1:${sim.port}`);
  }
  const klap = await KlapPlugSimulator.start({
    model: KLAP_PLUG.model, host: '127.0.0.1', port: KLAP_PLUG.port, alias: KLAP_PLUG.alias, discoveryPort: null, ...DEMO_ACCOUNT,
  });
  // The account is in the README; a log line is no place for a password, even a demo's.
  console.log(`simulated ${klap.spec.model} "${KLAP_PLUG.alias}" with KLAP on http 127.0.0.1:${klap.port} (account ${DEMO_ACCOUNT.username}, see README)`);
  const tapo = [];
  for (const t of TAPO) {
    const sim = await SmartPlugSimulator.start({ host: '127.0.0.1', model: t.model, port: t.port, discoveryPort: t.port, nickname: t.nickname });
    tapo.push(sim);
    console.log(`simulated ${sim.model} "${t.nickname}" (SMART over KLAP) on http/udp 127.0.0.1:${sim.port}`);
  }
  const red = spawn(process.execPath, [
    require.resolve('node-red/red.js'),
    '--settings', path.join(__dirname, 'node-red-settings.js'),
    '--userDir', userDir,
  ], { stdio: 'inherit', cwd: root });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    red.kill('SIGINT');
    await Promise.all([net.stop(), klap.stop(), ...tapo.map((s) => s.stop())]);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  red.on('exit', async (code) => {
    await stop();
    process.exit(code ?? 0);
  });
  const url = `http://127.0.0.1:${process.env.PORT || 1880}`;
  console.log(`Node-RED: ${url}  (Ctrl-C stops Node-RED and the simulated plugs)`);
  if (dashboard) console.log(`Dashboard: ${url}/dashboard`);
  storeDemoAccount().catch((err) => console.error(`tplink demo: ${err.message}`));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
