'use strict';
// One discovery call, both probes (9999 legacy XOR, 20002 KLAP/AES), over real
// UDP on 127.0.0.1: legacy, KLAP and SMART simulators answer together and each
// device says what it speaks; a unicast probe hears only its target; the target
// is checked before any socket opens; a 255.255.255.255 probe goes to a stubbed
// socket, never to the network. Binding by MAC/device id finds both generations.
const assert = require('assert');
const dgram = require('dgram');
const { EventEmitter } = require('events');
const { discover } = require('../nodes/core/discovery');
const { discover20002, frame20002, unframe20002 } = require('../nodes/core/discovery-20002');
const { encrypt } = require('../nodes/core/cipher');
const { AddressResolver } = require('../nodes/core/address-resolver');
const { DeviceSession } = require('../nodes/core/device-session');
const { DeviceClient } = require('../nodes/core/client');
const { ValidationError } = require('../nodes/core/errors');
const { PlugSimulator, KlapPlugSimulator } = require('../nodes/simulator');
const { silentUdpPort } = require('./support/silent-udp');
const { mixedLan, USER, PASS } = require('./support/mixed-lan');

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const colon = (mac) => mac.replace(/-/g, ':').toUpperCase();

/** The legacy side of a KP115 that answers the 9999 probe 100 ms late (real UDP, XOR-encrypted sysinfo). */
async function lateLegacySide(mac) {
  const late = dgram.createSocket('udp4');
  await new Promise((r) => late.bind(0, HOST, r));
  late.on('message', (_m, rinfo) => setTimeout(() => {
    late.send(encrypt(JSON.stringify({ system: { get_sysinfo: { alias: 'Late', model: 'KP115(UK)', mac, deviceId: 'AA'.repeat(20), mic_type: 'IOT.SMARTPLUGSWITCH' } } })), rinfo.port, rinfo.address);
  }, 100));
  return late;
}

describe('discovery: both probes in one call (real UDP on 127.0.0.1)', function () {
  let lan;
  before(async () => { lan = await mixedLan(); });
  after(async () => { await lan.stop(); });

  it('lists legacy, KLAP and SMART devices, each saying what it speaks and whether it needs an account', async () => {
    const seen = [];
    const { devices, rejected } = await discover({ broadcast: HOST, ...lan.ports, timeout: 500, onDevice: (d) => seen.push(d) });
    assert.strictEqual(devices.length, 6, JSON.stringify(devices.map((d) => d.model)));
    assert.deepStrictEqual(seen.map((d) => d.mac).sort(), devices.map((d) => d.mac).sort(), 'onDevice once per device');
    const byMac = new Map(devices.map((d) => [d.mac, d]));

    for (const sim of lan.legacy.members) {
      const d = byMac.get(sim.device.mac);
      assert.ok(d, `legacy ${sim.device.mac}`);
      assert.strictEqual(d.host, HOST);
      assert.strictEqual(d.port, sim.port);
      assert.strictEqual(d.protocol, 'legacy');
      assert.strictEqual(d.transport, 'xor');
      assert.strictEqual(d.dialect, 'iot');
      assert.strictEqual(d.needsAuth, false);
      assert.strictEqual(d.httpPort, null);
      assert.strictEqual(d.alias, sim.device.alias());
      assert.strictEqual(d.aliasKnown, true);
      assert.strictEqual(d.deviceId, sim.device.deviceId);
      assert.strictEqual(typeof d.sysinfo, 'object');
      assert.deepStrictEqual(d.answered, ['legacy']);
    }
    assert.strictEqual(byMac.get(lan.legacy.members[1].device.mac).outlets, 6);

    for (const [sim, version] of [[lan.klap[0], 1], [lan.klap[1], 2]]) {
      const d = byMac.get(sim.device.mac);
      assert.ok(d, `KLAP ${sim.spec.name}`);
      assert.deepStrictEqual(
        { host: d.host, port: d.port, httpPort: d.httpPort, protocol: d.protocol, transport: d.transport, dialect: d.dialect, needsAuth: d.needsAuth, klapVersion: d.klapVersion },
        { host: HOST, port: sim.port, httpPort: sim.port, protocol: 'klap', transport: 'klap', dialect: 'iot', needsAuth: true, klapVersion: version },
      );
      assert.strictEqual(d.model, sim.spec.model);
      assert.strictEqual(d.deviceId, sim.device.deviceId);
      // 20002 answers carry no alias, outlets or sysinfo: said, not made up.
      assert.strictEqual(d.alias, '');
      assert.strictEqual(d.aliasKnown, false);
      assert.strictEqual(d.outlets, null);
      assert.strictEqual(d.sysinfo, null);
      assert.deepStrictEqual(d.answered, ['20002']);
    }

    const tapo = byMac.get(colon(lan.tapo.device.mac));
    assert.deepStrictEqual([tapo.protocol, tapo.transport, tapo.dialect, tapo.needsAuth, tapo.port, tapo.klapVersion], ['smart', 'klap', 'smart', true, 18080, 2]);
    assert.strictEqual(tapo.deviceId, lan.tapo.device.deviceId);
    assert.strictEqual(tapo.model, 'P110(UK)');
    const aes = byMac.get(colon(lan.kasaAes.device.mac));
    assert.deepStrictEqual([aes.protocol, aes.transport, aes.dialect, aes.needsAuth, aes.port, aes.klapVersion], ['smart', 'aes', 'smart', true, 18081, null]);

    assert.strictEqual(rejected.length, 1, 'the garbage answerer');
    assert.strictEqual(rejected[0].port, lan.legacy.extras[0].port);
    for (const s of [...lan.klap, lan.tapo, lan.kasaAes]) assert.ok(s.probesAnswered >= 1);
  });

  it('port20002: null sends the legacy probe only; port: null the 20002 probe only', async () => {
    const before = lan.tapo.probesAnswered;
    const legacyOnly = await discover({ broadcast: HOST, port: lan.ports.port, port20002: null, timeout: 300 });
    assert.deepStrictEqual([...new Set(legacyOnly.devices.map((d) => d.protocol))], ['legacy']);
    assert.strictEqual(lan.tapo.probesAnswered, before, 'no 20002 probe went out');
    const newOnly = await discover({ broadcast: HOST, port: null, port20002: lan.ports.port20002, timeout: 300 });
    assert.deepStrictEqual(newOnly.devices.map((d) => d.protocol).sort(), ['klap', 'klap', 'smart', 'smart']);
  });
});

