'use strict';
// Nothing lost under load: bursts into one node and into 20 nodes sharing one
// device. Every input comes out exactly once (an output or an error), in order per
// node; the device sees one connection at a time; memory returns to its baseline;
// the queue bound rejects instead of growing.

const assert = require('assert');
const { helper, wired } = require('./support/nodes');
const { PlugSimulator } = require('../nodes/simulator');
const {
  crashWatch, loadFlow, send, burst, forgetSpyHistory, settledHeap, clientSocketProbe, until, reportWriter,
} = require('./support/fault-harness');

const MiB = 1024 * 1024;
// heapUsed after forced GCs moves by a few hundred KiB between identical states (JIT
// code, inline caches, Node-RED's own bookkeeping); a leak of the bursts' 1,000 and
// 2,000 replies, requests and closures would be several MiB.
const HEAP_TOLERANCE = 1.5 * MiB;

const device = (sim, extra = {}) => ({ id: 'dev', type: 'tplink-device', name: 'load', host: '127.0.0.1', port: sim.port, timeout: 2000, transport: 'tcp', ...extra });
const mib = (n) => Math.round((n / MiB) * 100) / 100;

describe('reliability: nothing lost under load', function () {
  this.timeout(60000);
  const report = reportWriter('load');
  let sim;
  let watch;

  beforeEach(async () => {
    watch = crashWatch();
    sim = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0, requestLogLimit: 100000 });
  });
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
    watch.stop();
    watch.assertNone();
  });
  after(() => report.flush());

  it('1,000 messages into one relay node: 1,000 outputs in order, one connection, memory back to baseline', async () => {
    await loadFlow(['tplink-relay'], [device(sim), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
    await burst(['relay'], 100, (_id, i) => ({ payload: i % 2 === 0 })); // warm-up: JIT, connection
    forgetSpyHistory();
    const baseline = await settledHeap();
    const before = sim.requests.length;
    const opened = sim.connectionsOpened;

    // Weak references to every reply that comes out: after the burst nothing may keep them.
    const replies = [];
    const out = helper.getNode('relay-out');
    const keep = (m) => replies.push(new WeakRef(m.reply));
    out.on('input', keep);
    const probe = clientSocketProbe(sim.port);
    const t0 = Date.now();
    let res;
    try {
      res = await burst(['relay'], 1000, (_id, i) => ({ payload: i % 2 === 0 }));
    } finally {
      probe.stop();
      out.removeListener('input', keep);
    }
    const ms = Date.now() - t0;
    const rows = res.relay;
    assert.strictEqual(rows.length, 1000);
    assert.deepStrictEqual(rows.filter((r) => !r.ok), [], 'no errors');
    assert.deepStrictEqual(rows.map((r) => r.i), [...Array(1000).keys()], 'outputs in input order');
    for (const r of rows) assert.strictEqual(r.payload, r.i % 2 === 0);
    const sent = sim.requests.slice(before);
    assert.strictEqual(sent.length, 1000, 'the device received each request exactly once');
    assert.deepStrictEqual(sent.map((q) => q.system.set_relay_state.state), rows.map((r) => (r.i % 2 === 0 ? 1 : 0)), 'in input order');
    assert.strictEqual(sim.peakConnections, 1);
    assert.strictEqual(probe.peak <= 1, true);
    assert.strictEqual(sim.connectionsOpened, opened, 'the one kept-open connection carried the whole burst');

    res = null;
    rows.length = 0;
    forgetSpyHistory();
    const after = await settledHeap();
    const alive = replies.filter((w) => w.deref() !== undefined).length;
    report.add({
      case: '1,000 messages into one relay node',
      in: 1000, out: 1000, errors: 0, deviceRequests: sent.length, peakConnections: sim.peakConnections,
      connectionsOpened: sim.connectionsOpened - opened, ms, heapBeforeMiB: mib(baseline), heapAfterMiB: mib(after),
      heapDeltaMiB: mib(after - baseline), repliesStillReferenced: alive,
    });
    assert.strictEqual(alive, 0, `${alive} of 1000 replies are still referenced after the burst`);
    assert.ok(after - baseline < HEAP_TOLERANCE, `heap grew by ${mib(after - baseline)} MiB (baseline ${mib(baseline)} MiB)`);
  });

  it('100 messages into each of 20 nodes sharing one device: 2,000 outputs, in order per node, one connection', async () => {
    const ids = Array.from({ length: 20 }, (_, k) => `n${k}`);
    const flow = [device(sim, { queueLimit: 2000 })];
    for (const id of ids) flow.push(...wired(id, 'tplink-system', 'dev', { action: 'alias' }));
    await loadFlow(['tplink-system'], flow);
    const alias = (id, i) => `${id}-${i}`;
    await burst(ids, 5, (id, i) => ({ payload: { alias: alias(id, 1000 + i) } })); // warm-up
    forgetSpyHistory();
    const baseline = await settledHeap();
    const before = sim.requests.length;
    const opened = sim.connectionsOpened;
    const probe = clientSocketProbe(sim.port);
    const t0 = Date.now();
    let res;
    try {
      res = await burst(ids, 100, (id, i) => ({ payload: { alias: alias(id, i) } }));
    } finally {
      probe.stop();
    }
    const ms = Date.now() - t0;
    let outs = 0;
    for (const id of ids) {
      const rows = res[id];
      assert.strictEqual(rows.length, 100, id);
      assert.deepStrictEqual(rows.filter((r) => !r.ok).map((r) => r.error), [], `${id}: no errors`);
      assert.deepStrictEqual(rows.map((r) => r.i), [...Array(100).keys()], `${id}: in input order`);
      for (const r of rows) assert.deepStrictEqual(r.payload, { alias: alias(id, r.i) });
      outs += rows.length;
    }
    // The device side: 2,000 requests, each alias exactly once, each node's in order.
    const sent = sim.requests.slice(before).map((q) => q.system.set_dev_alias.alias);
    assert.strictEqual(sent.length, 2000);
    assert.strictEqual(new Set(sent).size, 2000, 'no request sent twice');
    for (const id of ids) {
      const mine = sent.filter((a) => a.startsWith(`${id}-`)).map((a) => Number(a.slice(id.length + 1)));
      assert.deepStrictEqual(mine, [...Array(100).keys()], `${id}: the device got them in order`);
    }
    assert.strictEqual(sim.peakConnections, 1);
    assert.ok(probe.peak <= 1);
    assert.strictEqual(sim.connectionsOpened, opened);
    res = null;
    forgetSpyHistory();
    const after = await settledHeap();
    report.add({
      case: '100 messages into each of 20 tplink-system nodes, one device',
      in: 2000, out: outs, errors: 0, deviceRequests: sent.length, peakConnections: sim.peakConnections,
      connectionsOpened: sim.connectionsOpened - opened, ms, heapBeforeMiB: mib(baseline), heapAfterMiB: mib(after), heapDeltaMiB: mib(after - baseline),
    });
    assert.ok(after - baseline < HEAP_TOLERANCE, `heap grew by ${mib(after - baseline)} MiB (baseline ${mib(baseline)} MiB)`);
  });

  it('memory after a redeploy cycle: flows stopped, clients closed, heap back to baseline', async () => {
    const flow = () => [device(sim), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })];
    await loadFlow(['tplink-relay'], flow());
    await burst(['relay'], 200, (_id, i) => ({ payload: i % 2 === 0 }));
    await helper.unload();
    await until(() => sim.activeConnections === 0, 2000, 'connections closed');
    forgetSpyHistory();
    const baseline = await settledHeap();
    for (let k = 0; k < 5; k++) {
      await loadFlow(['tplink-relay'], flow());
      const res = await burst(['relay'], 200, (_id, i) => ({ payload: i % 2 === 0 }));
      assert.strictEqual(res.relay.filter((r) => r.ok).length, 200);
      await helper.unload();
    }
    await until(() => sim.activeConnections === 0, 2000, 'connections closed');
    forgetSpyHistory();
    const after = await settledHeap();
    report.add({ case: '5 deploy/stop cycles of 200 messages each', in: 1000, out: 1000, errors: 0, peakConnections: sim.peakConnections, heapBeforeMiB: mib(baseline), heapAfterMiB: mib(after), heapDeltaMiB: mib(after - baseline), openConnectionsAfter: sim.activeConnections });
    assert.strictEqual(sim.peakConnections, 1);
    assert.ok(after - baseline < HEAP_TOLERANCE, `heap grew by ${mib(after - baseline)} MiB`);
    await loadFlow(['tplink-relay'], flow()); // afterEach unloads
  });

  it('queue bound: queueLimit 10 rejects the excess with "queue full" instead of growing', async () => {
    await loadFlow(['tplink-relay'], [device(sim, { queueLimit: 10 }), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
    assert.ifError((await send('relay', { payload: false })).error);
    sim.setFault({ type: 'delay', ms: 40 }); // a slow device
    const before = sim.requests.length;
    const t0 = Date.now();
    const res = await burst(['relay'], 50, (_id, i) => ({ payload: i % 2 === 0 }));
    const ms = Date.now() - t0;
    const rows = res.relay;
    const ok = rows.filter((r) => r.ok);
    const full = rows.filter((r) => !r.ok);
    assert.strictEqual(rows.length, 50, 'every input accounted for');
    // One in flight + 10 waiting are served; the other 39 are refused at once.
    assert.deepStrictEqual(ok.map((r) => r.i), [...Array(11).keys()]);
    assert.strictEqual(full.length, 39);
    for (const r of full) {
      assert.strictEqual(r.kind, 'queue-full');
      assert.match(r.error, /^request queue for 127\.0\.0\.1:\d+ is full \(10 waiting\); request rejected$/);
    }
    assert.strictEqual(sim.requests.length - before, 11, 'refused messages never reached the device');
    assert.ok(helper.getNode('relay').status.getCalls().some((c) => c.args[0].fill === 'red' && c.args[0].text === 'queue full'), 'status "queue full"');
    sim.setFault(null);
    const next = await send('relay', { payload: true });
    assert.ifError(next.error);
    report.add({ case: 'queueLimit 10, 50 messages at a device answering in 40 ms', in: 50, out: ok.length, errors: full.length, deviceRequests: 11, ms, error: full[0].error, peakConnections: sim.peakConnections });
    assert.strictEqual(sim.peakConnections, 1);
  });
});

