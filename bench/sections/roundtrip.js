'use strict';
// Items 1 and 3 (speed): get_sysinfo round trips against the fixed-reply device,
// all variants interleaved request by request in one process:
//   floor   - bench/lib/floor-client.js (connect, write, read, close, decrypt, parse)
//   reused  - our DeviceClient, default mode (one kept-open connection)
//   fresh   - our DeviceClient with reuseConnection: false
//   theirs  - tplink-smarthome-api Plug.getSysInfo() (a fresh connection per request;
//             the library always closes its TCP socket after a reply)
const path = require('path');
const { floorRequest } = require('../lib/floor-client');
const { sideBySide, roundRatio, median, percentile } = require('../lib/stats');

const ROOT = path.resolve(__dirname, '..', '..');
const { DeviceClient } = require(path.join(ROOT, 'nodes/core/client'));
const system = require(path.join(ROOT, 'nodes/core/commands/system'));
const { Client } = require('tplink-smarthome-api');

async function main() {
  const port = Number(process.env.BENCH_DEVICE_PORT);
  const rounds = Number(process.env.BENCH_RT_ROUNDS || 40);
  const perRound = Number(process.env.BENCH_RT_PER_ROUND || 60);
  const host = '127.0.0.1';
  const reused = new DeviceClient({ host, port, timeout: 5000 });
  const fresh = new DeviceClient({ host, port, timeout: 5000, reuseConnection: false });
  const api = new Client({ logLevel: 'silent', defaultSendOptions: { transport: 'tcp', timeout: 5000 } });
  const plug = await api.getDevice({ host, port });
  const req = { system: { get_sysinfo: {} } };

  // Every variant must really get the sysinfo: check once before timing.
  const checks = [
    (await floorRequest(port, req)).system.get_sysinfo.deviceId,
    (await reused.run(system.getSysinfo())).deviceId,
    (await fresh.run(system.getSysinfo())).deviceId,
    (await plug.getSysInfo()).deviceId,
  ];
  if (new Set(checks).size !== 1) throw new Error(`variants disagree: ${checks}`);

  const res = await sideBySide({
    floor: () => floorRequest(port, req),
    reused: () => reused.run(system.getSysinfo()),
    fresh: () => fresh.run(system.getSysinfo()),
    theirs: () => plug.getSysInfo(),
  }, { rounds, perRound, warmup: 100 });

  const lat = {};
  for (const n of Object.keys(res.all)) lat[n] = { median: median(res.all[n]), p99: percentile(res.all[n], 99), n: res.all[n].length };
  const out = {
    rounds, perRound, lat,
    ratios: {
      reusedVsFloor: roundRatio(res, 'reused', 'floor'),
      freshVsFloor: roundRatio(res, 'fresh', 'floor'),
      theirsVsReused: roundRatio(res, 'theirs', 'reused'),
      theirsVsFresh: roundRatio(res, 'theirs', 'fresh'),
    },
    connects: { reused: reused.stats.connects, fresh: fresh.stats.connects },
  };
  await reused.close();
  await fresh.close();
  plug.closeConnection();
  return out;
}

require('../lib/section').run(main);