describe('discovery: one device answering both probes', function () {
  const MAC = '50:C7:BF:0A:0B:0C';
  let plug;
  let klapSide;
  before(async () => {
    plug = await PlugSimulator.start({ model: 'hs110', host: HOST, port: 0, udp: true, alias: 'Both', mac: MAC });
    klapSide = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, mac: MAC, deviceId: plug.device.deviceId });
  });
  after(async () => { await Promise.all([plug.stop(), klapSide.stop()]); });

  it('is one device: it speaks legacy (no account needed), and the 20002 answer adds its HTTP port', async () => {
    const seen = [];
    const merged = [];
    const { devices } = await discover({
      broadcast: HOST, port: plug.port, port20002: klapSide.discoveryPort, timeout: 400,
      onDevice: (d) => seen.push(d), onMerged: (d) => merged.push(d),
    });
    assert.strictEqual(devices.length, 1, JSON.stringify(devices));
    const d = devices[0];
    assert.deepStrictEqual(
      { mac: d.mac, protocol: d.protocol, needsAuth: d.needsAuth, port: d.port, httpPort: d.httpPort, alias: d.alias, answered: d.answered },
      { mac: MAC, protocol: 'legacy', needsAuth: false, port: plug.port, httpPort: klapSide.port, alias: 'Both', answered: ['legacy', '20002'] },
    );
    // Reported once, by its legacy side; completed later through onMerged if the legacy answer came first.
    assert.strictEqual(seen.length, 1);
    assert.strictEqual(seen[0].protocol, 'legacy');
    assert.deepStrictEqual(merged.length ? merged[merged.length - 1] : seen[0], d);
  });

  it('a 20002 answer waits briefly for the legacy one: onDevice reports the merged, legacy record', async () => {
    // The legacy side answers 100 ms late (real UDP, XOR-encrypted sysinfo), after the 20002 answer.
    const late = await lateLegacySide(MAC);
    try {
      const seen = [];
      const merged = [];
      await discover({ broadcast: HOST, port: late.address().port, port20002: klapSide.discoveryPort, timeout: 600, onDevice: (d) => seen.push(d), onMerged: (d) => merged.push(d) });
      assert.deepStrictEqual(seen.map((d) => [d.protocol, d.alias, d.answered.join('+'), d.httpPort]), [['legacy', 'Late', 'legacy+20002', klapSide.port]]);
      assert.deepStrictEqual(merged, []);
    } finally {
      late.close();
    }
  });

  it('a 20002-only device is still reported when no legacy answer comes', async () => {
    const quiet = await silentUdpPort();
    try {
      const seen = [];
      await discover({ broadcast: HOST, port: quiet.port, port20002: klapSide.discoveryPort, timeout: 150, onDevice: (d) => seen.push(d) });
      assert.deepStrictEqual(seen.map((d) => d.protocol), ['klap']);
    } finally {
      await quiet.close();
    }
  });
});

