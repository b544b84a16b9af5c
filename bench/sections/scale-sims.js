'use strict';
// Item 5, device side: N PlugSimulators (TCP only, 127.0.0.1, ephemeral ports) in
// this one process, models in rotation. Sends {ports} to the parent over IPC and
// answers {type:'stats'} with the request count and this process's CPU time.
// With a second argument `klap`: N KlapPlugSimulators instead (HTTP, real KLAP,
// the bench account of ../lib/fixed-klap-device.js, no 20002 responder); the
// stats then also carry the handshakes the devices completed.
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const { PlugSimulator, KlapPlugSimulator } = require(path.join(ROOT, 'nodes/simulator'));
const { ACCOUNT } = require('../lib/fixed-klap-device');
const KLAP = process.argv[3] === 'klap';
const MODELS = KLAP ? ['kp115-klap', 'hs100-klap', 'hs300-klap'] : ['hs100', 'hs105', 'hs110', 'hs110v2', 'hs200', 'hs300'];

async function startKlap(i, count) {
  const sim = await KlapPlugSimulator.start({ model: MODELS[i % MODELS.length], host: '127.0.0.1', port: 0, discoveryPort: null, alias: `bench ${i}`, ...ACCOUNT });
  const handle = sim.handle.bind(sim);
  sim.handle = (text) => { count(); return handle(text); };
  // Keep no request log: a 1 Hz poll for minutes would grow it.
  sim.requests.push = () => 0;
  return sim;
}

async function main() {
  const n = Number(process.argv[2] || 200);
  const sims = [];
  let requests = 0;
  for (let i = 0; i < n; i++) {
    if (KLAP) {
      sims.push(await startKlap(i, () => { requests++; }));
      continue;
    }
    const sim = await PlugSimulator.start({ model: MODELS[i % MODELS.length], host: '127.0.0.1', port: 0, udp: false, requestLogLimit: 1, alias: `bench ${i}` });
    // Count requests without keeping them (the simulator logs each decoded request here).
    const record = sim.record.bind(sim);
    sim.record = (req) => { requests++; record(req); };
    sims.push(sim);
  }
  const cpu0 = process.cpuUsage();
  process.on('message', (m) => {
    if (m && m.type === 'stats') {
      const c = process.cpuUsage(cpu0);
      const handshakes = KLAP ? sims.reduce((a, sim) => a + sim.server.counts.handshake2, 0) : 0;
      process.send({ type: 'stats', requests, handshakes, cpuMicros: c.user + c.system, rss: process.memoryUsage().rss });
    }
  });
  process.on('disconnect', () => { Promise.all(sims.map((s) => s.stop())).then(() => process.exit(0)); });
  process.send({ type: 'ready', ports: sims.map((s) => s.port), models: sims.map((_, i) => MODELS[i % MODELS.length]) });
}

main().catch((err) => { console.error(err); process.exit(1); });
