'use strict';
// tplink-device bound by MAC or deviceId: the address comes from discovery
// (broadcast 127.0.0.1 to the simulator network's discovery port) and is looked
// up again when the device stops answering where it was.
const assert = require('assert');
const { helper, load, exchange, wired } = require('./support/nodes');
const { SimulatorNetwork, PlugSimulator, KlapPlugSimulator } = require('../nodes/simulator');
const { silentUdpPort } = require('./support/silent-udp');

const MAC = '50:C7:BF:AA:BB:01';
const ID = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
const probes = (sim) => sim.requests.filter((r) => r.system && r.system.get_sysinfo !== undefined).length;

describe('tplink-device bound by MAC / device id', function () {
  let net;
  let quiet; // the 20002 probe goes here unless a test gives a KLAP plug's port
  before(async () => { quiet = await silentUdpPort(); });
  after(async () => { await quiet.close(); });
  beforeEach(async () => {
    net = await SimulatorNetwork.start({
      host: '127.0.0.1',
      discoveryPort: 0,
      devices: [{ model: 'hs100', alias: 'Other' }, { model: 'hs110', alias: 'Kettle', mac: MAC, deviceId: ID }],
      extras: ['garbage', 'bulb'],
    });
  });
  afterEach(async () => { await helper.unload(); await net.stop(); });

  const bound = (extra) => [
    { id: 'dev', type: 'tplink-device', name: 'kettle', host: '', port: 9999, timeout: 1000, transport: 'tcp',
      broadcast: '127.0.0.1', discoveryPort: net.discoveryPort, discoveryPort20002: quiet.port, ...extra },
    ...wired('relay', 'tplink-relay', 'dev'),
  ];

  /** The device "gets a new address": it stops and comes back on another port of the network. */
  async function move(i) {
    const old = net.members[i];
    await old.stop();
    const moved = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0, alias: 'Kettle', mac: MAC, deviceId: ID });
    assert.notStrictEqual(moved.port, old.port);
    net.members[i] = moved;
    return moved;
  }

  it('finds the device by MAC (any notation) through discovery, once', async () => {
    await load(['tplink-relay'], bound({ findBy: 'mac', mac: '50-c7-bf-aa-bb-01' }));
    const kettle = net.members[1];
    const a = await exchange('relay', { payload: true });
    assert.ifError(a.error);
    assert.strictEqual(kettle.device.relay(), true);
    assert.deepStrictEqual(a.msg.device, { host: '127.0.0.1', port: kettle.port, alias: 'kettle' });
    assert.strictEqual(net.members[0].device.relay(), false, 'the other plug is untouched');
    await exchange('relay', { payload: false });
    await exchange('relay', { payload: true });
    assert.strictEqual(probes(kettle), 1, 'one discovery, then the address is kept');
    assert.strictEqual(kettle.peakConnections, 1);
  });

  it('re-resolves after the device moves, and the failed request goes to the new address', async () => {
    await load(['tplink-relay'], bound({ findBy: 'mac', mac: MAC }));
    assert.ifError((await exchange('relay', { payload: false })).error);
    const moved = await move(1);
    const r = await exchange('relay', { payload: true });
    assert.ifError(r.error);
    assert.strictEqual(moved.device.relay(), true);
    assert.strictEqual(r.msg.device.port, moved.port);
    assert.strictEqual(helper.getNode('dev').port, moved.port);
    assert.strictEqual(probes(moved), 1);
  });

  it('a device that is gone fails with the original error, and is found again later', async () => {
    await load(['tplink-relay'], bound({ findBy: 'deviceId', deviceId: ID.toLowerCase() }));
    assert.ifError((await exchange('relay', { payload: true })).error);
    const old = net.members[1];
    await old.stop();
    const gone = await exchange('relay', { payload: false });
    assert.match(String(gone.error.message), /connection refused/);
    const moved = await move(1);
    const back = await exchange('relay', { payload: true });
    assert.ifError(back.error);
    assert.strictEqual(moved.device.relay(), true);
  });

  it('no device with that MAC: an "unreachable" error naming the MAC, red status', async () => {
    await load(['tplink-relay'], bound({ findBy: 'mac', mac: '50:C7:BF:00:00:99' }));
    const { error } = await exchange('relay', { payload: true });
    assert.strictEqual(error.kind, 'unreachable');
    assert.match(error.message, /no device with MAC 50C7BF000099 answered discovery sent to 127\.0\.0\.1:\d+/);
    assert.deepStrictEqual(helper.getNode('relay').status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'unreachable' });
  });

  it('a malformed MAC or broadcast is an error naming the field; nothing is sent', async () => {
    await load(['tplink-relay'], bound({ findBy: 'mac', mac: 'not-a-mac' }));
    const a = await exchange('relay', { payload: true });
    assert.match(String(a.error.message), /invalid mac/);
    await helper.unload();
    await load(['tplink-relay'], bound({ findBy: 'mac', mac: MAC, broadcast: '10.0.0.255; x' }));
    const b = await exchange('relay', { payload: true });
    assert.match(String(b.error.message), /invalid broadcast/);
    assert.strictEqual(probes(net.members[1]), 0);
  });

  it('findBy "host" (or none, as in older flows) ignores the MAC and uses the address', async () => {
    const kettle = net.members[1];
    await load(['tplink-relay'], bound({ host: '127.0.0.1', port: kettle.port, mac: '50:C7:BF:00:00:99' }));
    assert.ifError((await exchange('relay', { payload: true })).error);
    assert.strictEqual(probes(kettle), 0);
  });

  it('a KLAP plug (20002 only) bound by MAC: the config node finds it through the 20002 probe port it is given', async () => {
    const KMAC = '50:C7:BF:AA:BB:77';
    const klap = await KlapPlugSimulator.start({ model: 'kp115-klap', host: '127.0.0.1', mac: KMAC });
    try {
      await load(['tplink-relay'], bound({ findBy: 'mac', mac: KMAC.replace(/:/g, '-'), discoveryPort20002: klap.discoveryPort }));
      const dev = helper.getNode('dev');
      // Talking to it needs the protocol setting; finding it is this binding's job.
      await exchange('relay', { payload: 'on' }).catch(() => {});
      assert.ok(klap.probesAnswered >= 1, 'the 20002 probe reached the plug');
      assert.strictEqual(dev.host, '127.0.0.1');
      assert.strictEqual(dev.port, klap.port, 'its HTTP port, from the 20002 answer');
    } finally {
      await klap.stop();
    }
  });
});
