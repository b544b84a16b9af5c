'use strict';
// Shared machinery of the reliability suites (test/reliability-*.test.js):
// a crash watch, flow loading with credentials, message exchange that keeps the
// status seen, bursts that account for every input, a real blackholed port on
// loopback, hostile hand-written TCP "devices", a client-socket probe, a heap probe
// and the report writer behind docs/reliability.md.

const assert = require('assert');
const net = require('net');
const path = require('path');
const v8 = require('v8');
const vm = require('vm');
const { spawn } = require('child_process');
const { helper, nodeModules } = require('./nodes');
const { encrypt } = require('../../nodes/core/cipher');

/**
 * Records every uncaughtException / unhandledRejection while it is installed.
 * (Mocha has its own uncaughtException handler; ours only records.)
 */
function crashWatch() {
  const events = [];
  const onException = (err) => events.push({ type: 'uncaughtException', err });
  const onRejection = (err) => events.push({ type: 'unhandledRejection', err });
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    events,
    stop() {
      process.removeListener('uncaughtException', onException);
      process.removeListener('unhandledRejection', onRejection);
    },
    assertNone() {
      assert.deepStrictEqual(events.map((e) => `${e.type}: ${e.err && e.err.stack ? e.err.stack : e.err}`), []);
    },
  };
}

/** helper.load with credentials; the device config node is always loaded. */
function loadFlow(types, flow, credentials = {}) {
  return new Promise((resolve, reject) => {
    helper.load(nodeModules(...types), flow, credentials, (err) => (err ? reject(err) : resolve()));
  });
}

/** The last status a node set ({} when none). */
function lastStatus(id) {
  const node = helper.getNode(id);
  const calls = node.status.getCalls().filter((c) => c.thisValue === node);
  return calls.length ? calls[calls.length - 1].args[0] : {};
}

/**
 * Sends msg into node `id` (wired to `${id}-out`) and resolves with
 * {msg, status, ms} or {error, msg, status, ms}: exactly what came out, the status
 * the node showed at that moment, and the elapsed time.
 */
function send(id, msg, { timeout = 5000 } = {}) {
  const node = helper.getNode(id);
  const out = helper.getNode(`${id}-out`);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no output and no error from ${id} within ${timeout} ms (a hang)`)); }, timeout);
    const onInput = (m) => { cleanup(); resolve({ msg: m, status: lastStatus(id), ms: Date.now() - t0 }); };
    const onError = (call) => {
      if (call.thisValue !== node) return;
      cleanup();
      resolve({ error: call.args[0], msg: call.args[1], status: lastStatus(id), ms: Date.now() - t0 });
    };
    function cleanup() { clearTimeout(timer); out.removeListener('input', onInput); node.removeListener('call:error', onError); }
    out.on('input', onInput);
    node.on('call:error', onError);
    node.receive(msg);
  });
}

/**
 * Feeds `count` messages into each node of `ids` (at once, or one round every `gapMs`) and waits until every one
 * has produced an output or an error. `make(id, i)` builds message i for a node; the
 * message carries `_rel = {id, i}`. Resolves with per-node arrays of
 * {i, ok, error?, payload?} in the order they came out; rejects when any input is
 * still unaccounted for after `timeout` ms, or when one comes out twice.
 */
function burst(ids, count, make, { timeout = 30000, gapMs = 0 } = {}) {
  const results = Object.fromEntries(ids.map((id) => [id, []]));
  const seen = new Set();
  const expected = ids.length * count;
  let got = 0;
  const cleanups = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      const missing = ids.map((id) => `${id}: ${count - results[id].length} missing`).join(', ');
      reject(new Error(`burst incomplete after ${timeout} ms (${got}/${expected}): ${missing}`));
    }, timeout);
    function finish() { clearTimeout(timer); cleanups.forEach((f) => f()); }
    function record(id, entry, tag) {
      const key = `${id}#${entry.i}`;
      if (seen.has(key)) { finish(); reject(new Error(`${key} came out twice (${tag})`)); return; }
      seen.add(key);
      results[id].push(entry);
      if (++got === expected) { finish(); resolve(results); }
    }
    for (const id of ids) {
      const node = helper.getNode(id);
      const out = helper.getNode(`${id}-out`);
      const onInput = (m) => record(id, { i: m._rel.i, ok: true, payload: m.payload }, 'output');
      const onError = (call) => {
        if (call.thisValue !== node) return;
        const m = call.args[1];
        record(id, { i: m._rel.i, ok: false, error: String(call.args[0] && call.args[0].message), kind: call.args[0] && call.args[0].kind }, 'error');
      };
      out.on('input', onInput);
      node.on('call:error', onError);
      cleanups.push(() => { out.removeListener('input', onInput); node.removeListener('call:error', onError); });
    }
    const feed = (i) => {
      for (const id of ids) helper.getNode(id).receive({ ...make(id, i), _rel: { id, i } });
    };
    if (gapMs > 0) {
      // One message per node every gapMs (a flow that keeps sending while the device is down).
      let i = 0;
      const tick = () => { if (i < count) { feed(i++); setTimeout(tick, gapMs); } };
      tick();
    } else {
      for (let i = 0; i < count; i++) feed(i);
    }
  });
}

