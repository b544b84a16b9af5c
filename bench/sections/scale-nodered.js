'use strict';
// Item 5, Node-RED side (run with --expose-gc): one embedded runtime with one
// tplink-device config node and one tplink-monitor node (poll every 1 s) per
// simulated device, ports from BENCH_SCALE_PORTS. Measures over the window:
//  - CPU of this process (process.cpuUsage over the window / wall time);
//  - RSS and V8 heap per device: after full GC, flow running vs empty runtime;
//  - drift: polls/s in the first vs last third of the window, heap and RSS (after
//    full GC) at the start vs the end of the window, sampled memory every 5 s.
// A poll is counted when a monitor sets its status (it does so after every poll,
// good or failed); "offline" statuses are counted separately.
const { startNodeRed, sinkBus } = require('../lib/nodered');
const { memorySnapshot: snapshot } = require('../lib/stats');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  const ports = JSON.parse(process.env.BENCH_SCALE_PORTS);
  const windowS = Number(process.env.BENCH_SCALE_SECONDS || 60);
  const warmupS = Number(process.env.BENCH_SCALE_WARMUP || 20);
  const n = ports.length;
  const nr = await startNodeRed(['tplink-device', 'tplink-monitor']);
  // Let the runtime's start-up garbage go and V8 hand pages back before the baseline.
  for (let i = 0; i < 5; i++) { await sleep(1000); snapshot(); }
  const base = snapshot();

  const flow = [{ id: 'tab', type: 'tab', label: 'scale' }, { id: 'sink', type: 'bench-sink', z: 'tab', x: 100, y: 100, wires: [] }];
  // BENCH_SCALE_PROTOCOL=klap: KLAP devices, the config node's `protocol` and
  // credentials (the account goes in the flow's credentials, as the editor sends it).
  const klap = process.env.BENCH_SCALE_PROTOCOL === 'klap';
  ports.forEach((port, i) => {
    const dev = { id: `dev${i}`, type: 'tplink-device', name: `sim ${i}`, host: '127.0.0.1', port: String(port), timeout: '5000', transport: 'tcp' };
    if (klap) Object.assign(dev, { protocol: 'klap', credentials: { ...require('../lib/fixed-klap-device').ACCOUNT } });
    flow.push(dev);
    flow.push({ id: `mon${i}`, type: 'tplink-monitor', z: 'tab', x: 100, y: 100, device: `dev${i}`, interval: '1', threshold: '', hysteresis: '', emeter: '', initial: false, wires: [['sink']] });
  });
  await nr.deploy(flow);

  let polls = 0;
  let offline = 0;
  let events = 0;
  const lastPoll = new Array(n).fill(0);
  // Per-second buckets of the window (polls, sum of intervals), allocated up front so
  // the measurement itself does not grow the heap it is watching.
  const buckets = Math.ceil(windowS) + 2;
  const bucketPolls = new Float64Array(buckets);
  const bucketGapSum = new Float64Array(buckets);
  let t0 = 0; // start of the window; polls before it are not bucketed
  for (let i = 0; i < n; i++) {
    const node = nr.RED.nodes.getNode(`mon${i}`);
    const status = node.status.bind(node);
    node.status = (s) => {
      const t = Date.now();
      polls++;
      if (s && s.text === 'offline') offline++;
      if (t0 && lastPoll[i]) {
        const b = Math.min(buckets - 1, Math.floor((t - t0) / 1000));
        bucketPolls[b]++;
        bucketGapSum[b] += t - lastPoll[i];
      }
      lastPoll[i] = t;
      return status(s);
    };
  }
  sinkBus.on('msg', () => { events++; });

  await sleep(warmupS * 1000);
  const start = snapshot();
  const samples = [];
  const polls0 = polls;
  const offline0 = offline;
  const cpu0 = process.cpuUsage();
  t0 = Date.now();
  // Every 5 s: RSS and heap as they are; every 15 s also the heap after a full
  // GC (the CPU those GCs take is left out of the CPU figure).
  const tick = 5000;
  let gcMicros = 0;
  const gcHeap = [{ t: 0, heap: start.heap }];
  while (Date.now() - t0 < windowS * 1000) {
    await sleep(Math.min(tick, windowS * 1000 - (Date.now() - t0)));
    const m = process.memoryUsage();
    const t = (Date.now() - t0) / 1000;
    const sample = { t, polls: polls - polls0, rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal };
    if (samples.length % 3 === 2 && Date.now() - t0 < windowS * 1000 - 1000) {
      const c = process.cpuUsage();
      sample.heapAfterGc = snapshot().heap;
      const d = process.cpuUsage(c);
      gcMicros += d.user + d.system;
      gcHeap.push({ t, heap: sample.heapAfterGc });
    }
    samples.push(sample);
  }
  const cpuAll = process.cpuUsage(cpu0);
  const cpu = { user: cpuAll.user - gcMicros, system: cpuAll.system };
  const wallS = (Date.now() - t0) / 1000;
  const end = snapshot();

  // Poll rate and poll interval, first third vs last third of the window.
  const third = Math.floor(windowS / 3); // whole seconds per third
  const inRange = (a, b) => {
    let count = 0;
    let sum = 0;
    for (let k = a; k < b; k++) { count += bucketPolls[k]; sum += bucketGapSum[k]; }
    return { count, meanGapMs: count ? sum / count : NaN };
  };
  const first = inRange(0, third);
  gcHeap.push({ t: wallS, heap: end.heap });
  // Least-squares slope of the heap after GC over the window, bytes per minute.
  const mt = gcHeap.reduce((a, p) => a + p.t, 0) / gcHeap.length;
  const mh = gcHeap.reduce((a, p) => a + p.heap, 0) / gcHeap.length;
  const slope = (gcHeap.reduce((a, p) => a + (p.t - mt) * (p.heap - mh), 0) / gcHeap.reduce((a, p) => a + (p.t - mt) ** 2, 0)) * 60;
  const last = inRange(Math.floor(windowS) - third, Math.floor(windowS));
  const result = {
    devices: n,
    windowS: wallS,
    warmupS,
    cpuPercentOfOneCore: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
    cpuUserPercent: (cpu.user / 1e6 / wallS) * 100,
    rssPerDevice: (start.rss - base.rss) / n,
    heapPerDevice: (start.heap - base.heap) / n,
    // What V8 has reserved for its heap (used or not) and memory outside it.
    heapTotalPerDevice: (start.heapTotal - base.heapTotal) / n,
    externalPerDevice: (start.external - base.external) / n,
    base,
    baseRss: base.rss,
    rss: { start: start.rss, end: end.rss },
    heapTotal: { start: start.heapTotal, end: end.heapTotal },
    heap: { start: start.heap, end: end.heap, slopePerMinute: slope, afterGc: gcHeap },
    gcCpuMicros: gcMicros,
    polls: polls - polls0,
    pollsPerSecond: (polls - polls0) / wallS,
    offline: offline - offline0,
    events,
    firstThird: { pollsPerSecond: first.count / third, meanIntervalMs: first.meanGapMs },
    lastThird: { pollsPerSecond: last.count / third, meanIntervalMs: last.meanGapMs },
    samples,
  };
  await nr.stop();
  return result;
}

require('../lib/section').run(main);
