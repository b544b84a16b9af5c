'use strict';
// An embedded Node-RED runtime for the benchmarks: the real runtime (core nodes,
// async message delivery, status events), no HTTP server, no editor, telemetry off,
// a throw-away user directory. Our nodes are loaded from nodes/*.js through small
// wrapper files, so a node needs no .html to be benchmarked, and a `bench-sink`
// node hands every message it receives to a callback in this process.
//
// The test helper (node-red-node-test-helper) is not used on purpose: it wraps
// every node method in a sinon spy that records every call, which costs time per
// message and grows memory without bound: exactly what these benchmarks measure.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { EventEmitter } = require('events');

const ROOT = path.resolve(__dirname, '..', '..');
const sinkBus = new EventEmitter();
sinkBus.setMaxListeners(0);

function writeNodesDir(dir, types) {
  fs.mkdirSync(dir, { recursive: true });
  for (const type of types) {
    const target = path.join(ROOT, 'nodes', `${type}.js`);
    if (!fs.existsSync(target)) throw new Error(`${target} not found: run npm run build`);
    fs.writeFileSync(path.join(dir, `${type}.js`), `module.exports = require(${JSON.stringify(target)});\n`);
    fs.writeFileSync(path.join(dir, `${type}.html`), '\n');
  }
  // bench-sink: calls sinkBus listeners with (msg, nodeId) for every message.
  const busPath = __filename;
  fs.writeFileSync(path.join(dir, 'bench-sink.js'), `
module.exports = function (RED) {
  const bus = require(${JSON.stringify(busPath)}).sinkBus;
  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.on('input', (msg, send, done) => { bus.emit('msg', msg, node.id); done(); });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
`);
  fs.writeFileSync(path.join(dir, 'bench-sink.html'), '\n');
}

/**
 * Starts Node-RED with an empty flow. Returns {RED, deploy(flow), stop()}.
 * `types` are our node types to load (their compiled nodes/<type>.js).
 */
async function startNodeRed(types) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-bench-nr-'));
  // Removed on exit as well, so a section that fails leaves no user directory behind.
  process.on('exit', () => fs.rmSync(userDir, { recursive: true, force: true }));
  const nodesDir = path.join(userDir, 'bench-nodes');
  writeNodesDir(nodesDir, types);
  fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
  const RED = require('node-red');
  RED.init({
    userDir,
    flowFile: 'flows.json',
    nodesDir: [nodesDir],
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: process.env.BENCH_NR_LOG || 'error', metrics: false, audit: false } },
    contextStorage: { default: { module: 'memory' } },
  });
  await RED.start();
  for (const t of [...types, 'bench-sink', 'inject', 'catch']) {
    if (!RED.nodes.getType(t)) throw new Error(`Node-RED did not register node type ${t}`);
  }
  return {
    RED,
    userDir,
    /** Replaces the whole flow; resolves once the new nodes are started. */
    async deploy(flow, timeoutMs = 30000) {
      await RED.runtime.flows.setFlows({ flows: { flows: flow }, deploymentType: 'full' });
      // setFlows resolves before the new nodes are started: wait until all exist.
      const ids = flow.filter((n) => n.type !== 'tab').map((n) => n.id);
      const until = Date.now() + timeoutMs;
      while (ids.some((id) => !RED.nodes.getNode(id))) {
        if (Date.now() > until) throw new Error('deployed nodes did not start in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startNodeRed, sinkBus };
