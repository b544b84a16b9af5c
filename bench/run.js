'use strict';
// `npm run bench`: the performance suite of issue "Performance: benchmark suite
// and the numbers to beat". Every figure is measured side by side with its
// reference in one run, as a ratio, median of many repetitions, against devices on
// 127.0.0.1 only. Sections run in child processes (one Node-RED runtime per
// section, one process per library for memory); the fixed-reply device has its
// own process. Prints a table with each target and PASS/MISS.
//
// Environment:
//   BENCH_SCALE_SECONDS  measuring window of the 200-device scale test (default 60;
//                        the full length is 300: BENCH_SCALE_SECONDS=300)
//   BENCH_SCALE_DEVICES  simulated devices in the scale test (default 200)
//   BENCH_ONLY           comma list of sections: roundtrip,nodered,memory,scale,cipher,
//                        klap (established session vs legacy, handshake), klap-scale
//                        (200 KLAP devices polled 1/s)
//   BENCH_JSON           also write all raw results to this file
// Whole default run: about 5 minutes on a 2-core machine (klap-scale is 3 of them).

const os = require('os');
const fs = require('fs');
const path = require('path');
const { fork, execFileSync } = require('child_process');
const { spawnFixedDevice } = require('./lib/fixed-device');
const { spawnFixedKlapDevice } = require('./lib/fixed-klap-device');
const { spawnAesDevice } = require('./lib/aes-device');
const { median } = require('./lib/stats');

const SECTIONS = path.join(__dirname, 'sections');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const want = (name) => !only || only.has(name);
const SCALE_SECONDS = Number(process.env.BENCH_SCALE_SECONDS || 60);
const SCALE_DEVICES = Number(process.env.BENCH_SCALE_DEVICES || 200);

function log(...a) {
  process.stderr.write(`${a.join(' ')}\n`);
}

