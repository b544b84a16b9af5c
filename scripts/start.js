#!/usr/bin/env node
// `npm start`: simulated plugs on 127.0.0.1 and Node-RED on http://127.0.0.1:1880
// with this package and a demo flow wired to them. Ctrl-C stops everything.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '..');
// Overridable so a test can run the whole demo beside a developer's own `npm start`.
const userDir = process.env.TPLINK_USER_DIR || path.join(root, '.node-red');
const BASE_PORT = Number(process.env.TPLINK_SIM_PORT) || 9999;
const { SimulatorNetwork } = require(path.join(root, 'nodes', 'simulator'));

// The demo devices: the demo and example flows point at 127.0.0.1:9999 (the HS110),
// 10000 (HS100) and 10001 (HS300); discovery answers on the HS110's port.
const DEVICES = [
  { model: 'hs110', port: BASE_PORT, alias: 'Simulated HS110' },
  { model: 'hs100', port: BASE_PORT + 1, alias: 'Simulated HS100' },
  { model: 'hs300', port: BASE_PORT + 2, alias: 'Simulated HS300' },
];

/** The demo flow, its device ports moved along with TPLINK_SIM_PORT. */
function demoFlow() {
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'demo.json'), 'utf8'));
  for (const node of flow) {
    if (node.type === 'tplink-device') node.port = Number(node.port) - 9999 + BASE_PORT;
  }
  return JSON.stringify(flow, null, 2);
}

function prepareUserDir() {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  // Node-RED loads packages from <userDir>/node_modules: link this checkout there.
  const link = path.join(userDir, 'node_modules', 'node-red-contrib-tplink-smartplug');
  try { fs.lstatSync(link); } catch { fs.symlinkSync(root, link, 'dir'); }
  // Only on the first start: later starts keep the user's own edits.
  const flows = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flows)) fs.writeFileSync(flows, demoFlow());
}

async function main() {
  prepareUserDir();
  const net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: BASE_PORT, devices: DEVICES });
  for (const sim of net.members) {
    console.log(`simulated ${sim.device.model} "${sim.device.sysinfo().alias}" on tcp/udp 127.0.0.1:${sim.port}`);
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
    await net.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  red.on('exit', async (code) => {
    await stop();
    process.exit(code ?? 0);
  });
  console.log(`Node-RED: http://127.0.0.1:${process.env.PORT || 1880}  (Ctrl-C stops Node-RED and the simulated plugs)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
