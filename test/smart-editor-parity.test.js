'use strict';
// Editor and runtime agree on what a SMART device lacks: every choice the editor
// greys out for a SMART device (SMART_UNAVAILABLE in the shared rules) is refused by
// the runtime on a P110 with "… is not available on this device (P110, SMART)" and
// nothing sent for it; every other choice of the same select is not refused so.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, wired } = require('./support/nodes');
const { loadFlow, send } = require('./support/fault-harness');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');
const { SMART_UNAVAILABLE } = require('../nodes/common/rules');

const USER = 'parity@example.com';
const PASS = 'Parity-1';

/** The option values of a node's <select id="node-input-<field>"> in its editor file. */
function options(type, field) {
  const html = fs.readFileSync(path.join(__dirname, '..', 'nodes', `${type}.html`), 'utf8');
  const start = html.indexOf(`<select id="node-input-${field}"`);
  assert.ok(start >= 0, `${type} has a ${field} select`);
  const body = html.slice(start, html.indexOf('</select>', start));
  return [...body.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter((v) => v !== 'msg');
}

// A message each choice can run with on a P110 (the rule nodes need a rule or an id).
const MSG = {
  'tplink-schedule': { add: { payload: { days: ['mon'], time: '10:00', action: 'on' } }, edit: { payload: { id: 'S1', enabled: false } }, delete: { payload: 'S1' } },
  'tplink-antitheft': { add: { payload: { days: ['mon'], time: '18:00', end: '23:00' } }, edit: { payload: { id: 'A1', enabled: false } }, delete: { payload: 'A1' } },
  'tplink-system': { alias: { payload: { alias: 'Parity' } }, led: { payload: { on: true } } },
};

describe('editor ⇄ runtime: what a SMART device lacks (P110)', function () {
  this.timeout(30000);
  let sim;
  const cases = [];
  for (const [type, fields] of Object.entries(SMART_UNAVAILABLE)) {
    for (const [field, lacking] of Object.entries(fields)) {
      const all = options(type, field);
      for (const v of lacking) assert.ok(all.includes(v), `${type} ${field} "${v}" is a choice of the editor`);
      for (const v of all) cases.push({ type, field, value: v, lacks: lacking.includes(v) });
    }
  }
  before(async () => {
    sim = await SmartPlugSimulator.start({ model: 'p110', username: USER, password: PASS, discoveryPort: null });
    const flow = [{ id: 'dev', type: 'tplink-device', name: 'parity', host: '127.0.0.1', port: sim.port, timeout: 1000, transport: 'tcp', protocol: 'smart' }];
    cases.forEach((c, k) => flow.push(...wired(`p${k}`, c.type, 'dev', { [c.field]: c.value, allowDestructive: true, allowErase: true, delay: '60' })));
    await loadFlow([...new Set(cases.map((c) => c.type))], flow, { dev: { username: USER, password: PASS } });
  });
  after(async () => { await helper.unload(); await sim.stop(); });

  it('every greyed-out choice is refused by the runtime, nothing sent for it; no other choice is', async () => {
    for (const [k, c] of cases.entries()) {
      const before = sim.requests.filter((r) => !['get_device_info', 'component_nego', 'multipleRequest'].includes(r.method)).length;
      const msg = (MSG[c.type] && MSG[c.type][c.value]) || { payload: null };
      const r = await send(`p${k}`, { ...msg });
      const refused = !!(r.error && /is not available on this device \(P110, SMART\)/.test(r.error.message));
      assert.strictEqual(refused, c.lacks, `${c.type} ${c.field}=${c.value}: ${r.error ? r.error.message : 'ran'}`);
      if (c.lacks) {
        assert.strictEqual(r.error.kind, 'not-allowed');
        const after = sim.requests.filter((q) => !['get_device_info', 'component_nego', 'multipleRequest'].includes(q.method)).length;
        assert.strictEqual(after, before, `${c.type} ${c.value}: only reads of what the device is`);
      }
    }
  });
});
