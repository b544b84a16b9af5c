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
const { SimulatorNetwork, SmartPlugSimulator } = require(path.join(root, 'nodes', 'simulator'));

// The demo devices: the demo and example flows point at 127.0.0.1:9999 (the HS110),
// 10000 (HS100) and 10001 (HS300); discovery answers on the HS110's port. Tapo
// (SMART over KLAP v2, un-provisioned: blank account): P110 on 10003, P300 on 10004
// (HTTP, and the 20002 probe answered on the same UDP port number).
const DEVICES = [
  { model: 'hs110', port: BASE_PORT, alias: 'Simulated HS110' },
  { model: 'hs100', port: BASE_PORT + 1, alias: 'Simulated HS100' },
  { model: 'hs300', port: BASE_PORT + 2, alias: 'Simulated HS300' },
];

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

async function main() {
  const dashboard = prepareUserDir();
  const net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: BASE_PORT, devices: DEVICES });
  for (const sim of net.members) {
    console.log(`simulated ${sim.device.model} "${sim.device.sysinfo().alias}" on tcp/udp 127.0.0.1:${sim.port}`);
  }
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
    await Promise.all([net.stop(), ...tapo.map((s) => s.stop())]);
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