// ---- KLAP devices (issue 12) ----------------------------------------------
// The same burst against KLAP firmware: nothing lost, in order, ONE handshake
// and one connection for the whole burst (not one per message). Through
// DeviceSession (the config node's core path) always; through Node-RED once
// tplink-device reads `protocol`.
const system = require('../nodes/core/commands/system');
const { startKlapDevice, klapSession, klapDeviceNode, klapCredentials } = require('./support/klap-devices');

describe('reliability: nothing lost under load, KLAP devices through DeviceSession', function () {
  this.timeout(60000);
  const report = reportWriter('load-klap-core');
  let sim;
  let watch;
  beforeEach(async () => {
    watch = crashWatch();
    sim = await startKlapDevice('hs300-klap');
  });
  afterEach(async () => {
    await until(() => sim.server.sockets.size === 0, 2000, 'connections closed');
    await sim.stop();
    watch.stop();
    watch.assertNone();
  });
  after(() => report.flush());

  it('1,000 requests queued at once: 1,000 answers in order, each applied once, one handshake, one connection', async () => {
    const { session, clients } = klapSession(sim, { timeout: 5000 });
    const probe = clientSocketProbe(sim.port);
    const t0 = Date.now();
    let answers;
    try {
      answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => session.run(system.setAlias(`b${i}`)).then(() => i, (e) => `error ${e.kind}: ${e.message}`)));
    } finally {
      probe.stop();
    }
    const ms = Date.now() - t0;
    assert.deepStrictEqual(answers, [...Array(1000).keys()], 'every request answered, none failed, in order');
    const sent = sim.requests.map((r) => r.system.set_dev_alias.alias);
    assert.deepStrictEqual(sent, Array.from({ length: 1000 }, (_, i) => `b${i}`), 'the device applied each once, in order');
    assert.strictEqual(sim.server.counts.handshake1, 1, 'one handshake1 for the whole burst');
    assert.strictEqual(sim.server.counts.handshake2, 1, 'one handshake2 for the whole burst');
    assert.deepStrictEqual(clients[0].transportInfo.stats, { connects: 1, retries: 0, handshakes: 1 });
    assert.strictEqual(probe.opened, 1, 'one connection carried the burst');
    await session.close();
    report.add({ case: 'KLAP: 1,000 requests queued at once (DeviceSession)', in: 1000, out: 1000, errors: 0, deviceRequests: sent.length, handshakes: 1, connectionsOpened: probe.opened, ms });
  });

  it('100 requests from each of 20 users of one session: 2,000 answers, in order per user, one handshake', async () => {
    const { session, clients } = klapSession(sim, { timeout: 5000, maxQueue: 2000 });
    const users = Array.from({ length: 20 }, (_, k) => `u${k}`);
    const per = await Promise.all(users.map((u) => Promise.all(Array.from({ length: 100 }, (_, i) => session.run(system.setAlias(`${u}-${i}`)).then(() => i)))));
    for (const got of per) assert.deepStrictEqual(got, [...Array(100).keys()]);
    const sent = sim.requests.map((r) => r.system.set_dev_alias.alias);
    assert.strictEqual(sent.length, 2000);
    assert.strictEqual(new Set(sent).size, 2000, 'nothing sent twice');
    for (const u of users) assert.deepStrictEqual(sent.filter((a) => a.startsWith(`${u}-`)), Array.from({ length: 100 }, (_, i) => `${u}-${i}`), `${u} in order`);
    assert.strictEqual(sim.server.counts.handshake2, 1);
    assert.strictEqual(clients[0].transportInfo.stats.connects, 1);
    await session.close();
    report.add({ case: 'KLAP: 100 requests from each of 20 users, one session', in: 2000, out: 2000, errors: 0, deviceRequests: 2000, handshakes: 1 });
  });
});