describe('discovery: a unicast probe hears its target only', function () {
  // A "device" at 127.0.0.1 whose answers to both probes come from 127.0.0.2
  // (a third party on the LAN answering for it), or from 127.0.0.1 (control).
  let device;
  let rogue;
  let answerFrom;
  const sysinfo = { alias: 'Intruder', model: 'HS100(EU)', mac: '50:C7:BF:EE:EE:EE', deviceId: 'AB'.repeat(20), mic_type: 'IOT.SMARTPLUGSWITCH', relay_state: 0 };
  const result = { device_id: 'CD'.repeat(20), device_type: 'IOT.SMARTPLUGSWITCH', device_model: 'KP115(UK)', mac: '50-C7-BF-DD-DD-DD', ip: '127.0.0.1', mgt_encrypt_schm: { encrypt_type: 'KLAP', http_port: 80 } };
  const bound = (address) => new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.bind(0, address, () => resolve(s)); });

  before(async () => {
    device = { legacy: await bound(HOST), klap: await bound(HOST) };
    rogue = await bound('127.0.0.2');
    const answer = (sock, bytes) => (msg, rinfo) => (answerFrom === 'rogue' ? rogue : sock).send(bytes(msg), rinfo.port, rinfo.address);
    device.legacy.on('message', answer(device.legacy, () => encrypt(JSON.stringify({ system: { get_sysinfo: sysinfo } }))));
    device.klap.on('message', answer(device.klap, (m) => (unframe20002(m) ? frame20002(Buffer.from(JSON.stringify({ error_code: 0, result })), 1) : Buffer.alloc(0))));
  });
  after(() => { for (const s of [device.legacy, device.klap, rogue]) s.close(); });

  const probe = () => discover({ broadcast: HOST, port: device.legacy.address().port, port20002: device.klap.address().port, timeout: 300 });

  it('answers from 127.0.0.2 to a probe sent to 127.0.0.1 are ignored (listed as rejected, not as devices)', async () => {
    answerFrom = 'rogue';
    const { devices, rejected } = await probe();
    assert.deepStrictEqual(devices, []);
    assert.strictEqual(rejected.length, 2);
    for (const r of rejected) {
      assert.strictEqual(r.host, '127.0.0.2');
      assert.match(r.reason, /probe sent to 127\.0\.0\.1 only/);
    }
  });

  it('control: the same answers from 127.0.0.1 itself are devices', async () => {
    answerFrom = 'device';
    const { devices, rejected } = await probe();
    assert.deepStrictEqual(rejected, []);
    assert.deepStrictEqual(devices.map((d) => [d.alias, d.protocol]).sort(), [['', 'klap'], ['Intruder', 'legacy']]);
  });

  it('discover20002 alone filters the same way', async () => {
    answerFrom = 'rogue';
    const r = await discover20002({ broadcast: HOST, port: device.klap.address().port, timeout: 300 });
    assert.deepStrictEqual(r.devices, []);
    assert.strictEqual(r.rejected[0].host, '127.0.0.2');
  });

  it('both sockets of a loopback probe are bound to 127.0.0.1', async () => {
    answerFrom = 'device';
    const sockets = [];
    const createSocket = () => {
      const s = dgram.createSocket('udp4');
      s.once('listening', () => sockets.push(s.address().address));
      return s;
    };
    await discover({ broadcast: HOST, port: device.legacy.address().port, port20002: device.klap.address().port, timeout: 200, createSocket });
    assert.deepStrictEqual(sockets, ['127.0.0.1', '127.0.0.1']);
  });
});

