'use strict';
// The simulator's bin (tplink-smartplug-sim) in a child process, its output collected
// as it comes: p.out, p.err, and p.exited ({code, signal}). The caller keeps `procs`
// and kills what is left after each test.

const path = require('path');
const { spawn } = require('child_process');

const SIM_BIN = path.join(__dirname, '..', '..', 'nodes', 'simulator', 'cli.js');

function spawnSimCli(args, procs) {
  const p = spawn(process.execPath, [SIM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  p.out = '';
  p.err = '';
  p.stdout.on('data', (d) => { p.out += d; });
  p.stderr.on('data', (d) => { p.err += d; });
  p.exited = new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));
  return p;
}

module.exports = { SIM_BIN, spawnSimCli };
