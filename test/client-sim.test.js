'use strict';
// DeviceClient against the real plug simulator over loopback: every model,
// connection reuse, bursts, every wire fault, a device restart, and discovery.
// (Client against hand-written misbehaving servers: client.test.js.)
const assert = require('assert');
const { DeviceClient } = require('../nodes/core/client');
const { discover } = require('../nodes/core/discovery');
const { system } = require('../nodes/core/commands');
const { PlugSimulator, SimulatorNetwork, MODELS, FAULT_TYPES } = require('../nodes/simulator');

const HOST = '127.0.0.1';
const aliasReq = (alias) => ({ system: { set_dev_alias: { alias } } });

describe('DeviceClient + PlugSimulator (loopback)', function () {
  let sim;
  let client;
  const start = async (opts) => {
    sim = await PlugSimulator.start({ host: HOST, port: 0, ...opts });
    return sim;
  };
  const connect = (opts) => {
    client = new DeviceClient({ host: HOST, port: sim.port, timeout: 2000, ...opts });
    return client;
  };
  afterEach(async () => {
    if (client) await client.close();
    if (sim) await sim.stop();
    client = sim = null;
  });

  for (const spec of MODELS) {
    it(`reads the sysinfo of ${spec.name}`, async () => {
      await start({ model: spec.name });
      const info = await connect().run(system.getSysinfo());
      assert.strictEqual(info.model, spec.model);
      assert.strictEqual(info.hw_ver, spec.hwVer);
      assert.strictEqual(info.deviceId, sim.device.deviceId);
      assert.strictEqual(info.mac, sim.device.mac);
      if (spec.outlets > 1) assert.strictEqual(info.children.length, spec.outlets);
      else assert.strictEqual(info.relay_state, 0);
    });
  }

  it('switches the relay on and off', async () => {
    await start({ model: 'HS110' });
    connect();
    await client.run(system.setRelayState(true));
    assert.strictEqual(sim.device.relay(), true);
    assert.strictEqual((await client.run(system.getSysinfo())).relay_state, 1);
    await client.run(system.setRelayState(false));
    assert.strictEqual(sim.device.relay(), false);
    assert.strictEqual((await client.run(system.getSysinfo())).relay_state, 0);
  });

  it('keeps one connection open for many requests', async () => {
    await start({ model: 'HS100' });
    connect();
    for (let i = 0; i < 20; i++) await client.send(aliasReq(`k${i}`));
    assert.strictEqual(sim.connectionsOpened, 1);
    assert.strictEqual(client.stats.connects, 1);
    assert.strictEqual(sim.requests.length, 20);
  });

  it('against close-after-reply firmware: a fresh connection per request, each request served exactly once', async () => {
    await start({ model: 'HS100', closeAfterReply: true });
    connect();
    for (let i = 0; i < 20; i++) await client.send(aliasReq(`c${i}`));
    assert.strictEqual(sim.connectionsOpened, 20);
    assert.strictEqual(sim.peakConnections, 1, 'never two connections at once');
    assert.deepStrictEqual(sim.requests, [...Array(20).keys()].map((i) => aliasReq(`c${i}`)));
    assert.strictEqual(sim.device.alias(), 'c19');
  });

  it('serves a burst of 200 concurrent sends in order over one connection', async () => {
    await start({ model: 'HS110' });
    connect();
    const done = [];
    await Promise.all([...Array(200).keys()].map((i) =>
      client.send(aliasReq(`b${i}`)).then((r) => {
        assert.strictEqual(r.system.set_dev_alias.err_code, 0);
        done.push(i);
      })));
    assert.deepStrictEqual(done, [...Array(200).keys()]);
    assert.deepStrictEqual(sim.requests.map((r) => r.system.set_dev_alias.alias), done.map((i) => `b${i}`));
    assert.strictEqual(sim.peakConnections, 1);
    assert.strictEqual(sim.connectionsOpened, 1);
  });

  describe('wire faults: the right error kind, then the next request works on the same client', () => {
    const TIMEOUT = 150;
    const cases = {
      delay: { fault: { type: 'delay', ms: TIMEOUT * 3 }, kind: 'timeout' },
      stall: { fault: 'stall', kind: 'timeout' },
      'reset-mid-header': { fault: 'reset-mid-header', kind: 'protocol' },
      'reset-mid-body': { fault: 'reset-mid-body', kind: 'protocol' },
      'huge-length': { fault: 'huge-length', kind: 'protocol' },
      'lying-length': { fault: 'lying-length', kind: 'protocol' },
      garbage: { fault: 'garbage', kind: 'protocol' },
      'non-json': { fault: 'non-json', kind: 'protocol' },
      'wrong-shape': { fault: 'wrong-shape', kind: 'protocol' },
      'err-code': { fault: { type: 'err-code', code: -3, msg: 'invalid argument' }, kind: 'device' },
      'close-after-reply': { fault: 'close-after-reply', kind: null }, // not a failure: a reply, then a close
    };

    it('covers every fault type the simulator has', () => {
      assert.deepStrictEqual(Object.keys(cases).sort(), [...FAULT_TYPES].sort());
    });

    for (const [name, { fault, kind }] of Object.entries(cases)) {
      it(`${name} → ${kind || 'a reply'}`, async () => {
        await start({ model: 'HS110' });
        connect({ timeout: TIMEOUT });
        await client.run(system.getSysinfo()); // a kept-open connection first, as in real use
        sim.setFault(fault);
        const attempt = client.run(system.setRelayState(true));
        if (kind) {
          await assert.rejects(attempt, (e) => {
            assert.strictEqual(e.kind, kind, `${e.kind}: ${e.message}`);
            if (kind === 'device') assert.strictEqual(e.errCode, -3);
            return true;
          });
        } else {
          await attempt;
        }
        sim.setFault(null);
        const info = await client.run(system.getSysinfo());
        assert.strictEqual(info.deviceId, sim.device.deviceId);
      });
    }
  });

  it('recovers when the device restarts on the same port mid-sequence, and keeps reusing the connection', async () => {
    await start({ model: 'HS110' });
    connect();
    for (let i = 0; i < 3; i++) await client.send(aliasReq(`r${i}`));
    const port = sim.port;
    await sim.restart();
    assert.strictEqual(sim.port, port);
    for (let i = 3; i < 8; i++) await client.send(aliasReq(`r${i}`));
    assert.strictEqual(sim.device.alias(), 'r7');
    assert.strictEqual(sim.requests.length, 8, 'no request served twice');
    // The device's close on restart is not "closes after every reply": one new connection serves the rest.
    assert.strictEqual(client.stats.connects, 2);
  });

  it('a stopped device is "refused"; it works again once restarted', async () => {
    await start({ model: 'HS100' });
    connect();
    await client.send(aliasReq('before'));
    await sim.stop();
    await assert.rejects(client.send(aliasReq('down')), (e) => e.kind === 'refused');
    await sim.listen();
    await client.send(aliasReq('after'));
    assert.strictEqual(sim.device.alias(), 'after');
  });
});

