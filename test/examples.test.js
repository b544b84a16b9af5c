'use strict';
// Every example flow is loaded into real Node-RED against simulated plugs and
// run: each inject fires, and every message that reaches a debug node arrives
// without any TP-Link node reporting an error.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, nodeModules } = require('./support/nodes');
const { SimulatorNetwork, KlapPlugSimulator, SmartPlugSimulator } = require('../nodes/simulator');

const CORE = ['common/20-inject', 'common/21-debug', 'common/90-comment', 'common/25-catch', 'common/25-status', 'function/10-function', 'function/10-switch', 'function/15-change', 'function/89-trigger']
  .map((f) => require(`@node-red/nodes/core/${f}.js`));
const EXAMPLES = path.join(__dirname, '..', 'examples');
// The dashboard example's widgets come from @flowfuse/node-red-dashboard, a devDependency: loaded
// for real (its server side runs in the test runtime); the page itself is tested in a browser
// by test/browser-dashboard.test.js.
const DASHBOARD = path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json'));
const dashboardNodes = () => Object.values(require(path.join(DASHBOARD, 'package.json'))['node-red'].nodes)
  .map((f) => require(path.join(DASHBOARD, f)));
const pkg = require('../package.json');

async function waitFor(test, what, timeout = 10000) {
  const end = Date.now() + timeout;
  while (!test()) {
    if (Date.now() > end) assert.fail(what());
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('example flows', function () {
  this.timeout(30000);
  let net;
  let klap;
  let tapo;
  // The demo's KLAP plug account (README, "npm start"): given through the credential store, as start.js does.
  const DEMO_ACCOUNT = { username: 'demo@example.com', password: 'demo-password' };
  before(async () => {
    // Stand-ins for the ports the examples use (9999 HS110, 10000 HS100, 10001 HS300, 10002 KP115 with KLAP),
    // and the Tapo ones (10003 P110, 10004 P300: SMART over KLAP, un-provisioned).
    net = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: 0, devices: [{ model: 'hs110' }, { model: 'hs100' }, { model: 'hs300' }] });
    klap = await KlapPlugSimulator.start({ model: 'kp115-klap', discoveryPort: null, ...DEMO_ACCOUNT });
    tapo = await Promise.all(['p110', 'p300'].map((model) => SmartPlugSimulator.start({ model, discoveryPort: null })));
  });
  after(async () => { await helper.unload(); await net.stop(); await klap.stop(); await Promise.all(tapo.map((t) => t.stop())); });
  afterEach(() => helper.unload());

  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

  it('every non-config node type of the package appears in an example', () => {
    const used = new Set();
    for (const f of files) for (const n of JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'))) used.add(n.type);
    const missing = Object.keys(pkg['node-red'].nodes).filter((t) => t !== 'tplink-device' && !used.has(t));
    assert.deepStrictEqual(missing, []);
  });

  for (const file of files) {
    it(`${file} deploys and runs against the simulators`, async () => {
      const portMap = { 9999: net.members[0].port, 10000: net.members[1].port, 10001: net.members[2].port, 10002: klap.port, 10003: tapo[0].port, 10004: tapo[1].port };
      const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')).map((n) => {
        const node = { ...n };
        if (node.type === 'tplink-device') node.port = portMap[Number(node.port)] || node.port;
        if (node.type === 'tplink-discover' || node.type === 'tplink-monitor') {
          if (node.port !== undefined && Number(node.port) === 9999) node.port = net.discoveryPort;
          if (node.broadcast !== undefined) node.broadcast = '127.0.0.1';
        }
        if (node.type === 'debug') node.type = 'helper';
        if (node.type === 'inject') { node.once = false; node.repeat = ''; }
        // The editor's import puts tab-less nodes on the current tab; do the same.
        if (!node.z && node.type !== 'tab' && node.type !== 'tplink-device' && node.wires !== undefined) node.z = 'example-tab';
        return node;
      });
      if (!flow.some((n) => n.type === 'tab')) flow.unshift({ id: 'example-tab', type: 'tab', label: file });
      const types = [...new Set(flow.map((n) => n.type).filter((t) => t.startsWith('tplink-')))];
      const ui = flow.some((n) => n.type.startsWith('ui-')) ? dashboardNodes() : [];
      const credentials = Object.fromEntries(flow.filter((n) => n.type === 'tplink-device' && n.protocol === 'klap').map((n) => [n.id, { ...DEMO_ACCOUNT }]));
      await new Promise((resolve, reject) => helper.load([...CORE, ...nodeModules(...types), ...ui], flow, credentials, (e) => (e ? reject(e) : resolve())));
      const errors = [];
      for (const n of flow.filter((x) => x.type.startsWith('tplink-') && x.type !== 'tplink-device')) {
        helper.getNode(n.id).on('call:error', (call) => errors.push(`${n.id}: ${call.args[0]}`));
      }
      const outputs = [];
      for (const n of flow.filter((x) => x.type === 'helper')) helper.getNode(n.id).on('input', (m) => outputs.push({ id: n.id, m }));
      // Dashboard widgets are where that example's messages end: they count as debug nodes, and
      // one that refuses a message (a switch given something else than true/false, say) fails the test.
      const widgets = flow.filter((x) => x.type.startsWith('ui-') && x.group);
      for (const n of widgets) {
        const w = helper.getNode(n.id);
        w.on('input', (m) => outputs.push({ id: n.id, m }));
        for (const call of ['call:error', 'call:warn']) w.on(call, (c) => errors.push(`${n.id}: ${c.args[0]}`));
      }
      const injects = flow.filter((n) => n.type === 'inject');
      assert.ok(injects.length > 0, 'an example has at least one inject');
      // Fire the injects one by one, in their order on the canvas, so add-then-list sequences work.
      injects.sort((a, b) => (a.y || 0) - (b.y || 0) || (a.x || 0) - (b.x || 0));
      for (const inj of injects) {
        helper.getNode(inj.id).receive({});
        await new Promise((r) => setTimeout(r, 150));
      }
      await new Promise((r) => setTimeout(r, 300));
      if (widgets.length) {
        // The monitors' first poll (state at start) and the injects' statistics reach every widget.
        await waitFor(() => widgets.every((w) => outputs.some((o) => o.id === w.id)), () => `widgets with no message: ${widgets.filter((w) => !outputs.some((o) => o.id === w.id)).map((w) => w.id).join(', ')}`);
      }
      assert.deepStrictEqual(errors, [], 'no TP-Link node (or dashboard widget) reported an error');
      assert.ok(outputs.length > 0, 'at least one message reached a debug node');
    });
  }

  it('mixed-energy.json: one sum over a Kasa HS110 and a Tapo P110, both readings in W', async () => {
    const [hs110, p110] = [net.members[0], tapo[0]];
    hs110.device.setRelay(true);
    p110.device.setOn(p110.device.main, true);
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'mixed-energy.json'), 'utf8')).map((n) => {
      const node = { ...n };
      if (node.type === 'tplink-device') node.port = { 9999: hs110.port, 10003: p110.port }[Number(node.port)];
      if (node.type === 'debug') node.type = 'helper';
      if (node.type === 'inject') { node.once = false; node.repeat = ''; }
      return node;
    });
    await new Promise((resolve, reject) => helper.load([...CORE, ...nodeModules('tplink-emeter')], flow, (e) => (e ? reject(e) : resolve())));
    const totals = [];
    helper.getNode('mix-total').on('input', (m) => totals.push(m));
    helper.getNode('mix-every').receive({});
    await waitFor(() => totals.length >= 2, () => `totals: ${JSON.stringify(totals.map((m) => m.payload))}`);
    const last = totals[totals.length - 1];
    const parts = last.parts;
    assert.deepStrictEqual(Object.keys(parts).sort(), [`127.0.0.1:${hs110.port}`, `127.0.0.1:${p110.port}`].sort());
    assert.strictEqual(parts[`127.0.0.1:${p110.port}`], 60, 'the P110 draws its 60 W load');
    assert.ok(parts[`127.0.0.1:${hs110.port}`] > 0);
    assert.strictEqual(last.payload, Math.round((parts[`127.0.0.1:${hs110.port}`] + 60) * 10) / 10);
    assert.ok(p110.requests.some((r) => r.method === 'get_emeter_data'), 'the P110 was read in SMART');
  });
});