/** Forgets the call history of the test helper's spies (they hold every msg sent). */
function forgetSpyHistory() {
  const proto = helper._NodePrototype;
  for (const m of ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send']) {
    if (proto && proto[m] && typeof proto[m].resetHistory === 'function') proto[m].resetHistory();
  }
  const log = helper.log();
  if (log && typeof log.resetHistory === 'function') log.resetHistory();
}

let gcFn = null;
/** A full garbage collection (global.gc when node runs with --expose-gc, else enabled at run time). */
function gc() {
  if (!gcFn) {
    if (typeof global.gc === 'function') gcFn = global.gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc');
    }
  }
  gcFn();
}

/** heapUsed after a few forced collections and event-loop turns (bytes). */
async function settledHeap() {
  for (let k = 0; k < 4; k++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * A blackholed port on 127.0.0.1 (scripts/blackhole.py): connect() neither completes
 * nor is refused. Resolves with {port, fillers, verified, stop()}; rejects with
 * code 'ENOENT' when python3 is missing.
 */
function startBlackhole() {
  const script = path.join(__dirname, '..', '..', 'scripts', 'blackhole.py');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [script, '--host', '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const fail = (e) => { clearTimeout(timer); reject(e); };
    const timer = setTimeout(() => { child.kill(); fail(new Error(`blackhole.py did not start: ${err}`)); }, 5000);
    child.on('error', fail);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, nl));
      resolve({
        ...info,
        stop() {
          return new Promise((done) => {
            if (child.exitCode !== null) { done(); return; }
            child.once('exit', () => done());
            child.stdin.end();
            setTimeout(() => { if (child.exitCode === null) child.kill('SIGTERM'); }, 1000).unref();
          });
        },
      });
    });
  });
}

/** Resolves true when a plain connect() to port is still pending after `ms` (false if it connected or failed). */
function connectHangs(port, ms) {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    const t = setTimeout(() => { const pending = s.connecting; s.destroy(); resolve(pending); }, ms);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(false); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
}

/** Frames a reply text the way a plug does (4-byte length + XOR autokey). */
function wireReply(text) {
  const body = encrypt(text);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * A hand-written hostile "device" on 127.0.0.1: `onRequest(socket, requestBuffer, n)`
 * decides what goes back on the wire for the n-th request (raw frames, not decoded).
 * Resolves with {port, connections, stop()}.
 */
function hostileServer(onRequest) {
  return new Promise((resolve) => {
    const sockets = new Set();
    let n = 0;
    const state = { port: 0, connections: 0, peak: 0 };
    const server = net.createServer((socket) => {
      sockets.add(socket);
      state.connections++;
      state.peak = Math.max(state.peak, sockets.size);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
      let buf = Buffer.alloc(0);
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const len = buf.readUInt32BE(0);
          const req = buf.subarray(4, 4 + len);
          buf = buf.subarray(4 + len);
          onRequest(socket, req, n++);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      state.port = server.address().port;
      state.stop = () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); });
      state.active = () => sockets.size;
      resolve(state);
    });
  });
}

/** Waits until `cond()` is true (polling), or fails after `ms`. */
async function until(cond, ms = 2000, what = 'condition') {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}


/**
 * Measured outcomes for docs/reliability.md: with RELIABILITY_REPORT=<file>, each suite
 * merges its rows into that JSON file when it ends. Without it, nothing is written.
 */
function reportWriter(section) {
  const rows = [];
  return {
    rows,
    add(row) { rows.push(row); },
    flush() {
      const file = process.env.RELIABILITY_REPORT;
      if (!file) return;
      const fs = require('fs');
      let all = {};
      try { all = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { all = {}; }
      all[section] = rows;
      fs.writeFileSync(file, JSON.stringify(all, null, 2));
    },
  };
}


/**
 * Watches the client side: every net.Socket that connects to 127.0.0.1:`port` while
 * installed. `peak` is the most sockets towards that port not yet destroyed at the
 * moment a new one starts connecting (destroy() closes the fd at once, so this is
 * what the device can see, without the server's event-loop lag in noticing a close).
 */
function clientSocketProbe(port) {
  const original = net.Socket.prototype.connect;
  const sockets = [];
  const probe = { peak: 0, opened: 0 };
  net.Socket.prototype.connect = function (...args) {
    // net.createConnection() passes its normalized [options, callback] array.
    const opts = Array.isArray(args[0]) ? args[0][0] : args[0];
    const p = typeof opts === 'object' && opts !== null ? Number(opts.port) : Number(opts);
    if (p === port) {
      const live = sockets.filter((s) => !s.destroyed).length + 1;
      probe.peak = Math.max(probe.peak, live);
      probe.opened++;
      sockets.push(this);
    }
    return original.apply(this, args);
  };
  probe.stop = () => { net.Socket.prototype.connect = original; };
  return probe;
}

module.exports = {
  crashWatch, loadFlow, lastStatus, send, burst, forgetSpyHistory, gc, settledHeap,
  startBlackhole, connectHangs, wireReply, hostileServer, until, reportWriter, clientSocketProbe,
};