describe('discovery + SimulatorNetwork (loopback)', () => {
  let network;
  after(async () => {
    if (network) await network.stop();
  });

  it('finds exactly the 3 plugs with their outlets and rejects the garbage and the bulb', async () => {
    network = await SimulatorNetwork.start({
      host: HOST,
      discoveryPort: 0,
      devices: [{ model: 'HS100', alias: 'Lamp' }, { model: 'HS110v2', alias: 'Kettle' }, { model: 'HS300', alias: 'Desk' }],
      extras: ['garbage', 'bulb'],
    });
    const { devices, rejected } = await discover({ broadcast: HOST, port: network.discoveryPort, port20002: null, timeout: 400 });
    const byPort = (a, b) => a.port - b.port;
    assert.deepStrictEqual(
      devices.map((d) => ({ host: d.host, port: d.port, alias: d.alias, mac: d.mac, outlets: d.outlets })).sort(byPort),
      network.members.map((m) => ({ host: HOST, port: m.port, alias: m.device.alias(), mac: m.device.mac, outlets: m.device.spec.outlets })).sort(byPort),
    );
    assert.deepStrictEqual(devices.map((d) => d.alias).sort(), ['Desk', 'Kettle', 'Lamp']);
    assert.strictEqual(devices.find((d) => d.alias === 'Desk').outlets, 6);
    assert.deepStrictEqual(rejected.map((r) => r.port).sort(), network.extras.map((x) => x.port).sort());
    const bulb = network.extras.find((x) => x.kind === 'bulb');
    assert.match(rejected.find((r) => r.port === bulb.port).reason, /not a plug/);
  });
});

describe('command reply timeouts', () => {
  const { PlugSimulator } = require('../nodes/simulator');
  const { DeviceClient } = require('../nodes/core/client');
  const netif = require('../nodes/core/commands/netif');
  const { withContext } = require('../nodes/core/commands/context');
  it('a Wi-Fi scan with a timeout stretches the reply timeout; a plain request keeps the client timeout', async () => {
    const sim = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 });
    const client = new DeviceClient({ host: '127.0.0.1', port: sim.port, timeout: 100 });
    try {
      const scan = netif.getScanInfo({ timeout: 1 });
      assert.strictEqual(scan.minTimeout, 3000);
      assert.strictEqual(withContext(scan, ['00']).minTimeout, 3000, 'an outlet context keeps the hint');
      sim.setFault({ type: 'delay', ms: 300 });
      const res = await client.run(scan);
      assert.ok(Array.isArray(res.ap_list));
      sim.setFault({ type: 'delay', ms: 300 });
      await assert.rejects(client.run(netif.getScanInfo({})), (e) => e.kind === 'timeout');
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('discovery answers', () => {
  const { parseDiscoveryAnswer } = require('../nodes/core/discovery');
  const { encrypt } = require('../nodes/core/cipher');
  it('a deeply nested answer is rejected, not parsed into a crash downstream', () => {
    const deep = '{"system":{"get_sysinfo":' + '['.repeat(5000) + ']'.repeat(5000) + '}}';
    const r = parseDiscoveryAnswer(encrypt(deep), '127.0.0.1', 9999);
    assert.match(r.reason, /nested more than 64 levels/);
  });
  it('a plug answer is parsed', () => {
    const r = parseDiscoveryAnswer(encrypt(JSON.stringify({ system: { get_sysinfo: { mic_type: 'IOT.SMARTPLUGSWITCH', alias: 'a', model: 'HS100(EU)', mac: 'AA', deviceId: 'D' } } })), '127.0.0.1', 9999);
    assert.strictEqual(r.alias, 'a');
    assert.strictEqual(r.outlets, 1);
  });
});