/** A udp4 socket that records what would be sent; never touches the network. */
function fakeSocket(log) {
  const s = new EventEmitter();
  s.bind = (port, address, cb) => {
    log.binds.push(typeof address === 'string' ? address : null);
    setImmediate(typeof address === 'function' ? address : cb);
    return s;
  };
  s.setBroadcast = (on) => { log.broadcast.push(on); };
  s.send = (buf, port, address, cb) => { log.sent.push({ address, port, buf, socket: s }); setImmediate(() => cb && cb(null)); };
  s.close = () => { log.closed++; };
  return s;
}

describe('discovery: the target address', function () {
  const newLog = () => ({ binds: [], broadcast: [], sent: [], closed: 0 });

  for (const [what, opts] of [
    ['no options', undefined],
    ['no broadcast', {}],
    ['a blank broadcast (defaults belong to the node config and the CLI)', { broadcast: '' }],
    ['a host name (never looked up)', { broadcast: 'localhost' }],
    ['IPv6', { broadcast: '::1' }],
    ['a short form', { broadcast: '127.1' }],
    ['leading zeros', { broadcast: '010.0.0.1' }],
    ['a number', { broadcast: 2130706433 }],
  ]) {
    it(`${what}: a ValidationError naming broadcast, no socket opened`, async () => {
      const log = newLog();
      const withStub = opts ? { ...opts, createSocket: () => fakeSocket(log) } : undefined;
      await assert.rejects(discover(withStub), (err) => err instanceof ValidationError && err.field === 'broadcast');
      await assert.rejects(discover20002(withStub), (err) => err instanceof ValidationError && err.field === 'broadcast');
      assert.deepStrictEqual(log, newLog());
    });
  }

  it('bad ports are refused by name before anything is sent', async () => {
    const log = newLog();
    await assert.rejects(discover({ broadcast: HOST, port: 0, createSocket: () => fakeSocket(log) }), (e) => e.field === 'port');
    await assert.rejects(discover({ broadcast: HOST, port20002: 70000, createSocket: () => fakeSocket(log) }), (e) => e.field === 'port20002');
    assert.strictEqual(log.sent.length, 0);
  });

  it('255.255.255.255 (stubbed socket, nothing sent): both probes, broadcast on, any interface, answers from any address', async () => {
    const log = newLog();
    const got = discover({ broadcast: '255.255.255.255', timeout: 150, createSocket: () => fakeSocket(log) });
    await sleep(30);
    assert.deepStrictEqual(log.sent.map((x) => `${x.address}:${x.port}`).sort(), ['255.255.255.255:20002', '255.255.255.255:9999']);
    assert.deepStrictEqual(log.broadcast, [true, true]);
    assert.deepStrictEqual(log.binds, [null, null], 'not bound to loopback');
    // A broadcast is answered from each device's own address: the stub delivers one such answer.
    const legacySock = log.sent.find((x) => x.port === 9999).socket;
    const sys = { alias: 'Far', model: 'HS100(US)', mac: '50:C7:BF:12:34:56', deviceId: 'EF'.repeat(20), mic_type: 'IOT.SMARTPLUGSWITCH' };
    legacySock.emit('message', encrypt(JSON.stringify({ system: { get_sysinfo: sys } })), { address: '192.0.2.44', port: 9999, family: 'IPv4', size: 0 });
    const { devices } = await got;
    assert.deepStrictEqual(devices.map((d) => [d.host, d.alias, d.protocol]), [['192.0.2.44', 'Far', 'legacy']]);
    assert.strictEqual(log.closed, 2, 'both sockets closed');
  });

  it('a socket error on one probe rejects the call once both sockets are closed', async () => {
    const log = newLog();
    const make = () => {
      const s = fakeSocket(log);
      if (log.binds.length === 0) s.send = (buf, port, address, cb) => setImmediate(() => cb(Object.assign(new Error('send EACCES'), { code: 'EACCES' })));
      return s;
    };
    await assert.rejects(discover({ broadcast: '255.255.255.255', timeout: 100, createSocket: make }), /EACCES/);
    assert.strictEqual(log.closed, 2);
  });
});

