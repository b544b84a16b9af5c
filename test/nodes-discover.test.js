'use strict';
// tplink-discover against a SimulatorNetwork on 127.0.0.1 (never a real
// broadcast): three plugs plus a garbage answerer and a bulb.
const assert = require('assert');
const { helper, load } = require('./support/nodes');
const { SimulatorNetwork } = require('../nodes/simulator');
const { silentUdpPort } = require('./support/silent-udp');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('tplink-discover node', function () {
  let net;
  let quiet20002; // nothing answers the 20002 probe in these legacy-only tests
  before(async () => {
    quiet20002 = await silentUdpPort();
    net = await SimulatorNetwork.start({
      host: '127.0.0.1',
      discoveryPort: 0,
      devices: [{ model: 'hs110', alias: 'Lamp' }, { model: 'hs100', alias: 'Fan' }, { model: 'hs300', alias: 'Strip' }],
      extras: ['garbage', 'bulb'],
    });
  });
  after(async () => { await net.stop(); await quiet20002.close(); });
  afterEach(async () => { await helper.unload(); });

  const flow = (props = {}) => [
    { id: 'disc', type: 'tplink-discover', broadcast: '127.0.0.1', port: net.discoveryPort, port20002: quiet20002.port, timeout: 300, interval: 0, output: 'each', wires: [['out']], ...props },
    { id: 'out', type: 'helper' },
  ];

  /** Collects messages reaching the helper node for `ms`. */
  function collect(ms) {
    const out = helper.getNode('out');
    const got = [];
    const on = (m) => got.push(m);
    out.on('input', on);
    return sleep(ms).then(() => { out.removeListener('input', on); return got; });
  }

  const warnsOf = (node) => node.warn.getCalls().filter((c) => c.thisValue === node).map((c) => String(c.args[0]));

  it('one message per plug with host, port, alias, model, mac, deviceId, outlets, sysinfo; others skipped', async () => {
    await load(['tplink-discover'], flow());
    const done = collect(600);
    helper.getNode('disc').receive({ payload: 'go', topic: 'scan' });
    const msgs = await done;
    assert.strictEqual(msgs.length, 3);
    const byAlias = Object.fromEntries(msgs.map((m) => [m.payload.alias, m]));
    assert.deepStrictEqual(Object.keys(byAlias).sort(), ['Fan', 'Lamp', 'Strip']);
    for (const sim of net.members) {
      const p = byAlias[sim.device.alias()].payload;
      assert.strictEqual(p.host, '127.0.0.1');
      assert.strictEqual(p.port, sim.port);
      assert.strictEqual(p.mac, sim.device.mac);
      assert.strictEqual(p.deviceId, sim.device.deviceId);
      assert.strictEqual(p.model, sim.device.sysinfo().model);
      assert.strictEqual(typeof p.sysinfo, 'object');
    }
    assert.strictEqual(byAlias.Strip.payload.outlets, 6);
    assert.strictEqual(byAlias.Lamp.payload.outlets, 1);
    assert.strictEqual(msgs[0].topic, 'scan', 'input properties are kept');
    assert.deepStrictEqual(msgs.map((m) => m.index), [0, 1, 2]);
    const node = helper.getNode('disc');
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'found 3' });
  });

  it('sends each device as it answers, before the listening time is over', async () => {
    await load(['tplink-discover'], flow({ timeout: 2000 }));
    const node = helper.getNode('disc');
    const done = new Promise((resolve) => node.once('call:status', resolve));
    const first = collect(300);
    node.receive({});
    assert.strictEqual((await first).length, 3);
    await done;
    assert.strictEqual(node.status.lastCall.args[0].text, 'searching…', 'the round is still open');
  });

  it('non-plug answers are warned about once per answerer, not every round', async () => {
    await load(['tplink-discover'], flow());
    const node = helper.getNode('disc');
    for (let i = 0; i < 2; i++) {
      const done = collect(500);
      node.receive({ payload: i });
      assert.strictEqual((await done).length, 3);
    }
    const warns = warnsOf(node);
    assert.strictEqual(warns.length, 2, warns.join('\n'));
    assert.ok(warns.some((w) => /not a plug/.test(w)), 'the bulb');
    assert.ok(warns.some((w) => /not a Kasa reply/.test(w)), 'the garbage');
  });

  it('list output: one message with every plug in payload and the other answers in msg.rejected', async () => {
    await load(['tplink-discover'], flow({ output: 'list' }));
    const done = collect(600);
    helper.getNode('disc').receive({ payload: null, topic: 't' });
    const msgs = await done;
    assert.strictEqual(msgs.length, 1);
    assert.strictEqual(msgs[0].topic, 't');
    assert.deepStrictEqual(msgs[0].payload.map((d) => d.alias).sort(), ['Fan', 'Lamp', 'Strip']);
    assert.strictEqual(msgs[0].rejected.length, 2);
    const ports = net.extras.map((x) => x.port).sort();
    assert.deepStrictEqual(msgs[0].rejected.map((r) => r.port).sort(), ports);
    assert.strictEqual(warnsOf(helper.getNode('disc')).length, 0);
  });

  it('nobody answering gives "found 0" (an empty list), not an error', async () => {
    const quiet = await SimulatorNetwork.start({ host: '127.0.0.1', discoveryPort: 0, devices: [] });
    try {
      await load(['tplink-discover'], flow({ output: 'list', port: quiet.discoveryPort, timeout: 200 }));
      const done = collect(400);
      helper.getNode('disc').receive({});
      const msgs = await done;
      assert.strictEqual(msgs.length, 1);
      assert.deepStrictEqual(msgs[0].payload, []);
      assert.deepStrictEqual(helper.getNode('disc').status.lastCall.args[0], { fill: 'grey', shape: 'dot', text: 'found 0' });
    } finally {
      await quiet.stop();
    }
  });

  it('repeats on its own when an interval is set, and stops on close', async () => {
    await load(['tplink-discover'], flow({ interval: 1, timeout: 200, output: 'list' }));
    const msgs = await collect(1500);
    assert.strictEqual(msgs.length, 2, 'one round at deploy, one a second later');
    assert.strictEqual(msgs[0].topic, 'discover');
    const counts = () => net.members.map((m) => m.requests.length);
    await helper.unload();
    const before = counts();
    await sleep(1300);
    assert.deepStrictEqual(counts(), before, 'no probe after close');
  });

  it('a bad broadcast address in the node is reported, and input fails with done(err)', async () => {
    await load(['tplink-discover'], flow({ broadcast: '10.0.0.1; rm -rf /' }));
    const node = helper.getNode('disc');
    const err = new Promise((resolve) => node.once('call:error', (c) => resolve(c.args[0])));
    node.receive({ payload: 1 });
    assert.match(String((await err).message || (await err)), /invalid broadcast/);
  });
});