describe('reliability: nothing lost under load, KLAP devices through Node-RED', function () {
  this.timeout(60000);
  const report = reportWriter('load-klap');
  let sim;
  let watch;
  beforeEach(async () => {
    watch = crashWatch();
    sim = await startKlapDevice('kp115-klap');
  });
  afterEach(async () => {
    await helper.unload();
    await until(() => sim.server.sockets.size === 0, 2000, 'connections closed');
    await sim.stop();
    watch.stop();
    watch.assertNone();
  });
  after(() => report.flush());

  it('1,000 messages into one relay node: 1,000 outputs in order, each applied once, ONE handshake, one connection', async () => {
    await loadFlow(['tplink-relay'], [klapDeviceNode(sim, { timeout: 5000 }), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })], klapCredentials());
    const probe = clientSocketProbe(sim.port);
    const t0 = Date.now();
    let res;
    try {
      res = await burst(['relay'], 1000, (_id, i) => ({ payload: i % 2 === 0 }));
    } finally {
      probe.stop();
    }
    const ms = Date.now() - t0;
    const rows = res.relay;
    assert.strictEqual(rows.length, 1000);
    assert.deepStrictEqual(rows.filter((r) => !r.ok), [], 'no errors');
    assert.deepStrictEqual(rows.map((r) => r.i), [...Array(1000).keys()], 'outputs in input order');
    const sent = sim.requests.filter((q) => q.system && q.system.set_relay_state);
    assert.strictEqual(sent.length, 1000, 'the device received each request exactly once');
    assert.deepStrictEqual(sent.map((q) => q.system.set_relay_state.state), rows.map((r) => (r.i % 2 === 0 ? 1 : 0)), 'in input order');
    assert.strictEqual(sim.server.counts.handshake2, 1, 'one handshake for the whole burst, not one per message');
    assert.strictEqual(probe.opened, 1, 'one connection carried the burst');
    report.add({ case: 'KLAP: 1,000 messages into one relay node', in: 1000, out: 1000, errors: 0, deviceRequests: sent.length, handshakes: sim.server.counts.handshake2, connectionsOpened: probe.opened, ms });
  });
});
