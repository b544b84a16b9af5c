'use strict';
// core/connection.ts: a config node's {protocol, transport, port, credentials}
// become client options; a Connector remembers what answered `auto` across the
// clients it builds, and keeps the account where no inspect can reach it.
const assert = require('assert');
const util = require('util');
const { connectionPlan, Connector, defaultPort, PROTOCOLS } = require('../nodes/core/connection');
const { ValidationError } = require('../nodes/core/errors');
const { getSysinfo } = require('../nodes/core/commands/system');
const { KlapPlugSimulator, PlugSimulator } = require('../nodes/simulator');

const deep = (v) => util.inspect(v, { depth: Infinity, showHidden: true, getters: true });
const ACCOUNT = { username: 'Owner@Example.com', password: 'Not In Any Inspect 42' };

describe('core/connection: protocol settings → client options', () => {
  it('each protocol maps to a transport and its ports; blank port = the protocol default', () => {
    assert.deepStrictEqual(Object.keys(PROTOCOLS), ['auto', 'legacy', 'klap', 'smart']);
    assert.deepStrictEqual(connectionPlan({ protocol: 'auto' }), { transport: 'auto', port: 9999, httpPort: 80 });
    assert.deepStrictEqual(connectionPlan({ protocol: 'auto', port: 8080 }), { transport: 'auto', port: 8080, httpPort: 8080 }, 'the given port for both');
    assert.deepStrictEqual(connectionPlan({ protocol: 'legacy' }), { transport: 'tcp', port: 9999 });
    assert.deepStrictEqual(connectionPlan({ protocol: 'legacy', transport: 'udp', port: 19999 }), { transport: 'udp', port: 19999 });
    assert.deepStrictEqual(connectionPlan({ protocol: 'klap' }), { transport: 'klap', port: 80 });
    assert.deepStrictEqual(connectionPlan({ protocol: 'klap', transport: 'udp' }), { transport: 'klap', port: 80 }, 'UDP is legacy-only');
    assert.deepStrictEqual(['auto', 'legacy', 'klap', 'smart'].map(defaultPort), [9999, 9999, 80, 80]);
    assert.deepStrictEqual(connectionPlan({ protocol: 'smart' }), { transport: 'smart', port: 80 });
    assert.throws(() => connectionPlan({ protocol: 'tapo' }), (e) => e instanceof ValidationError && e.field === 'protocol');
    assert.throws(() => connectionPlan({ protocol: '__proto__' }), (e) => e instanceof ValidationError && e.field === 'protocol');
  });

  describe('a Connector', () => {
    let klap;
    let legacy;
    before(async () => {
      klap = await KlapPlugSimulator.start({ model: 'kp115-klap', ...ACCOUNT, discoveryPort: null });
      legacy = await PlugSimulator.start({ model: 'hs110', udp: false });
    });
    after(async () => { await klap.stop(); await legacy.stop(); });

    it('auto learns KLAP (v2) and builds every later client as KLAP, keeping the account out of sight', async () => {
      const connector = new Connector({ protocol: 'auto', port: klap.port, credentials: { ...ACCOUNT } }, { timeout: 2000 });
      assert.strictEqual(connector.found(), null);
      const first = connector.createClient('127.0.0.1');
      assert.strictEqual(first.transportInfo.name, 'auto');
      assert.strictEqual((await first.run(getSysinfo())).model, 'KP115(UK)');
      assert.deepStrictEqual(connector.found(), { protocol: 'klap', transport: 'klap', port: klap.port, hashVersion: 2, defaultAccount: false });
      for (const v of [connector, first, first.transportInfo]) {
        const text = deep(v);
        assert.ok(!text.includes(ACCOUNT.password) && !text.includes(ACCOUNT.username), text.slice(0, 200));
      }
      await first.close();
      const again = connector.createClient('127.0.0.1', 9999); // e.g. a discovered address with the legacy port
      assert.strictEqual(again.transportInfo.name, 'klap');
      assert.strictEqual(again.port, klap.port);
      assert.strictEqual((await again.run(getSysinfo())).model, 'KP115(UK)');
      assert.ok(!deep(again).includes(ACCOUNT.password));
      await again.close();
    });

    it('auto on a legacy plug stays legacy; a fixed protocol only reports', async () => {
      const connector = new Connector({ protocol: 'auto', port: legacy.port, credentials: { ...ACCOUNT } }, { timeout: 2000 });
      const c = connector.createClient('127.0.0.1');
      await c.run(getSysinfo());
      assert.deepStrictEqual(connector.found(), { protocol: 'legacy', transport: 'tcp', port: legacy.port });
      assert.ok(!deep(c).includes(ACCOUNT.password), 'the legacy transport does not keep the account either');
      await c.close();
      const fixed = new Connector({ protocol: 'klap', port: klap.port, credentials: { ...ACCOUNT } }, { timeout: 2000 });
      const k = fixed.createClient('127.0.0.1', 9999);
      assert.strictEqual(k.port, klap.port, 'KLAP keeps its own port whatever address discovery gave');
      await k.run(getSysinfo());
      assert.strictEqual(fixed.found().hashVersion, 2);
      await k.close();
    });
  });
});
