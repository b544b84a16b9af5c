'use strict';
// The recipe example flows doing their job against a simulated HS110, with their
// waits shortened: examples/standby-killer.json switches an idle plug off and
// spares a used one; examples/energy-report.json writes the report line.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, nodeModules, startSims, stopSims } = require('./support/nodes');

const CORE = ['common/20-inject', 'common/90-comment', 'function/10-switch', 'function/15-change', 'function/89-trigger']
  .map((f) => require(`@node-red/nodes/core/${f}.js`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** examples/<file> on a tab, its device at `sim`, debug nodes as helper nodes; `patch` edits nodes by id. */
async function loadRecipe(file, sim, patch = {}) {
  const nodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', file), 'utf8'));
  assert.ok(nodes.some((n) => n.type === 'comment' && n.info), `${file} explains itself in a comment node`);
  const flow = [{ id: 'tab', type: 'tab' }, ...nodes.map((n) => {
    let node = { ...n, ...(patch[n.id] || {}) };
    if (node.type === 'tplink-device') return { ...node, port: sim.port };
    if (node.type === 'debug') node = { id: n.id, type: 'helper' };
    return { ...node, z: 'tab' };
  })];
  const types = [...new Set(flow.map((n) => n.type).filter((t) => t.startsWith('tplink-')))];
  await new Promise((res, rej) => helper.load([...CORE, ...nodeModules(...types)], flow, (e) => (e ? rej(e) : res())));
  return flow;
}

async function until(what, test, timeout = 3000) {
  const end = Date.now() + timeout;
  while (!test()) {
    if (Date.now() > end) throw new Error(`${what} within ${timeout} ms`);
    await sleep(20);
  }
}

describe('recipe example flows', function () {
  this.timeout(15000);
  let sims;
  beforeEach(async () => { sims = await startSims({ tv: 'hs110' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  describe('standby-killer.json', () => {
    const FAST = { 'ex-standby-monitor': { interval: 0.1 }, 'ex-standby-timer': { duration: '600', units: 'ms' } };

    it('switches the plug off once it has drawn under 5 W for the whole wait', async () => {
      const tv = sims.tv.device;
      tv.setRelay(true);
      tv.setLoad(80);
      await loadRecipe('standby-killer.json', sims.tv, FAST);
      await sleep(300);
      tv.setLoad(2); // standby
      await until('the plug switched off', () => tv.relay() === false);
    });

    it('spares a plug that is used again before the wait is over, and kills the next standby', async () => {
      const tv = sims.tv.device;
      tv.setRelay(true);
      tv.setLoad(80);
      // A longer wait here: the plug must be seen in use again well before it ends.
      await loadRecipe('standby-killer.json', sims.tv, { ...FAST, 'ex-standby-timer': { duration: '1500', units: 'ms' } });
      const events = [];
      helper.getNode('ex-standby-events').on('input', (m) => events.push(m.topic));
      await until('in use at the first poll', () => events.includes('in-use'));
      tv.setLoad(2);
      await until('not-in-use (the countdown starts)', () => events.includes('not-in-use'));
      tv.setLoad(80);
      await until('in use again (the countdown is reset)', () => events.lastIndexOf('in-use') > events.indexOf('not-in-use'));
      await sleep(2000); // longer than the whole wait
      assert.strictEqual(tv.relay(), true, 'still on: it was used again');
      tv.setLoad(1);
      await until('the plug switched off after the second standby', () => tv.relay() === false);
    });

    it('"TV on" switches the plug on', async () => {
      await loadRecipe('standby-killer.json', sims.tv, FAST);
      const out = new Promise((r) => helper.getNode('ex-standby-off').once('input', r));
      helper.getNode('ex-standby-on').receive({});
      assert.strictEqual((await out).payload, true);
      assert.strictEqual(sims.tv.device.relay(), true);
    });
  });

  describe('energy-report.json', () => {
    it('reads this month\'s statistics and writes the report line with its topic', async () => {
      await loadRecipe('energy-report.json', sims.tv);
      const out = new Promise((r) => helper.getNode('ex-report-out').once('input', r));
      helper.getNode('ex-report-now').receive({});
      const msg = await out;
      // What the line must say, from the device's own statistics.
      const now = new Date();
      const reply = sims.tv.device.handle({ emeter: { get_daystat: { year: now.getFullYear(), month: now.getMonth() + 1 } } });
      const days = reply.emeter.get_daystat.day_list;
      const last = days[days.length - 1];
      const month = Math.round(days.reduce((s, d) => s + d.energy, 0) * 1000) / 1000;
      assert.strictEqual(msg.topic, 'Energy report');
      // The device's name: its config node's until the plug has told its own alias.
      assert.ok(['Simulated HS110', sims.tv.device.alias()].includes(msg.device.alias), msg.device.alias);
      assert.strictEqual(msg.payload, `${msg.device.alias}: ${last.energy} kWh on ${last.year}-${last.month}-${last.day}, ${month} kWh this month`);
    });
  });
});
