'use strict';
// Item 5 at the core level (run with --expose-gc): N DeviceSessions, one per
// simulated device (ports from BENCH_SCALE_PORTS), each polled every second the
// way tplink-monitor polls (a fresh get_sysinfo for the relay states, then the
// meter's realtime reading until the device says it has none; the next poll is
// scheduled when the previous one has finished). No Node-RED: this is what the
// config node's session and client cost, for any transport
// (BENCH_SCALE_TRANSPORT: tcp or klap, with the bench account for klap): KLAP
// devices without Node-RED, and a legacy reference measured the same way.
const path = require('path');
const { ACCOUNT } = require('../lib/fixed-klap-device');
const { memorySnapshot: snapshot } = require('../lib/stats');

const ROOT = path.resolve(__dirname, '..', '..');
const { DeviceClient } = require(path.join(ROOT, 'nodes/core/client'));
const { DeviceSession } = require(path.join(ROOT, 'nodes/core/device-session'));
const { DeviceError, TplinkError } = require(path.join(ROOT, 'nodes/core/errors'));
const emeter = require(path.join(ROOT, 'nodes/core/commands/emeter'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  const ports = JSON.parse(process.env.BENCH_SCALE_PORTS);
  const transport = process.env.BENCH_SCALE_TRANSPORT || 'tcp';
  const windowS = Number(process.env.BENCH_SCALE_SECONDS || 60);
  const warmupS = Number(process.env.BENCH_SCALE_WARMUP || 20);
  const n = ports.length;
  for (let i = 0; i < 3; i++) { await sleep(500); snapshot(); }
  const base = snapshot();

  let polls = 0;
  let failures = 0;
  const kinds = {};
  let closed = false;
  const sessions = ports.map((port) => new DeviceSession({
    host: '127.0.0.1', port, timeout: 5000,
    createClient: (host, p) => new DeviceClient({ host, port: p, timeout: 5000, transport, credentials: transport === 'klap' ? ACCOUNT : undefined }),
  }));
  const timers = new Set();
  sessions.forEach((session, i) => {
    const user = {};
    session.attach(user);
    let hasMeter = true;
    async function poll() {
      try {
        await session.relays();
        if (hasMeter) {
          try {
            emeter.normalizeRealtime((await session.run(emeter.getRealtime())).result);
          } catch (err) {
            if (!(err instanceof DeviceError)) throw err;
            hasMeter = false;
          }
        }
        polls++;
      } catch (err) {
        failures++;
        const k = err instanceof TplinkError ? err.kind : 'other';
        kinds[k] = (kinds[k] || 0) + 1;
      }
    }
    const schedule = (ms) => {
      if (closed) return;
      const t = setTimeout(() => { timers.delete(t); poll().finally(() => schedule(1000)); }, ms);
      timers.add(t);
    };
    schedule(Math.floor((i / n) * 1000)); // spread over the second, as deploys do in practice
  });

  await sleep(warmupS * 1000);
  const start = snapshot();
  const polls0 = polls;
  const failures0 = failures;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await sleep(windowS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallS = (Date.now() - t0) / 1000;
  const pollsIn = polls - polls0;
  const end = snapshot();
  closed = true;
  for (const t of timers) clearTimeout(t);
  await Promise.all(sessions.map((s) => s.close()));
  return {
    transport,
    devices: n,
    windowS: wallS,
    warmupS,
    cpuPercentOfOneCore: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
    cpuPerPollMicros: (cpu.user + cpu.system) / Math.max(1, pollsIn),
    pollsPerSecond: pollsIn / wallS,
    failures: failures - failures0,
    failureKinds: kinds,
    rssPerDevice: (start.rss - base.rss) / n,
    heapPerDevice: (start.heap - base.heap) / n,
    heap: { start: start.heap, end: end.heap },
  };
}

require('../lib/section').run(main);