/** Runs bench/sections/<file> in a child process; resolves with its result. */
function section(file, { args = [], env = {}, execArgv = [], timeoutMs = 240000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(SECTIONS, file), args, {
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (!settled) { settled = true; reject(new Error(`${file} took over ${timeoutMs / 1000} s`)); }
    }, timeoutMs);
    child.on('message', (m) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.result);
      else reject(new Error(`${file}: ${m.error}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled) { settled = true; reject(new Error(`${file} exited with ${code} and no result`)); }
    });
  });
}

/** The commit benchmarked, and whether src/ had uncommitted changes. */
function revision() {
  try {
    const opts = { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], opts).toString().trim() !== '';
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function machine() {
  const cpus = os.cpus();
  let model = cpus[0] ? cpus[0].model.trim() : 'unknown';
  try {
    // os.cpus() can shorten the model; /proc/cpuinfo has the full string on Linux.
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name) => { const m = new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info); return m ? m[1].trim() : null; };
    if (field('model name')) model = field('model name');
    const extra = [['cpu family', 'family'], ['model', 'model'], ['cpu MHz', 'MHz']].map(([f, label]) => (field(f) ? `${label} ${field(f)}` : null)).filter(Boolean);
    if (/\bhypervisor\b/.test(field('flags') || '')) extra.push('virtual machine');
    if (extra.length) model += ` (${extra.join(', ')})`;
  } catch { /* not Linux */ }
  return {
    cpu: model,
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

const fmt = {
  x: (v) => `${v.toFixed(2)}x`,
  us: (v) => `${v.toFixed(0)} µs`,
  ms: (v) => `${(v / 1000).toFixed(1)} ms`,
  kb: (v) => `${(v / 1024).toFixed(1)} KiB`,
  pct: (v) => `${v.toFixed(1)} %`,
  rate: (v) => `${Math.round(v).toLocaleString('en-US')}/s`,
  mbps: (v) => `${Math.round(v).toLocaleString('en-US')} MB/s`,
};

const rows = [];
/** One table row: what, measured figure, reference/detail, target text, verdict. */
function row(item, what, value, detail, target, pass) {
  rows.push({ item, what, value, detail, target, verdict: pass === null ? 'info' : pass ? 'PASS' : 'MISS' });
}

function printTable() {
  const head = ['#', 'measure', 'result', 'side by side with', 'target', ''];
  const data = rows.map((r) => [r.item, r.what, r.value, r.detail, r.target, r.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => String(d[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...data.map(line)];
  console.log(out.join('\n'));
}

async function main() {
  const t0 = Date.now();
  const info = machine();
  const loadBefore = os.loadavg();
  console.log(`tplink-smartplug benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${info.cpu}, ${info.cores} cores, ${info.memGiB} GiB, ${info.os}, Node ${info.node}`);
  console.log(`commit: ${revision()}`);
  console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (1/5/15 min)`);
  console.log(`all devices on 127.0.0.1; ratios are medians over rounds of interleaved requests\n`);
  const results = { machine: info, loadBefore, startedAt: new Date().toISOString() };

  const device = await spawnFixedDevice();
  const devEnv = { BENCH_DEVICE_PORT: String(device.port) };
  try {
    if (want('roundtrip')) {
      log('[1/3] round trips: floor, our client (reused, fresh), tplink-smarthome-api ...');
      const r = results.roundtrip = await section('roundtrip.js', { env: devEnv });
      const L = r.lat;
      row('1', 'get_sysinfo, our client, reused connection', fmt.us(L.reused.median), `floor ${fmt.us(L.floor.median)}: ratio ${fmt.x(r.ratios.reusedVsFloor)}`, '≤ 1.00x floor', r.ratios.reusedVsFloor <= 1.0);
      row('1', 'get_sysinfo, our client, fresh connection', fmt.us(L.fresh.median), `floor ${fmt.us(L.floor.median)}: ratio ${fmt.x(r.ratios.freshVsFloor)}`, '≤ 1.10x floor', r.ratios.freshVsFloor <= 1.1);
      row('3', 'speed vs tplink-smarthome-api, our default', fmt.x(r.ratios.theirsVsReused), `theirs ${fmt.us(L.theirs.median)} / ours reused ${fmt.us(L.reused.median)}`, '≥ 1.50x faster', r.ratios.theirsVsReused >= 1.5);
      // Their TCP transport always opens a connection per request; this row compares
      // like with like (our fresh-connection mode). The target is for our default.
      row('3', 'speed vs tplink-smarthome-api, both fresh conn.', fmt.x(r.ratios.theirsVsFresh), `theirs ${fmt.us(L.theirs.median)} / ours fresh ${fmt.us(L.fresh.median)}`, '—', null);
    }

    if (want('memory')) {
      // N=100 as the issue suggests, and N=500: at N=100 the run-to-run noise of the
      // heap baseline (up to about 200 KiB in all) is as large as the per-device difference, so
      // the verdict uses N=500. Each (library, N) runs 3 times, in its own process.
      const sizes = [100, Number(process.env.BENCH_MEM_N || 500)];
      log(`[2/3] memory per device: each library in its own process, N=${sizes.join(' and ')}, 3 runs each ...`);
      const m = results.memory = {};
      for (const n of sizes) {
        const runs = { ours: [], theirs: [] };
        for (let k = 0; k < 3; k++) {
          for (const lib of k % 2 ? ['theirs', 'ours'] : ['ours', 'theirs']) {
            runs[lib].push(await section('memory-child.js', { args: [lib, String(n)], env: devEnv, execArgv: ['--expose-gc'] }));
          }
        }
        m[n] = {
          runs,
          ours: { heap: median(runs.ours.map((x) => x.heapPerDevice)), rss: median(runs.ours.map((x) => x.rssPerDevice)) },
          theirs: { heap: median(runs.theirs.map((x) => x.heapPerDevice)), rss: median(runs.theirs.map((x) => x.rssPerDevice)) },
        };
      }
      const [small, big] = sizes.map((n) => m[n]);
      row('3', `JS heap per device (N=${sizes[1]}, after GC)`, fmt.kb(big.ours.heap), `theirs ${fmt.kb(big.theirs.heap)}: ratio ${fmt.x(big.ours.heap / big.theirs.heap)}`, '< theirs', big.ours.heap < big.theirs.heap);
      row('3', `RSS per device (N=${sizes[1]})`, fmt.kb(big.ours.rss), `theirs ${fmt.kb(big.theirs.rss)}: ratio ${fmt.x(big.ours.rss / big.theirs.rss)}`, '< theirs', big.ours.rss < big.theirs.rss);
      row('3', `heap / RSS per device (N=${sizes[0]}, noisy)`, `${fmt.kb(small.ours.heap)} / ${fmt.kb(small.ours.rss)}`, `theirs ${fmt.kb(small.theirs.heap)} / ${fmt.kb(small.theirs.rss)}`, '—', null);
    }

    if (want('nodered')) {
      log('[3/3] Node-RED: inject -> tplink-relay -> output vs raw client; bursts of 1,000 ...');
      const r = results.nodered = await section('nodered.js', { env: devEnv });
      const L = r.latency.lat;
      row('2', 'Node-RED inject→relay→out, per message', fmt.us(L.nodered.median), `raw client ${fmt.us(L.raw.median)}: ratio ${fmt.x(r.latency.ratios.noderedVsRaw)}`, '≤ 1.20x raw client', r.latency.ratios.noderedVsRaw <= 1.2);
      row('2', 'Node-RED per message vs the floor client', fmt.us(L.nodered.median), `floor ${fmt.us(L.floor.median)}: ratio ${fmt.x(r.latency.ratios.noderedVsFloor)}`, '≤ 1.20x floor', r.latency.ratios.noderedVsFloor <= 1.2);
      row('2', 'Node-RED alone: inject→output, no device', fmt.us(L.noderedEmpty.median), 'what one Node-RED hop costs here', '—', null);
      const b = r.burst;
      row('4', `burst of ${b.size} via Node-RED: throughput`, fmt.rate(b.nodered.rate), `one at a time: ${fmt.rate(b.sequentialRate.nodered)}; raw client burst ${fmt.rate(b.raw.rate)}`, '—', null);
      row('4', `burst of ${b.size} via Node-RED: p50 / p99 latency`, `${fmt.ms(b.nodered.p50)} / ${fmt.ms(b.nodered.p99)}`, `raw client burst ${fmt.ms(b.raw.p50)} / ${fmt.ms(b.raw.p99)}`, '—', null);
      row('4', 'burst: every message answered, no errors', `${b.delivered}/${b.sent}`, `errors ${b.errors}`, 'all', b.delivered === b.sent && b.errors === 0);
    }

    if (want('cipher')) {
      log('[cipher] 1 MiB encrypt/decrypt vs byte loops ...');
      const c = results.cipher = await section('cipher.js');
      row('6', 'decrypt 1 MiB (decryptBytes)', fmt.mbps(c.decrypt.oursMBps), `byte loop ${fmt.mbps(c.decrypt.loopMBps)}: ratio ${fmt.x(c.decrypt.ratio)}`, '> 1.00x byte loop', c.decrypt.ratio > 1.0);
      row('6', 'encrypt 1 MiB (serial by nature)', fmt.mbps(c.encrypt.oursMBps), `byte loop ${fmt.mbps(c.encrypt.loopMBps)}: ratio ${fmt.x(c.encrypt.ratio)}`, '≥ 0.95x byte loop', c.encrypt.ratio >= 0.95);
      row('6', `decrypt a ${c.small.bytes}-byte sysinfo reply`, fmt.mbps(c.small.decryptOursMBps), `byte loop ${fmt.mbps(c.small.decryptLoopMBps)}: ratio ${fmt.x(c.small.decryptRatio)}`, '—', null);
      row('6', 'decrypt 1 MiB, 32-bit words via readInt32LE (old)', fmt.mbps(c.decrypt.readInt32MBps), `byte loop: ratio ${fmt.x(c.decrypt.readInt32Ratio)}`, '—', null);
      row('6', 'decrypt 1 MiB, BigUint64Array words', fmt.mbps(c.decrypt.big64MBps), `byte loop: ratio ${fmt.x(c.decrypt.big64Ratio)}`, '—', null);
    }
    if (want('klap')) {
      log('[klap] established KLAP session vs legacy reused; handshake cost ...');
      const klapDevice = await spawnFixedKlapDevice();
      let k;
      try {
        k = results.klap = await section('klap.js', { env: { ...devEnv, BENCH_KLAP_DEVICE_PORT: String(klapDevice.port) } });
      } finally {
        await klapDevice.close();
      }
      row('12', 'get_sysinfo on an established KLAP session', fmt.us(k.lat.klap.median), `legacy reused ${fmt.us(k.lat.legacy.median)}: ratio ${fmt.x(k.ratio)}`, '≤ 1.50x legacy reused', k.ratio <= 1.5);
      row('12', 'KLAP floor client (least a KLAP client can do)', fmt.us(k.lat.floor.median), `legacy reused: ratio ${fmt.x(k.floorRatio)}; our KLAP vs floor ${fmt.x(k.klapVsFloor)}`, '—', null);
      row('12', 'the same, sequential requests (wall)', fmt.us(k.cpu.klapWall), `legacy reused ${fmt.us(k.cpu.legacyWall)}: ratio ${fmt.x(k.cpu.klapWall / k.cpu.legacyWall)}`, '—', null);
      row('12', 'client CPU per request, KLAP session', fmt.us(k.cpu.klap), `legacy reused ${fmt.us(k.cpu.legacy)}: ratio ${fmt.x(k.cpu.ratio)}; KLAP floor ${fmt.us(k.cpu.floor)}`, '—', null);
      row('12', 'KLAP handshake (handshake1 + 2, new connection)', fmt.us(k.handshake.wall), `client CPU ${fmt.us(k.handshake.cpu)}; p99 ${fmt.us(k.handshake.wallP99)}; account hashes ${fmt.us(k.handshake.construct)} once per transport`, '—', null);
    }
    if (want('smart')) {
      log('[smart] SMART over KLAP and over AES vs legacy reused; memory per device ...');
      const klapDevice = await spawnFixedKlapDevice({ dialect: 'smart' });
      const aesDevice = await spawnAesDevice();
      let m;
      try {
        m = results.smart = await section('smart.js', { env: { ...devEnv, BENCH_SMART_KLAP_PORT: String(klapDevice.port), BENCH_AES_PORT: String(aesDevice.port) }, execArgv: ['--expose-gc'] });
      } finally {
        await klapDevice.close();
        await aesDevice.close();
      }
      const L = m.lat;
      row('13', 'SMART get_device_info over KLAP (transport)', fmt.us(L.smartKlap.median), `legacy transport reused ${fmt.us(L.legacy.median)}: ratio ${fmt.x(m.ratios.klapVsLegacy)}`, '—', null);
      row('13', 'SMART get_device_info over AES (simulator)', fmt.us(L.smartAes.median), `legacy transport reused ${fmt.us(L.legacy.median)}: ratio ${fmt.x(m.ratios.aesVsLegacy)}; includes the simulator's node:http server`, '—', null);
      const M = m.memory;
      row('13', `heap / RSS per device, SMART over KLAP (N=${M.n})`, `${fmt.kb(M.smartKlap.heap)} / ${fmt.kb(M.smartKlap.rss)}`, `legacy ${fmt.kb(M.legacy.heap)} / ${fmt.kb(M.legacy.rss)}`, '—', null);
      row('13', `heap / RSS per device, SMART over AES (N=${M.n})`, `${fmt.kb(M.smartAes.heap)} / ${fmt.kb(M.smartAes.rss)}`, `legacy ${fmt.kb(M.legacy.heap)} / ${fmt.kb(M.legacy.rss)}`, '—', null);
    }
  } finally {
    await device.close();
  }

  if (want('klap-scale')) {
    log(`[klap-scale] ${SCALE_DEVICES} KLAP devices polled every 1 s, ${SCALE_SECONDS} s window (+20 s warm-up), and a legacy reference ...`);
    const ks = results.klapScale = {};
    const core = { file: 'scale-core.js', execArgv: ['--expose-gc'] };
    ks.klap = await runScale({ ...core, klap: true, env: { BENCH_SCALE_TRANSPORT: 'klap' } });
    ks.legacy = await runScale({ ...core, klap: false, env: { BENCH_SCALE_TRANSPORT: 'tcp' } });
    const a = ks.klap;
    const b = ks.legacy;
    row('12', `CPU, ${a.devices} KLAP devices polled 1/s (sessions, no Node-RED)`, fmt.pct(a.cpuPercentOfOneCore), `${a.devices} legacy devices, same harness: ${fmt.pct(b.cpuPercentOfOneCore)}; per poll ${fmt.us(a.cpuPerPollMicros)} vs ${fmt.us(b.cpuPerPollMicros)}`, '< 10 % of one core', a.cpuPercentOfOneCore < 10);
    row('12', 'KLAP polls answered; handshakes', `${Math.round(a.pollsPerSecond)}/s`, `failures ${a.failures}; handshakes ${a.simHandshakes} for ${a.devices} devices (legacy ${Math.round(b.pollsPerSecond)}/s)`, '≥ 95 % of devices/s, 0 failures, 1 handshake per device', a.pollsPerSecond >= 0.95 * a.devices && a.failures === 0 && a.simHandshakes === a.devices);
    row('12', 'RSS / JS heap per KLAP device', `${fmt.kb(a.rssPerDevice)} / ${fmt.kb(a.heapPerDevice)}`, `legacy ${fmt.kb(b.rssPerDevice)} / ${fmt.kb(b.heapPerDevice)}`, '—', null);
    if (configNodeHasProtocol()) {
      const nr = ks.nodered = await runScale({ file: 'scale-nodered.js', execArgv: ['--expose-gc'], klap: true, env: { BENCH_SCALE_PROTOCOL: 'klap', BENCH_NR_LOG: 'off' } });
      // Every device must have opened a KLAP session, else the figure is not of KLAP devices.
      if (nr.simHandshakes < nr.devices) {
        row('12', `CPU of Node-RED, ${nr.devices} KLAP devices polled 1/s`, 'invalid', `${nr.simHandshakes} KLAP sessions for ${nr.devices} devices (credentials not taken by the config node?)`, '< 10 % of one core', false);
      } else {
        row('12', `CPU of Node-RED, ${nr.devices} KLAP devices polled 1/s`, fmt.pct(nr.cpuPercentOfOneCore), `of one core, over ${nr.windowS.toFixed(0)} s; polls ${Math.round(nr.pollsPerSecond)}/s, offline ${nr.offline}; ${nr.simHandshakes} handshakes`, '< 10 % of one core', nr.cpuPercentOfOneCore < 10 && nr.offline === 0);
      }
    } else {
      row('12', 'CPU of Node-RED with KLAP devices', 'not run', 'tplink-device has no `protocol` in this build', '< 10 % of one core', null);
    }
  }

  if (want('scale')) {
    log(`[scale] ${SCALE_DEVICES} simulated devices, tplink-monitor polling every 1 s, ${SCALE_SECONDS} s window (+20 s warm-up) ...`);
    const s = results.scale = await runScale();
    const driftRate = s.lastThird.pollsPerSecond / s.firstThird.pollsPerSecond;
    const heapGrowth = s.heap.end - s.heap.start;
    const mib = (b) => (b / 2 ** 20).toFixed(1);
    row('5', `CPU of Node-RED, ${s.devices} devices polled 1/s`, fmt.pct(s.cpuPercentOfOneCore), `of one core, over ${s.windowS.toFixed(0)} s (simulator process: ${fmt.pct(s.simCpuPercent)})`, '< 10 % of one core', s.cpuPercentOfOneCore < 10);
    row('5', 'RSS per device (Node-RED process)', fmt.kb(s.rssPerDevice), `JS heap used ${fmt.kb(s.heapPerDevice)}, V8 heap reserved ${fmt.kb(s.heapTotalPerDevice)}`, '—', null);
    row('5', 'polls answered', `${Math.round(s.pollsPerSecond)}/s`, `offline ${s.offline}, expected ≈ ${s.devices}/s`, '≥ 95 % of devices/s, 0 offline', s.pollsPerSecond >= 0.95 * s.devices && s.offline === 0);
    row('5', 'drift: poll rate last ⅓ vs first ⅓ of window', fmt.x(driftRate), `${s.firstThird.pollsPerSecond.toFixed(1)}/s → ${s.lastThird.pollsPerSecond.toFixed(1)}/s, interval ${s.firstThird.meanIntervalMs.toFixed(0)} → ${s.lastThird.meanIntervalMs.toFixed(0)} ms`, '0.95x – 1.05x', driftRate >= 0.95 && driftRate <= 1.05);
    row('5', 'drift: JS heap after GC, end vs start of window', `${heapGrowth >= 0 ? '+' : ''}${fmt.kb(heapGrowth)}`, `${mib(s.heap.start)} → ${mib(s.heap.end)} MiB; RSS ${mib(s.rss.start)} → ${mib(s.rss.end)} MiB, V8 heap reserved ${mib(s.heapTotal.start)} → ${mib(s.heapTotal.end)} MiB`, '< 1 KiB per device', heapGrowth < 1024 * s.devices);
  }

  const loadAfter = os.loadavg();
  results.loadAfter = loadAfter;
  results.seconds = (Date.now() - t0) / 1000;
  console.log('');
  printTable();
  const missed = rows.filter((r) => r.verdict === 'MISS').length;
  const passed = rows.filter((r) => r.verdict === 'PASS').length;
  console.log(`\n${passed} PASS, ${missed} MISS; load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; took ${results.seconds.toFixed(0)} s`);
  if (!want('scale') || SCALE_SECONDS < 300) console.log(`scale window: ${SCALE_SECONDS} s (the issue's full run: BENCH_SCALE_SECONDS=300)`);
  results.rows = rows;
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}

/** Whether this build's tplink-device config node reads a `protocol` (KLAP devices in flows). */
function configNodeHasProtocol() {
  try {
    return /\bconfig\.protocol\b/.test(fs.readFileSync(path.join(__dirname, '..', 'nodes', 'tplink-device.js'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Items 5 and 12: simulators in one child process (KLAP ones with `klap`), the
 * polling side (Node-RED by default, or `file`) in another.
 */
function runScale({ file = 'scale-nodered.js', klap = false, env = {}, execArgv = ['--expose-gc'] } = {}) {
  return new Promise((resolve, reject) => {
    const sims = fork(path.join(SECTIONS, 'scale-sims.js'), [String(SCALE_DEVICES), klap ? 'klap' : 'iot'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const fail = (err) => { try { sims.kill('SIGKILL'); } catch { /* gone */ } reject(err); };
    sims.once('exit', (code) => fail(new Error(`simulator process exited (${code})`)));
    sims.once('message', async (m) => {
      try {
        sims.send({ type: 'stats' });
        const before = await new Promise((r) => sims.once('message', r));
        const t = Date.now();
        const s = await section(file, {
          env: { ...env, BENCH_SCALE_PORTS: JSON.stringify(m.ports), BENCH_SCALE_SECONDS: String(SCALE_SECONDS) },
          execArgv,
          timeoutMs: (SCALE_SECONDS + 120) * 1000,
        });
        sims.send({ type: 'stats' });
        const after = await new Promise((r) => sims.once('message', r));
        s.simRequests = after.requests - before.requests;
        s.simHandshakes = after.handshakes;
        s.simCpuPercent = ((after.cpuMicros - before.cpuMicros) / 1e6 / ((Date.now() - t) / 1000)) * 100;
        s.models = m.models;
        sims.removeAllListeners('exit');
        sims.disconnect();
        resolve(s);
      } catch (err) {
        fail(err);
      }
    });
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
