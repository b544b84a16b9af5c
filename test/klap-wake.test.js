'use strict';
// The KLAP wake probe (src/core/transport/klap-wake.ts, docs/klap.md): a device
// whose HTTP port opens only after the UDP 20002 probe works; an ordinary closed
// port is still 'refused', with one probe sent to the device's own address
// (127.0.0.1 here, on a random port), never a broadcast, once per transport.
const assert = require('assert');
const dgram = require('dgram');
const { EventEmitter } = require('events');
const net = require('net');
const { KlapPlugSimulator } = require('../nodes/simulator');
const { createClient, DeviceClient } = require('../nodes/core/client');
const { unframe20002 } = require('../nodes/core/discovery-20002');
const { wakeTarget, sendWakeProbe } = require('../nodes/core/transport/klap-wake');
const { KlapTransport } = require('../nodes/core/transport/klap');

const HOST = '127.0.0.1';
const USER = 'owner@example.com';
const PASS = 'Wake Me Up';
const SYSINFO = { system: { get_sysinfo: {} } };

/** A UDP listener on 127.0.0.1 keeping every datagram and its sender. */
function udpRecorder() {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const out = { port: 0, got: [], close: () => new Promise((r) => sock.close(() => r())) };
    sock.on('message', (msg, from) => out.got.push({ msg, from }));
    sock.once('error', reject);
    sock.bind(0, HOST, () => {
      out.port = sock.address().port;
      resolve(out);
    });
  });
}

/** A TCP port on 127.0.0.1 nothing listens on. */
function closedPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function failure(p) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a failure');
}

describe('KLAP wake probe (UDP 20002 before a refused first handshake)', function () {
  let sim;
  let rec;
  const clients = [];
  const klapClient = (port, port20002, transport = 'klap', extra = {}) => {
    const c = new DeviceClient({ host: HOST, port, transport, credentials: { username: USER, password: PASS }, timeout: 3000, port20002, ...extra });
    clients.push(c);
    return c;
  };
  beforeEach(async () => { rec = await udpRecorder(); });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    if (sim) await sim.stop();
    sim = null;
    await rec.close();
  });

  it('the simulator option keeps the HTTP port closed (refused) until a probe arrives', async () => {
    sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, httpClosedUntilProbe: true });
    assert.strictEqual(sim.httpOpen, false);
    assert.ok(sim.port > 0);
    const err = await new Promise((resolve) => {
      const s = net.connect(sim.port, HOST);
      s.on('connect', () => { s.destroy(); resolve(null); });
      s.on('error', resolve);
    });
    assert.strictEqual(err && err.code, 'ECONNREFUSED');
  });

  it('a device that opens port 80 only after the probe: the request works, one probe sent to its address', async () => {
    sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, httpClosedUntilProbe: true });
    const c = klapClient(sim.port, sim.discoveryPort);
    const reply = await c.send(SYSINFO);
    assert.strictEqual(reply.system.get_sysinfo.model, 'KP115(UK)');
    assert.strictEqual(sim.httpOpen, true);
    assert.strictEqual(sim.probesHeard.length, 1);
    assert.strictEqual(sim.probesHeard[0].address, HOST);
    assert.strictEqual(c.transportInfo.wakeProbes, 1);
    // Later requests on the same transport just work; no more probes.
    await c.send(SYSINFO);
    assert.strictEqual(sim.probesHeard.length, 1);
  });

  it('control: the same device with the probe going elsewhere stays refused (the probe is what opens it)', async () => {
    sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, httpClosedUntilProbe: true });
    const err = await failure(klapClient(sim.port, rec.port).send(SYSINFO));
    assert.strictEqual(err.kind, 'refused', err.message);
    assert.strictEqual(sim.httpOpen, false);
    assert.strictEqual(rec.got.length, 1);
  });

  it('auto (legacy refused, then KLAP) wakes the device too', async () => {
    sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, httpClosedUntilProbe: true });
    const c = klapClient(await closedPort(), sim.discoveryPort, 'auto', { httpPort: sim.port });
    const reply = await c.send(SYSINFO);
    assert.strictEqual(reply.system.get_sysinfo.model, 'KP115(UK)');
    assert.strictEqual(sim.probesHeard.length, 1);
  });

  it('an ordinary closed port: still refused, the probe sent once per transport, a real 20002 probe to 127.0.0.1', async () => {
    const c = klapClient(await closedPort(), rec.port);
    for (let i = 0; i < 3; i++) {
      const err = await failure(c.send(SYSINFO));
      assert.strictEqual(err.kind, 'refused', err.message);
      assert.match(err.message, /connection refused by 127\.0\.0\.1/);
    }
    assert.strictEqual(rec.got.length, 1, 'one probe for the transport, not one per request');
    assert.strictEqual(rec.got[0].from.address, HOST);
    const payload = unframe20002(rec.got[0].msg);
    assert.ok(payload, 'a well-formed 20002 datagram');
    assert.strictEqual(typeof JSON.parse(payload.toString()).params.rsa_key, 'string');
    assert.strictEqual(c.transportInfo.wakeProbes, 1);
  });

  it('a refusal after a handshake has succeeded sends no probe (only the very first handshake)', async () => {
    sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS, discoveryPort: null });
    const c = klapClient(sim.port, rec.port, 'klap', { reuseConnection: false });
    await c.send(SYSINFO);
    await sim.stop();
    sim = null;
    const err = await failure(c.send(SYSINFO));
    assert.strictEqual(err.kind, 'refused', err.message);
    assert.strictEqual(rec.got.length, 0);
  });

  it('the wake port is a TransportOption checked like any port (default 20002)', () => {
    const t = new KlapTransport({ host: HOST, port: 80, connectTimeout: 1000, maxReplyBytes: 1 << 20 });
    assert.strictEqual(t.port20002, 20002);
    t.close();
    for (const bad of [0, 70000, 1.5, 'x']) {
      assert.throws(() => new KlapTransport({ host: HOST, port: 80, connectTimeout: 1000, maxReplyBytes: 1 << 20, port20002: bad }), /invalid port20002/);
    }
  });

  describe('where a wake probe may go', () => {
    it('the device\'s own dotted IPv4 address only: no broadcast, no name, no IPv6', () => {
      assert.deepStrictEqual(wakeTarget('127.0.0.1'), { address: '127.0.0.1', loopback: true });
      assert.deepStrictEqual(wakeTarget('192.168.1.50'), { address: '192.168.1.50', loopback: false });
      for (const h of ['255.255.255.255', '192.168.1.255', 'plug.local', 'localhost', '::1', '']) assert.strictEqual(wakeTarget(h), null, h);
    });

    it('a broadcast host gets no probe: no socket made, nothing sent', async () => {
      let made = 0;
      const stub = () => { made++; return dgram.createSocket('udp4'); };
      const p = sendWakeProbe('255.255.255.255', 20002, 50, stub);
      assert.strictEqual(await p.done, false);
      assert.strictEqual(made, 0);
    });

    it('a unicast probe goes to the host and port given (stubbed socket: nothing leaves)', async () => {
      const sent = [];
      const stub = () => {
        const s = new EventEmitter();
        s.bind = (...args) => { args[args.length - 1](); return s; };
        s.send = (buf, port, address, cb) => { sent.push({ port, address, len: buf.length }); cb(null); };
        s.close = () => {};
        return s;
      };
      const p = sendWakeProbe('192.168.1.50', 20002, 20, stub);
      assert.strictEqual(await p.done, true);
      assert.deepStrictEqual(sent.map(({ port, address }) => ({ port, address })), [{ port: 20002, address: '192.168.1.50' }]);
    });
  });
});
