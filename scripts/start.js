#!/usr/bin/env node
// `npm start`: simulated plugs on 127.0.0.1 and Node-RED on http://127.0.0.1:1880
// with this package and a demo flow wired to them. Ctrl-C stops everything.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.node-red');
const { SimulatorNetwork } = require(path.join(root, 'nodes', 'simulator'));

// The demo devices: the example flows point at 127.0.0.1:9999 (the HS110).
const DEVICES = [
  { model: 'hs110', port: 9999, alias: 'Simulated HS110' },
  { model: 'hs100', port: 10000, alias: 'Simulated HS100' },
  { model: 'hs300', port: 10001, alias: 'Simulated HS300' },
];

function prepareUserDir() {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  // Node-RED loads packages from <userDir>/node_modules: link this checkout there.
  const link = path.join(userDir, 'node_modules', 'node-red-contrib-tplink-smartplug');
  try { fs.lstatSync(link); } catch { fs.symlinkSync(root, link, 'dir'); }
  const flows = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flows)) fs.copyFileSync(path.join(root, 'examples', 'demo.json'), flows);
}

async function main() {
  prepareUserDir();
  const net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: 9999, devices: DEVICES });
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
  console.log('Node-RED: http://127.0.0.1:1880  (Ctrl-C stops Node-RED and the simulated plugs)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
