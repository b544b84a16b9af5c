'use strict';
// One library in its own process (node --expose-gc): N device objects, each doing
// one get_sysinfo against the fixed-reply device, all kept alive; reports the
// growth of the V8 heap (after full GC) and of RSS, per device.
//   ours   - new DeviceClient({host, port}) (default: keeps its connection open)
//   theirs - tplink-smarthome-api: one Client, client.getDevice({host, port}) per
//            device (their usual way: it reads sysinfo and returns a Plug)
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const lib = process.argv[2];
const n = Number(process.argv[3] || 100);
const port = Number(process.env.BENCH_DEVICE_PORT);
const host = '127.0.0.1';

function gcNow() {
  for (let i = 0; i < 3; i++) global.gc();
}

function snapshot() {
  gcNow();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

async function makeOurs() {
  const { DeviceClient } = require(path.join(ROOT, 'nodes/core/client'));
  const system = require(path.join(ROOT, 'nodes/core/commands/system'));
  return async () => {
    const c = new DeviceClient({ host, port });
    const sys = await c.run(system.getSysinfo());
    if (sys.err_code !== 0) throw new Error('bad reply');
    return c;
  };
}

async function makeTheirs() {
  const { Client } = require('tplink-smarthome-api');
  const client = new Client({ logLevel: 'silent' });
  return async () => {
    const plug = await client.getDevice({ host, port });
    if (plug.sysInfo.err_code !== 0) throw new Error('bad reply');
    return plug;
  };
}

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  const make = lib === 'ours' ? await makeOurs() : lib === 'theirs' ? await makeTheirs() : null;
  if (!make) throw new Error(`unknown library ${lib}`);
  // Warm up: code loaded and optimised, pools allocated, before the baseline. The
  // warm-up objects stay alive, so nothing of theirs is freed inside the measurement.
  const warm = [];
  for (let i = 0; i < 50; i++) warm.push(await make());
  await new Promise((r) => setTimeout(r, 200));
  const before = snapshot();
  const keep = [];
  for (let i = 0; i < n; i++) keep.push(await make());
  await new Promise((r) => setTimeout(r, 200)); // let sockets closed by either side settle
  const after = snapshot();
  const per = (k) => (after[k] - before[k]) / n;
  const result = { lib, n, warm: warm.length, heapPerDevice: per('heap'), rssPerDevice: per('rss'), externalPerDevice: per('external'), alive: keep.length };
  return result;
}

require('../lib/section').run(main);
