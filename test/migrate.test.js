'use strict';
// Flows saved before nodes carried a version (version 0) keep working: the
// runtime brings their settings to the current shape at node creation
// (common/migrate.ts), and the editor does the same when a dialog opens.
const assert = require('assert');
const { migrate, versionOf, CURRENT_VERSION } = require('../nodes/common/migrate');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims } = require('./support/nodes');
const { loadEditor } = require('./support/editor-defs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errorsOf = (node) => node.error.getCalls().filter((c) => c.thisValue === node).map((c) => String(c.args[0]));

describe('flows saved by older versions', () => {
  describe('migrate()', () => {
    it('version 0 (none saved): blank device settings get the defaults version 0 used at run time', () => {
      const old = { id: 'd', type: 'tplink-device', host: '10.0.0.5', port: '', timeout: undefined, transport: '' };
      const now = migrate('tplink-device', old);
      assert.deepStrictEqual(now, { id: 'd', type: 'tplink-device', host: '10.0.0.5', port: 9999, timeout: 5000, transport: 'tcp', findBy: 'host', protocol: 'legacy', version: CURRENT_VERSION });
      assert.strictEqual(old.version, undefined, 'the saved config is not changed');
      assert.strictEqual(old.port, '');
    });

    it('version 1 (before protocol existed) is legacy: it worked with legacy, so auto would change its behaviour', () => {
      const v1 = { id: 'd', type: 'tplink-device', host: '10.0.0.5', port: 9999, timeout: 5000, transport: 'udp', findBy: 'host', version: 1 };
      assert.deepStrictEqual(migrate('tplink-device', v1), { ...v1, protocol: 'legacy', version: CURRENT_VERSION });
      assert.strictEqual(CURRENT_VERSION, 2);
    });

    it('a node that has a protocol keeps it, and its blank port (the protocol default) stays blank', () => {
      assert.deepStrictEqual(migrate('tplink-device', { protocol: 'klap', port: '', timeout: 5000 }),
        { protocol: 'klap', port: '', timeout: 5000, transport: 'tcp', findBy: 'host', version: CURRENT_VERSION });
      assert.deepStrictEqual(migrate('tplink-device', { protocol: 'auto', port: '', version: 1 }),
        { protocol: 'auto', port: '', version: CURRENT_VERSION });
    });

    it('monitor and discover: blank intervals and timeouts get their old defaults; set ones are kept', () => {
      assert.deepStrictEqual(migrate('tplink-monitor', { interval: '', threshold: '20' }), { interval: 5, threshold: '20', hysteresis: 0, emeter: 0, version: CURRENT_VERSION });
      assert.deepStrictEqual(migrate('tplink-discover', { broadcast: '10.0.0.255', timeout: ' ' }),
        { broadcast: '10.0.0.255', port: 9999, timeout: 3000, interval: 0, output: 'each', version: CURRENT_VERSION });
    });

    it('out-of-range values are not "fixed": the rules refuse them after migration', () => {
      assert.strictEqual(migrate('tplink-device', { port: -1 }).port, -1);
      assert.strictEqual(migrate('tplink-monitor', { interval: 2147484 }).interval, 2147484);
    });

    it('current settings pass unchanged (only the version is set), for every node type', () => {
      const { defs } = loadEditor();
      for (const [type, def] of Object.entries(defs)) {
        const current = Object.fromEntries(Object.entries(def.defaults).map(([k, d]) => [k, d.value]));
        assert.deepStrictEqual(migrate(type, current), { ...current, version: CURRENT_VERSION }, `${type} with the editor's defaults`);
        const once = migrate(type, { port: '' });
        assert.deepStrictEqual(migrate(type, { ...once, version: 0 }), once, `${type}: a step applied twice changes nothing`);
      }
    });

    it('the saved version: none or nonsense is 0; a newer one is left as it is', () => {
      assert.strictEqual(versionOf({}), 0);
      assert.strictEqual(versionOf({ version: 'x' }), 0);
      assert.strictEqual(versionOf({ version: '1' }), 1, 'the editor saves it from a text field');
      const newer = { version: CURRENT_VERSION + 1, port: '' };
      assert.strictEqual(migrate('tplink-device', newer), newer);
    });
  });

  describe('an old-shaped flow in real Node-RED', function () {
    let sims;
    beforeEach(async () => { sims = await startSims({ plug: 'hs110' }); });
    afterEach(async () => { await helper.unload(); await stopSims(sims); });

    /** A device node as version 0 saved it: no version, blank timeout, no transport/findBy/queueLimit. */
    function oldDevice() {
      const d = deviceNode('dev', sims.plug, { timeout: '' });
      delete d.transport;
      return d;
    }

    it('a relay on a version-0 device (blank timeout) switches the plug', async () => {
      await load(['tplink-relay'], [oldDevice(), ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })]);
      const { msg, error } = await exchange('relay', { payload: true });
      assert.ifError(error);
      assert.strictEqual(msg.payload, true);
      assert.strictEqual(sims.plug.device.sysinfo().relay_state, 1);
      assert.strictEqual(helper.getNode('dev').timeout, 5000);
    });

    it('a version-1 device (no protocol) speaks legacy only, as it did: no attempt on port 80', async () => {
      await load(['tplink-relay'], [{ ...deviceNode('dev', sims.plug), version: 1 }, ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })]);
      const { error } = await exchange('relay', { payload: true });
      assert.ifError(error);
      const dev = helper.getNode('dev');
      assert.strictEqual(dev.protocol, 'legacy');
      assert.strictEqual(dev.session.protocol.transport, 'tcp');
    });

    it('the same device saved as version 1 is refused naming timeout: a blank is no longer filled in', async () => {
      await load(['tplink-relay'], [{ ...oldDevice(), version: 1 }, ...wired('relay', 'tplink-relay', 'dev', { action: 'on' })]);
      const { error } = await exchange('relay', { payload: true });
      assert.strictEqual(error && error.field, 'timeout');
      assert.strictEqual(sims.plug.requests.length, 0);
    });

    it('a version-0 monitor with a blank interval polls (every 5 s, as before) without an error', async () => {
      await load(['tplink-monitor'], [oldDevice(), { id: 'mon', type: 'tplink-monitor', device: 'dev', interval: '', hysteresis: '', wires: [[]] }]);
      for (let i = 0; i < 50 && sims.plug.requests.length === 0; i++) await sleep(20);
      assert.ok(sims.plug.requests.some((r) => r.system && r.system.get_sysinfo), 'first poll reached the plug');
      assert.deepStrictEqual(errorsOf(helper.getNode('mon')), []);
    });
  });
});
