'use strict';
// Median round trip of get_sysinfo through DeviceClient to a PlugSimulator on
// loopback: one kept-open connection vs a fresh connection per request.
// Run after a build: node scripts/measure-rtt.js [requests] [warmup]
const { DeviceClient } = require('../nodes/core/client');
const { system } = require('../nodes/core/commands');
const { PlugSimulator } = require('../nodes/simulator');

const N = Number(process.argv[2]) || 2000;
const WARMUP = Number(process.argv[3]) || 200;

function median(sorted) {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Sequential requests (as the plug serves them), each timed on its own; returns sorted µs. */
async function measure(port, reuseConnection) {
  const client = new DeviceClient({ host: '127.0.0.1', port, reuseConnection });
  const cmd = system.getSysinfo();
  try {
    for (let i = 0; i < WARMUP; i++) await client.run(cmd);
    const us = new Array(N);
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      await client.run(cmd);
      us[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    return { us: us.sort((a, b) => a - b), connects: client.stats.connects };
  } finally {
    await client.close();
  }
}

async function main() {
  const sim = await PlugSimulator.start({ model: 'HS110', host: '127.0.0.1', port: 0 });
  try {
    const reused = await measure(sim.port, true);
    const fresh = await measure(sim.port, false);
    const line = (name, r) =>
      `${name.padEnd(28)} median ${median(r.us).toFixed(1).padStart(7)} µs   p90 ${r.us[Math.floor(r.us.length * 0.9)].toFixed(1).padStart(7)} µs   (${r.connects} connections)`;
    console.log(`get_sysinfo over loopback, ${N} requests each after ${WARMUP} warm-up, node ${process.version}`);
    console.log(line('reused connection', reused));
    console.log(line('fresh connection per request', fresh));
    console.log(`ratio fresh / reused: ${(median(fresh.us) / median(reused.us)).toFixed(2)}x`);
  } finally {
    await sim.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
