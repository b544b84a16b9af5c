'use strict';
// Issue 13: a SMART request (get_device_info) over KLAP and over AES on an
// established session, each vs the legacy client on a reused connection,
// interleaved request by request; and memory per device (run with --expose-gc).
//   legacy     - the legacy TCP transport, reused connection, fixed-reply legacy
//                device (get_sysinfo)
// All three are bare transports (no client queue) so they compare like with like.
//   smartKlap  - KlapTransport carrying SMART JSON to the fixed-reply KLAP device
//                in SMART mode (a P110's get_device_info, sealed per request)
//   smartAes   - AesTransport to the AES simulator (a P100; node:http server with
//                the device logic: no fixed-reply AES device exists, so this
//                figure includes the simulator's work)
// Memory: N transports (or legacy clients), each having done one request (a
// session established), kept alive; JS heap and RSS per device after full GC.
const path = require('path');
const { sideBySide, roundRatio, median, percentile } = require('../lib/stats');
const { ACCOUNT } = require('../lib/fixed-klap-device');

const ROOT = path.resolve(__dirname, '..', '..');
const { createTransport } = require(path.join(ROOT, 'nodes/core/transport/factory'));
const { KlapTransport } = require(path.join(ROOT, 'nodes/core/transport/klap'));
const { AesTransport } = require(path.join(ROOT, 'nodes/core/transport/aes'));

const host = '127.0.0.1';
const INFO = JSON.stringify({ method: 'get_device_info' });
const SYSINFO = JSON.stringify({ system: { get_sysinfo: {} } });
const sysinfo = async (t) => { const r = JSON.parse(await t.send(SYSINFO, 5000)); if (!r.system.get_sysinfo.deviceId) throw new Error('bad sysinfo'); return r; };
const base = { host, connectTimeout: 5000, maxReplyBytes: 1 << 20, credentials: { ...ACCOUNT } };

function smartResult(text) {
  const r = JSON.parse(text);
  if (r.error_code !== 0 || typeof r.result !== 'object') throw new Error(`bad SMART reply: ${text.slice(0, 80)}`);
  return r.result;
}

function heap() {
  for (let i = 0; i < 4; i++) global.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** Heap and RSS per device: n objects made by make(), each after one request, all kept alive. */
async function perDevice(n, make, request) {
  const warm = [];
  for (let i = 0; i < 20; i++) { const o = make(); await request(o); warm.push(o); }
  const b = heap();
  const keep = [];
  for (let i = 0; i < n; i++) { const o = make(); await request(o); keep.push(o); }
  const a = heap();
  const out = { heap: (a.heap - b.heap) / n, rss: (a.rss - b.rss) / n };
  for (const o of [...warm, ...keep]) await o.close();
  return out;
}

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  const legacyPort = Number(process.env.BENCH_DEVICE_PORT);
  const klapPort = Number(process.env.BENCH_SMART_KLAP_PORT);
  const aesPort = Number(process.env.BENCH_AES_PORT);
  const rounds = Number(process.env.BENCH_RT_ROUNDS || 40);
  const perRound = Number(process.env.BENCH_RT_PER_ROUND || 60);
  const legacy = createTransport('tcp', { ...base, port: legacyPort });
  const klap = new KlapTransport({ ...base, port: klapPort });
  const aes = new AesTransport({ ...base, port: aesPort });

  // Each must really answer before anything is timed.
  await sysinfo(legacy);
  if (smartResult(await klap.send(INFO, 5000)).model !== 'P110') throw new Error('SMART over KLAP: not the P110 answer');
  if (smartResult(await aes.send(INFO, 5000)).model !== 'P100') throw new Error('SMART over AES: not the P100 answer');

  const res = await sideBySide({
    legacy: () => sysinfo(legacy),
    smartKlap: async () => smartResult(await klap.send(INFO, 5000)),
    smartAes: async () => smartResult(await aes.send(INFO, 5000)),
  }, { rounds, perRound, warmup: 200 });
  const lat = {};
  for (const k of Object.keys(res.all)) lat[k] = { median: median(res.all[k]), p99: percentile(res.all[k], 99), n: res.all[k].length };
  const sessions = { klap: klap.stats, aes: aes.stats };
  if (klap.stats.handshakes !== 1 || aes.stats.handshakes !== 1) throw new Error(`a session was not kept: ${JSON.stringify(sessions)}`);
  legacy.close();
  klap.close();
  aes.close();

  const n = Number(process.env.BENCH_SMART_MEM_N || 200);
  const memory = {
    legacy: await perDevice(n, () => { const t = createTransport('tcp', { ...base, port: legacyPort }); return { t, close: () => t.close() }; }, (o) => sysinfo(o.t)),
    smartKlap: await perDevice(n, () => { const t = new KlapTransport({ ...base, port: klapPort }); return { t, close: () => t.close() }; }, (o) => o.t.send(INFO, 5000)),
    smartAes: await perDevice(n, () => { const t = new AesTransport({ ...base, port: aesPort }); return { t, close: () => t.close() }; }, (o) => o.t.send(INFO, 5000)),
  };

  return {
    rounds, perRound, lat, sessions,
    ratios: { klapVsLegacy: roundRatio(res, 'smartKlap', 'legacy'), aesVsLegacy: roundRatio(res, 'smartAes', 'legacy') },
    memory: { n, ...memory },
  };
}

require('../lib/section').run(main);
