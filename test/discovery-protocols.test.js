'use strict';
// What each discovered device speaks, at every edge that shows discovery: the
// editor's Search (POST /tplink-smartplug/discover), the tplink-discover node
// and `tplink-smartplug --discover`, against a mixed LAN of legacy, KLAP and
// SMART simulators on 127.0.0.1 (both probes, real UDP).
const assert = require('assert');
const path = require('path');
const { execFile } = require('child_process');
const { helper, load } = require('./support/nodes');
const { mixedLan } = require('./support/mixed-lan');

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const BIN = path.join(__dirname, '..', 'nodes', 'cli', 'tplink-smartplug.js');
const colon = (mac) => mac.replace(/-/g, ':').toUpperCase();

/** mac → [protocol, needsAuth, port] the LAN must show. */
function expected(lan) {
  const out = {};
  for (const m of lan.legacy.members) out[m.device.mac] = ['legacy', false, m.port];
  for (const k of lan.klap) out[k.device.mac] = ['klap', true, k.port];
  out[colon(lan.tapo.device.mac)] = ['smart', true, 18080];
  out[colon(lan.kasaAes.device.mac)] = ['smart', true, 18081];
  return out;
}
const shown = (devices) => Object.fromEntries(devices.map((d) => [d.mac, [d.protocol, d.needsAuth, d.port]]));

describe('discovery shows what each device speaks (Search, discover node, CLI)', function () {
  let lan;
  before(async () => { lan = await mixedLan(); });
  after(async () => { await lan.stop(); });

  describe('editor Search: POST /tplink-smartplug/discover', () => {
    beforeEach(async () => { await load([], []); });
    afterEach(async () => { await helper.unload(); });

    it('lists every device with protocol, transport, needsAuth, httpPort; aliases only where told', async () => {
      const res = await helper.request().post('/tplink-smartplug/discover')
        .query({ broadcast: HOST, port: lan.ports.port, port20002: lan.ports.port20002, timeout: 400 }).expect(200);
      const { devices, rejected } = res.body;
      assert.deepStrictEqual(shown(devices), expected(lan));
      const klap = devices.find((d) => d.mac === lan.klap[1].device.mac);
      assert.deepStrictEqual(
        [klap.transport, klap.dialect, klap.httpPort, klap.klapVersion, klap.alias, klap.aliasKnown, klap.outlets, klap.children],
        ['klap', 'iot', lan.klap[1].port, 2, '', false, null, []],
      );
      const aes = devices.find((d) => d.protocol === 'smart' && d.transport === 'aes');
      assert.strictEqual(aes.dialect, 'smart');
      const strip = devices.find((d) => d.mac === lan.legacy.members[1].device.mac);
      assert.deepStrictEqual([strip.alias, strip.aliasKnown, strip.outlets, strip.children.length], ['Strip', true, 6, 6]);
      assert.strictEqual(rejected.length, 1);
    });

    it('a bad port20002 is a 400 naming it', async () => {
      const res = await helper.request().post('/tplink-smartplug/discover').query({ broadcast: HOST, port20002: 'x' }).expect(400);
      assert.strictEqual(res.body.field, 'port20002');
    });
  });

  describe('tplink-discover node', () => {
    afterEach(async () => { await helper.unload(); });
    const flow = (output) => [
      { id: 'disc', type: 'tplink-discover', broadcast: HOST, port: lan.ports.port, port20002: lan.ports.port20002, timeout: 400, interval: 0, output, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    const collect = (ms) => {
      const got = [];
      helper.getNode('out').on('input', (m) => got.push(m));
      return sleep(ms).then(() => got);
    };

    it('one message per device, each payload with protocol, transport, dialect, needsAuth, httpPort', async () => {
      await load(['tplink-discover'], flow('each'));
      const done = collect(700);
      helper.getNode('disc').receive({ payload: 'go' });
      const msgs = await done;
      assert.deepStrictEqual(shown(msgs.map((m) => m.payload)), expected(lan));
      const tapo = msgs.find((m) => m.payload.mac === colon(lan.tapo.device.mac)).payload;
      assert.deepStrictEqual([tapo.transport, tapo.dialect, tapo.httpPort, tapo.aliasKnown, tapo.sysinfo], ['klap', 'smart', 18080, false, null]);
    });

    it('one list message', async () => {
      await load(['tplink-discover'], flow('list'));
      const done = collect(700);
      helper.getNode('disc').receive({ payload: 'go' });
      const [msg, ...more] = await done;
      assert.strictEqual(more.length, 0);
      assert.deepStrictEqual(shown(msg.payload), expected(lan));
    });

    it('a bad port20002 is refused by name', async () => {
      await load(['tplink-discover'], [{ id: 'disc', type: 'tplink-discover', broadcast: HOST, port: 9999, port20002: 'abc', timeout: 300, interval: 0, output: 'list', wires: [[]] }]);
      const n = helper.getNode('disc');
      assert.ok(n.error.getCalls().some((c) => /invalid port20002/.test(String(c.args[0]))), 'error names port20002');
    });
  });

  describe('tplink-smartplug --discover', () => {
    it('prints protocol and needsAuth for every device; alias null where the answer has none', async () => {
      const r = await new Promise((resolve) => {
        execFile(process.execPath, [BIN, '--discover', '--broadcast', HOST, '--port', String(lan.ports.port), '--port20002', String(lan.ports.port20002), '--timeout', '400'],
          { timeout: 10000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
      });
      assert.strictEqual(r.code, 0, r.stderr);
      const rows = JSON.parse(r.stdout);
      assert.deepStrictEqual(shown(rows), expected(lan));
      for (const row of rows) {
        assert.deepStrictEqual(Object.keys(row), ['host', 'port', 'protocol', 'needsAuth', 'alias', 'model', 'mac', 'outlets']);
        assert.strictEqual(row.alias === null, row.protocol !== 'legacy');
      }
    });

    it('--port20002 is for --discover only, and must be a port', async () => {
      const run = (args) => new Promise((resolve) => execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stderr })));
      const a = await run(['-t', HOST, '-c', 'info', '--port20002', '20002']);
      assert.match(a.stderr, /--port20002 is for --discover/);
      const b = await run(['--discover', '--broadcast', HOST, '--port20002', '0']);
      assert.match(b.stderr, /--port20002 needs a whole number 1-65535/);
      assert.notStrictEqual(a.code, 0);
      assert.notStrictEqual(b.code, 0);
    });
  });
});
