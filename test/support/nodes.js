'use strict';
// Shared set-up for Node-RED node tests: the test helper, simulated plugs on
// 127.0.0.1 and a flow builder with one tplink-device config node per plug.
const assert = require('assert');
const path = require('path');
const helper = require('node-red-node-test-helper');
const { PlugSimulator } = require('../../nodes/simulator');
const klap = require('./klap-sims');

helper.init(require.resolve('node-red'));

// Under TPLINK_TEST_PROTOCOL=klap every flow a test loads (through load() or
// helper.load itself) speaks KLAP to the KLAP sims, with their account from the
// credential store.
if (klap.KLAP) {
  const plainLoad = helper.load.bind(helper);
  helper.load = (modules, flow, credentials, cb) => {
    if (typeof credentials === 'function') [credentials, cb] = [{}, credentials];
    const k = klap.klapFlow(flow, credentials || {});
    return plainLoad(modules, k.flow, k.credentials, cb);
  };
}

const NODE_FILES = {
  'tplink-device': '../../nodes/tplink-device.js',
  'tplink-relay': '../../nodes/tplink-relay.js',
  'tplink-emeter': '../../nodes/tplink-emeter.js',
  'tplink-schedule': '../../nodes/tplink-schedule.js',
  'tplink-countdown': '../../nodes/tplink-countdown.js',
  'tplink-antitheft': '../../nodes/tplink-antitheft.js',
  'tplink-system': '../../nodes/tplink-system.js',
  'tplink-raw': '../../nodes/tplink-raw.js',
  'tplink-discover': '../../nodes/tplink-discover.js',
  'tplink-monitor': '../../nodes/tplink-monitor.js',
};

// The helper hands nodes a RED._ that returns the key; real Node-RED translates
// from the node files' locale catalogs. Give the nodes the real one, so status
// texts are checked as users see them (and a missing locale key shows).
const { i18n } = require('@node-red/util');
const MODULE = require('../../package.json').name;
const LOCALES = path.join(__dirname, '..', '..', 'nodes', 'locales');
i18n.init({ lang: 'en-US' });
const catalogs = Promise.all(Object.keys(NODE_FILES).map((type) => i18n.registerMessageCatalog(`${MODULE}/${type}`, LOCALES, `${type}.json`)));
const createNodeApi = helper._registryUtil.createNodeApi;
helper._registryUtil.createNodeApi = function (...args) {
  const red = createNodeApi.apply(this, args);
  // the helper sets red._ to the identity right after: keep the translator
  Object.defineProperty(red, '_', { get: () => (...a) => i18n._(...a), set: () => {}, configurable: true });
  return red;
};

/** The node modules for helper.load(), by type name (the device config node is always included). */
function nodeModules(...types) {
  const all = ['tplink-device', ...types.filter((t) => t !== 'tplink-device')];
  return all.map((t) => require(NODE_FILES[t]));
}

/** A tplink-device config node pointing at a simulator. */
function deviceNode(id, sim, extra = {}) {
  return { id, type: 'tplink-device', name: `sim ${id}`, host: '127.0.0.1', port: sim.port, timeout: 1000, transport: 'tcp', ...(klap.KLAP ? { protocol: 'klap' } : {}), ...extra };
}

/** Loads a flow (with optional credentials by node id) into the test runtime. */
async function load(types, flow, credentials = {}) {
  await catalogs;
  return new Promise((resolve, reject) => {
    helper.load(nodeModules(...types), flow, credentials, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Sends msg into node `id` and resolves with {msg} from the first output, or
 * {error, msg} when the node calls done(err) (seen through a catch-all on `call:error`).
 */
function exchange(id, msg, { timeout = 3000 } = {}) {
  const node = helper.getNode(id);
  const out = helper.getNode(`${id}-out`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no output or error from ${id} within ${timeout} ms`)); }, timeout);
    const onInput = (m) => { cleanup(); resolve({ msg: m }); };
    const onError = (call) => { cleanup(); resolve({ error: call.args[0], msg: call.args[1] }); };
    function cleanup() { clearTimeout(timer); out.removeListener('input', onInput); node.removeListener('call:error', onError); }
    out.on('input', onInput);
    node.on('call:error', onError);
    node.receive(msg);
  });
}

/** Node `id` of `type` wired to a helper node `${id}-out`. */
function wired(id, type, device, props = {}) {
  return [
    { id, type, device, wires: [[`${id}-out`]], ...props },
    { id: `${id}-out`, type: 'helper' },
  ];
}

/** Simulated devices by name; under TPLINK_TEST_PROTOCOL=klap each model runs behind KLAP (./klap-sims). */
async function startSims(models) {
  const sims = {};
  for (const [name, model] of Object.entries(models)) {
    sims[name] = klap.KLAP ? await klap.startKlapSim(model) : await PlugSimulator.start({ model, host: '127.0.0.1', port: 0 });
  }
  return sims;
}

async function stopSims(sims) {
  await Promise.all(Object.values(sims || {}).map((s) => s.stop()));
}

// Core nodes of the example flows; debug nodes become helper nodes to watch.
const CORE = ['common/20-inject.js', 'function/15-change.js', 'common/90-comment.js'].map((f) => require(`@node-red/nodes/core/${f}`));

/** Loads examples/<name>.json against `sim` (port patched) and returns fire(injectId) → the debug node's next msg. */
async function loadExample(name, type, sim) {
  const nodes = require(`../../examples/${name}.json`);
  const dev = nodes.find((n) => n.type === 'tplink-device');
  assert.deepStrictEqual([dev.name, dev.host, dev.port], ['Simulated HS110', '127.0.0.1', 9999]);
  const debugId = nodes.find((n) => n.type === 'debug').id;
  await catalogs;
  // Examples carry no tab (the editor places them on the current one); the runtime wants one.
  const flow = [{ id: 'ex-tab', type: 'tab' }, ...nodes.map((n) => {
    if (n.type === 'tplink-device') return { ...n, port: sim.port, ...(klap.KLAP ? { protocol: 'klap' } : {}) };
    return n.type === 'debug' ? { id: n.id, type: 'helper', z: 'ex-tab' } : { ...n, z: 'ex-tab' };
  })];
  await new Promise((res, rej) => helper.load([...nodeModules(type), ...CORE], flow, (e) => (e ? rej(e) : res())));
  return (injectId) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output after ${injectId}`)), 3000);
    helper.getNode(debugId).once('input', (msg) => { clearTimeout(timer); resolve(msg); });
    helper.getNode(injectId).receive({});
  });
}

module.exports = { helper, load, exchange, wired, deviceNode, startSims, stopSims, nodeModules, loadExample, PROTOCOL: klap.PROTOCOL, KLAP: klap.KLAP };
