'use strict';
// KLAP (issue 12): a request on an established KLAP session vs the legacy client
// on a reused connection, and what a KLAP handshake costs. Like compared with
// like: both devices are fixed-reply devices in their own process (the legacy one
// answers a pre-encrypted frame, the KLAP one does real HTTP/1.1 and real KLAP
// crypto with the same get_sysinfo JSON, bench/lib/fixed-klap-device.js), so the
// figures are the client's and the protocol's, not a simulator's.
//   latency  - both clients and the KLAP floor client (../lib/klap-floor-client.js:
//              the least a KLAP client can do) interleaved request by request
//              (median of round ratios)
//   CPU      - this process's CPU per request over sequential runs, alternated
//   handshake- handshake1 + handshake2 on a fresh connection (TCP connect included),
//              wall and CPU of this process, median of many
const path = require('path');
const { sideBySide, roundRatio, median, percentile, nowNs, usSince, settle } = require('../lib/stats');
const { ACCOUNT } = require('../lib/fixed-klap-device');
const { klapFloorSession } = require('../lib/klap-floor-client');

const ROOT = path.resolve(__dirname, '..', '..');
const { DeviceClient } = require(path.join(ROOT, 'nodes/core/client'));
const { KlapTransport } = require(path.join(ROOT, 'nodes/core/transport/klap'));
const system = require(path.join(ROOT, 'nodes/core/commands/system'));

const host = '127.0.0.1';

/** CPU µs of this process per call of fn, over n sequential calls. */
async function cpuPerCall(fn, n) {
  const c0 = process.cpuUsage();
  const t0 = nowNs();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / n, wall: usSince(t0) / n };
}

async function main() {
  const legacyPort = Number(process.env.BENCH_DEVICE_PORT);
  const klapPort = Number(process.env.BENCH_KLAP_DEVICE_PORT);
  const rounds = Number(process.env.BENCH_RT_ROUNDS || 40);
  const perRound = Number(process.env.BENCH_RT_PER_ROUND || 60);
  const legacy = new DeviceClient({ host, port: legacyPort, timeout: 5000 });
  const klap = new DeviceClient({ host, port: klapPort, timeout: 5000, transport: 'klap', credentials: ACCOUNT });

  const floor = await klapFloorSession(klapPort, ACCOUNT);
  const json = JSON.stringify({ system: { get_sysinfo: {} } });

  // All must really get the same sysinfo before anything is timed.
  const ids = [(await legacy.run(system.getSysinfo())).deviceId, (await klap.run(system.getSysinfo())).deviceId, (await floor.request(json)).system.get_sysinfo.deviceId];
  if (new Set(ids).size !== 1) throw new Error(`variants disagree: ${ids}`);

  const res = await sideBySide({
    legacy: () => legacy.run(system.getSysinfo()),
    klap: () => klap.run(system.getSysinfo()),
    floor: () => floor.request(json),
  }, { rounds, perRound, warmup: 200 });
  const lat = {};
  for (const n of Object.keys(res.all)) lat[n] = { median: median(res.all[n]), p99: percentile(res.all[n], 99), n: res.all[n].length };

  // CPU of this process per request: sequential runs, alternated, 5 each.
  const cpuRuns = { legacy: [], klap: [], floor: [] };
  const calls = { legacy: () => legacy.run(system.getSysinfo()), klap: () => klap.run(system.getSysinfo()), floor: () => floor.request(json) };
  for (let k = 0; k < 5; k++) {
    for (const name of k % 2 ? ['floor', 'klap', 'legacy'] : ['legacy', 'klap', 'floor']) cpuRuns[name].push(await cpuPerCall(calls[name], 2000));
  }
  const cpu = {
    legacy: median(cpuRuns.legacy.map((r) => r.cpu)),
    klap: median(cpuRuns.klap.map((r) => r.cpu)),
    floor: median(cpuRuns.floor.map((r) => r.cpu)),
    legacyWall: median(cpuRuns.legacy.map((r) => r.wall)),
    klapWall: median(cpuRuns.klap.map((r) => r.wall)),
    floorWall: median(cpuRuns.floor.map((r) => r.wall)),
  };
  floor.close();
  const stats = klap.transportInfo.stats;
  if (stats.handshakes !== 1 || stats.connects !== 1) throw new Error(`the established session was not kept: ${JSON.stringify(stats)}`);

  // The handshake: a new transport each time (its account hashes are made in the
  // constructor, outside the timing), then handshake1 + handshake2 alone.
  const hs = { wall: [], cpu: [], construct: [] };
  const N = Number(process.env.BENCH_KLAP_HANDSHAKES || 300);
  for (let i = 0; i < N + 20; i++) {
    const c0 = process.cpuUsage();
    const t = new KlapTransport({ host, port: klapPort, connectTimeout: 5000, maxReplyBytes: 65536, credentials: ACCOUNT });
    const cc = process.cpuUsage(c0);
    const c1 = process.cpuUsage();
    const t0 = nowNs();
    await t.handshake(); // private in TypeScript: the handshake alone, no request
    const wall = usSince(t0);
    const c = process.cpuUsage(c1);
    if (t.stats.handshakes !== 1) throw new Error('handshake did not complete');
    t.close();
    await settle();
    if (i < 20) continue; // warm-up
    hs.wall.push(wall);
    hs.cpu.push(c.user + c.system);
    hs.construct.push(cc.user + cc.system);
  }

  const out = {
    rounds, perRound, lat,
    ratio: roundRatio(res, 'klap', 'legacy'),
    floorRatio: roundRatio(res, 'floor', 'legacy'),
    klapVsFloor: roundRatio(res, 'klap', 'floor'),
    cpu: { ...cpu, ratio: cpu.klap / cpu.legacy, runs: cpuRuns },
    handshake: { n: N, wall: median(hs.wall), wallP99: percentile(hs.wall, 99), cpu: median(hs.cpu), construct: median(hs.construct) },
  };
  await legacy.close();
  await klap.close();
  return out;
}

require('../lib/section').run(main);
