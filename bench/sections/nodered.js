'use strict';
// Items 2 and 4, in one embedded Node-RED runtime (bench/lib/nodered.js):
//  2. per-message latency of inject -> tplink-relay (action "get": one get_sysinfo)
//     -> bench-sink, measured from inject.receive() to the sink's input, interleaved
//     request by request with the raw DeviceClient (reused connection, as the
//     tplink-device config node uses it) and the floor client, same device.
//  4. bursts of 1,000 messages into the same flow (and 1,000 raw client.run()
//     calls at once): messages/s and the latency of each message (p50/p99).
const path = require('path');
const { startNodeRed, sinkBus } = require('../lib/nodered');
const { floorRequest } = require('../lib/floor-client');
const { sideBySide, roundRatio, median, percentile, nowNs } = require('../lib/stats');

const ROOT = path.resolve(__dirname, '..', '..');
const { DeviceClient } = require(path.join(ROOT, 'nodes/core/client'));
const system = require(path.join(ROOT, 'nodes/core/commands/system'));

function flow(port) {
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'dev', type: 'tplink-device', name: 'fixed', host: '127.0.0.1', port: String(port), timeout: '5000', transport: 'tcp', queueLimit: '1000' },
    { id: 'inj', type: 'inject', z: 'tab', x: 100, y: 100, name: '', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, topic: '', payload: '', payloadType: 'date', wires: [['relay']] },
    { id: 'relay', type: 'tplink-relay', z: 'tab', x: 100, y: 100, device: 'dev', action: 'get', wires: [['sink']] },
    { id: 'sink', type: 'bench-sink', z: 'tab', x: 100, y: 100, wires: [] },
    // The same inject wired straight to the sink: what Node-RED itself costs per message.
    { id: 'inj0', type: 'inject', z: 'tab', x: 100, y: 100, name: '', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, topic: '', payload: '', payloadType: 'date', wires: [['sink']] },
    // A failed message (done(err)) reaches the sink through a catch node, flagged by msg.error.
    { id: 'catch', type: 'catch', z: 'tab', x: 100, y: 100, scope: null, uncaught: false, wires: [['sink']] },
  ];
}

async function main() {
  const port = Number(process.env.BENCH_DEVICE_PORT);
  const rounds = Number(process.env.BENCH_NR_ROUNDS || 40);
  const perRound = Number(process.env.BENCH_NR_PER_ROUND || 50);
  const burstSize = Number(process.env.BENCH_BURST || 1000);
  const burstReps = Number(process.env.BENCH_BURST_REPS || 5);
  const nr = await startNodeRed(['tplink-device', 'tplink-relay']);
  await nr.deploy(flow(port));
  const inject = nr.RED.nodes.getNode('inj');
  const inject0 = nr.RED.nodes.getNode('inj0');
  const raw = new DeviceClient({ host: '127.0.0.1', port, timeout: 5000 });
  const req = { system: { get_sysinfo: {} } };

  // Messages are tagged with a sequence number (inject keeps the incoming msg's
  // properties), so each output is matched to its own input time.
  let seq = 0;
  const waiting = new Map();
  const errors = [];
  sinkBus.on('msg', (msg) => {
    const w = waiting.get(msg.benchSeq);
    if (!w) return;
    waiting.delete(msg.benchSeq);
    if (msg.error) errors.push(`flow error: ${msg.error.message}`);
    else if (msg.benchEmpty) { w(msg); return; }
    else if (typeof msg.payload !== 'boolean' || !msg.reply || !msg.reply.system) errors.push(`bad output ${JSON.stringify(msg).slice(0, 200)}`);
    w(msg);
  });
  function viaNodeRed(node = inject) {
    return new Promise((resolve) => {
      const k = ++seq;
      waiting.set(k, resolve);
      node.receive({ benchSeq: k });
    });
  }
  const first = await Promise.race([viaNodeRed(), new Promise((r) => setTimeout(() => r(null), 5000))]);
  if (!first || first.error || first.reply.system.get_sysinfo.deviceId !== '8006000000000000000000000000000000000000') throw new Error('the relay flow gave no sysinfo');

  const res = await sideBySide({
    nodered: () => viaNodeRed(),
    noderedEmpty: () => new Promise((resolve) => {
      const k = ++seq;
      waiting.set(k, resolve);
      inject0.receive({ benchSeq: k, benchEmpty: true });
    }),
    raw: () => raw.run(system.getSysinfo()),
    floor: () => floorRequest(port, req),
  }, { rounds, perRound, warmup: 100 });
  const lat = {};
  for (const n of Object.keys(res.all)) lat[n] = { median: median(res.all[n]), p99: percentile(res.all[n], 99), n: res.all[n].length };
  const latency = { rounds, perRound, lat, ratios: { noderedVsRaw: roundRatio(res, 'nodered', 'raw'), emptyPlusRawVsRaw: median(res.roundMedians.noderedEmpty.map((e, i) => (e + res.roundMedians.raw[i]) / res.roundMedians.raw[i])), noderedVsFloor: roundRatio(res, 'nodered', 'floor') } };

  // Bursts: all messages handed over at once; latency of each from its own hand-over.
  async function burstNodeRed() {
    const lats = new Array(burstSize);
    const t0 = nowNs();
    let last = t0;
    const ps = [];
    for (let i = 0; i < burstSize; i++) {
      const tIn = nowNs();
      ps.push(viaNodeRed().then(() => { last = nowNs(); lats[i] = Number(last - tIn) / 1000; }));
    }
    await Promise.all(ps);
    return { lats, seconds: Number(last - t0) / 1e9 };
  }
  async function burstRaw() {
    const lats = new Array(burstSize);
    const t0 = nowNs();
    let last = t0;
    const ps = [];
    for (let i = 0; i < burstSize; i++) {
      const tIn = nowNs();
      ps.push(raw.run(system.getSysinfo()).then(() => { last = nowNs(); lats[i] = Number(last - tIn) / 1000; }));
    }
    await Promise.all(ps);
    return { lats, seconds: Number(last - t0) / 1e9 };
  }
  const bursts = { nodered: [], raw: [] };
  for (let r = 0; r < burstReps; r++) {
    for (const [name, fn] of r % 2 ? [['raw', burstRaw], ['nodered', burstNodeRed]] : [['nodered', burstNodeRed], ['raw', burstRaw]]) {
      const b = await fn();
      bursts[name].push({ rate: burstSize / b.seconds, p50: median(b.lats), p99: percentile(b.lats, 99), max: Math.max(...b.lats) });
    }
  }
  const summarize = (xs) => ({
    rate: median(xs.map((x) => x.rate)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    max: median(xs.map((x) => x.max)),
    reps: xs.length,
  });
  const burst = {
    size: burstSize,
    nodered: summarize(bursts.nodered),
    raw: summarize(bursts.raw),
    sequentialRate: { nodered: 1e6 / lat.nodered.median, raw: 1e6 / lat.raw.median },
    delivered: seq - waiting.size,
    sent: seq,
    errors: errors.length,
  };
  await raw.close();
  await nr.stop();
  return { latency, burst, errorSamples: errors.slice(0, 3) };
}

require('../lib/section').run(main);