describe('binding by MAC or device id finds both generations (AddressResolver, real UDP)', function () {
  let lan;
  before(async () => { lan = await mixedLan(); });
  after(async () => { await lan.stop(); });

  const resolver = (by, value) => new AddressResolver({ by, value, broadcast: HOST, ...lan.ports, timeout: 1500 });

  it('a KLAP plug by MAC (it answers 20002 only): its HTTP port, protocol klap, needs an account', async () => {
    const sim = lan.klap[1];
    const a = await resolver('mac', sim.device.mac.replace(/:/g, '-').toLowerCase()).resolve();
    assert.deepStrictEqual(a, { host: HOST, port: sim.port, alias: '', protocol: 'klap', transport: 'klap', needsAuth: true, httpPort: sim.port, klapVersion: 2 });
  });

  it('a SMART plug by device id', async () => {
    const a = await resolver('deviceId', lan.kasaAes.device.deviceId.toLowerCase()).resolve();
    assert.deepStrictEqual([a.port, a.protocol, a.transport], [18081, 'smart', 'aes']);
  });

  it('a legacy plug by MAC, as before', async () => {
    const sim = lan.legacy.members[0];
    const a = await resolver('mac', sim.device.mac).resolve();
    assert.deepStrictEqual([a.host, a.port, a.alias, a.protocol, a.needsAuth], [HOST, sim.port, 'Kettle', 'legacy', false]);
  });

  it('an unknown MAC: unreachable, naming both probes', async () => {
    const r = new AddressResolver({ by: 'mac', value: '50C7BF999999', broadcast: HOST, ...lan.ports, timeout: 300 });
    await assert.rejects(r.resolve(), (e) => e.kind === 'unreachable' && e.message.includes(`:${lan.ports.port20002}`));
  });

  it('a session bound by MAC reaches the KLAP plug found on 20002 and reads its sysinfo over KLAP', async () => {
    const sim = lan.klap[0];
    const r = resolver('mac', sim.device.mac);
    const session = new DeviceSession({
      host: '', port: 0, timeout: 3000, resolver: r,
      // What the config node's protocol setting will choose; here from the discovery answer.
      createClient: (host, port) => new DeviceClient({ host, port, timeout: 3000, transport: r.address.protocol === 'klap' ? 'klap' : 'tcp', credentials: { username: USER, password: PASS } }),
    });
    try {
      const sys = await session.sysinfo(true);
      assert.strictEqual(sys.mac, sim.device.mac);
      assert.strictEqual(session.port, sim.port);
      assert.ok(sim.requests.length >= 1, 'the request went over KLAP to the simulator');
    } finally {
      await session.close();
    }
  });

  it('a device answering both probes resolves to its legacy side even when the 20002 answer comes first', async () => {
    const MAC = '50:C7:BF:0A:0B:0D';
    const klapSide = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, mac: MAC });
    // The legacy side answers 100 ms late (real UDP, XOR-encrypted sysinfo).
    const late = await lateLegacySide(MAC);
    try {
      const r = new AddressResolver({ by: 'mac', value: MAC, broadcast: HOST, port: late.address().port, port20002: klapSide.discoveryPort, timeout: 2000 });
      const a = await r.resolve();
      assert.deepStrictEqual([a.protocol, a.port, a.alias], ['legacy', late.address().port, 'Late']);
    } finally {
      late.close();
      await klapSide.stop();
    }
  });

  it('a 20002-only device does not wait for the whole listening time', async function () {
    // Discovery listens 10 s; the test's own limit is 5 s: waiting for the round would fail it.
    this.timeout(5000);
    const quiet = await silentUdpPort();
    try {
      const r = new AddressResolver({ by: 'mac', value: lan.klap[0].device.mac, broadcast: HOST, port: quiet.port, port20002: lan.ports.port20002, timeout: 10000 });
      const a = await r.resolve();
      assert.strictEqual(a.protocol, 'klap');
      assert.strictEqual(quiet.received, 1, 'the legacy probe went out too');
    } finally {
      await quiet.close();
    }
  });
});
