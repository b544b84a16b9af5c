'use strict';
// The transport seam (src/core/transport/): the factory, and the defects found
// in the XOR transports when the seam was cut (issue 11, defects 8 and 10).
const assert = require('assert');
const net = require('net');
const dgram = require('dgram');
const { DeviceClient, createClient } = require('../nodes/core/client');
const { createTransport, transportNames } = require('../nodes/core/transport/factory');
const { encrypt, decrypt, encryptWithHeader } = require('../nodes/core/cipher');

const SYSINFO = { system: { get_sysinfo: {} } };
const tick = (ms) => new Promise((r) => setTimeout(r, ms));

describe('transport seam', () => {
  it('the factory builds each named transport and refuses an unknown name, naming the field', () => {
    for (const name of ['tcp', 'udp']) {
      assert.ok(transportNames().includes(name));
      const t = createTransport(name, { host: '127.0.0.1', port: 9, connectTimeout: 100, maxReplyBytes: 1024 });
      assert.strictEqual(t.name, name);
      t.close();
    }
    assert.throws(() => createTransport('carrier-pigeon', { host: '127.0.0.1', port: 9, connectTimeout: 1, maxReplyBytes: 1 }),
      (err) => err.kind === 'invalid-input' && /transport/.test(err.message) && /tcp, udp/.test(err.message));
    assert.throws(() => createTransport('__proto__', { host: '127.0.0.1', port: 9, connectTimeout: 1, maxReplyBytes: 1 }),
      (err) => err.kind === 'invalid-input');
  });

  it('the client works the same over tcp and udp (JSON decoding in one place)', async () => {
    const tcp = net.createServer((s) => s.on('data', () => s.write(encryptWithHeader('{"system":{"get_sysinfo":{"err_code":0,"alias":"t"}}}'))));
    await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
    const udp = dgram.createSocket('udp4');
    udp.on('message', (m, r) => udp.send(encrypt('{"system":{"get_sysinfo":{"err_code":0,"alias":"u"}}}'), r.port, r.address));
    await new Promise((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const a = createClient({ host: '127.0.0.1', port: tcp.address().port, transport: 'tcp' });
      const b = createClient({ host: '127.0.0.1', port: udp.address().port, transport: 'udp' });
      assert.strictEqual((await a.send(SYSINFO)).system.get_sysinfo.alias, 't');
      assert.strictEqual((await b.send(SYSINFO)).system.get_sysinfo.alias, 'u');
      await a.close(); await b.close();
    } finally {
      tcp.close(); udp.close();
    }
  });

  // Defect 8: close() while the connection was being opened did not stop the request.
  it('close() while connecting: the request fails with "closed", nothing is sent, no socket stays open', async () => {
    let bytes = 0;
    const sockets = new Set();
    const srv = net.createServer((s) => { sockets.add(s); s.on('data', (c) => { bytes += c.length; }); s.on('close', () => sockets.delete(s)); });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const client = new DeviceClient({ host: '127.0.0.1', port: srv.address().port, timeout: 1000 });
      const pending = client.send(SYSINFO);
      // send() has started the connect synchronously; it has not completed yet
      await client.close();
      await assert.rejects(pending, (err) => err.kind === 'closed');
      await tick(100);
      assert.strictEqual(bytes, 0, 'no request bytes reached the device after close()');
      assert.strictEqual(sockets.size, 0, 'no connection left open');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    }
  });

  // Defect 10: a UDP reply was accepted from any address whose port matched.
  it('udp: a reply from another address with the right port is ignored', async () => {
    const device = dgram.createSocket('udp4');
    await new Promise((r) => device.bind(0, '127.0.0.1', r));
    const port = device.address().port;
    const forger = dgram.createSocket('udp4'); // same port, another loopback address
    await new Promise((r) => forger.bind(port, '127.0.0.2', r));
    let seen = 0;
    device.on('message', (m, rinfo) => {
      seen++;
      assert.deepStrictEqual(JSON.parse(decrypt(m)), SYSINFO);
      forger.send(encrypt('{"system":{"get_sysinfo":{"err_code":0,"alias":"forged"}}}'), rinfo.port, rinfo.address);
      // the real answer comes a little later, from the device's own address
      setTimeout(() => device.send(encrypt('{"system":{"get_sysinfo":{"err_code":0,"alias":"real"}}}'), rinfo.port, rinfo.address), 50);
    });
    try {
      const client = new DeviceClient({ host: '127.0.0.1', port, transport: 'udp', timeout: 2000 });
      const reply = await client.send(SYSINFO);
      assert.strictEqual(reply.system.get_sysinfo.alias, 'real');
      assert.strictEqual(seen, 1);
      await client.close();
    } finally {
      device.close(); forger.close();
    }
  });

  it('udp: close() ends a request in flight with "closed"', async () => {
    const device = dgram.createSocket('udp4'); // never answers
    await new Promise((r) => device.bind(0, '127.0.0.1', r));
    try {
      const client = new DeviceClient({ host: '127.0.0.1', port: device.address().port, transport: 'udp', timeout: 5000 });
      const pending = client.send(SYSINFO);
      await tick(20);
      await client.close();
      await assert.rejects(pending, (err) => err.kind === 'closed');
    } finally {
      device.close();
    }
  });

  // Defect 9 needs the device held for both steps of a read-modify-write.
  it('exclusive(): nothing else runs between the steps of a held exchange', async () => {
    const order = [];
    let on = false;
    const srv = net.createServer((s) => s.on('data', (chunk) => {
      const req = JSON.parse(decrypt(chunk.subarray(4)));
      order.push(Object.keys(req.system)[0]);
      if (req.system.set_relay_state) on = req.system.set_relay_state.state === 1;
      const reply = req.system.get_sysinfo ? { system: { get_sysinfo: { err_code: 0, relay_state: on ? 1 : 0 } } } : { system: { set_relay_state: { err_code: 0 } } };
      setTimeout(() => s.write(encryptWithHeader(JSON.stringify(reply))), 5);
    }));
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const client = new DeviceClient({ host: '127.0.0.1', port: srv.address().port });
    const toggle = () => client.exclusive(async (d) => {
      const sys = (await d.send(SYSINFO)).system.get_sysinfo;
      await d.send({ system: { set_relay_state: { state: sys.relay_state ? 0 : 1 } } });
      return !sys.relay_state;
    });
    try {
      const results = await Promise.all([toggle(), toggle()]);
      assert.deepStrictEqual(results, [true, false]);
      assert.strictEqual(on, false, 'two toggles leave the relay where it was');
      assert.deepStrictEqual(order, ['get_sysinfo', 'set_relay_state', 'get_sysinfo', 'set_relay_state']);
    } finally {
      await client.close();
      srv.close();
    }
  });
});

describe('client timeouts', () => {
  it('a timeout past what a Node timer holds is refused before anything is sent, naming the field', async () => {
    assert.throws(() => new DeviceClient({ host: '127.0.0.1', port: 9, timeout: 2 ** 31 }), (err) => err.kind === 'invalid-input' && /timeout/.test(err.message));
    assert.throws(() => new DeviceClient({ host: '127.0.0.1', port: 9, timeout: 100, connectTimeout: 1e12 }), (err) => err.kind === 'invalid-input' && /connectTimeout/.test(err.message));
    let connections = 0;
    const srv = net.createServer((s) => { connections++; s.destroy(); });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const client = new DeviceClient({ host: '127.0.0.1', port: srv.address().port, timeout: 500 });
    try {
      await assert.rejects(client.send(SYSINFO, { timeout: 2 ** 31 }), (err) => err.kind === 'invalid-input' && /timeout/.test(err.message));
      await assert.rejects(client.send(SYSINFO, { timeout: NaN }), (err) => err.kind === 'invalid-input');
      assert.strictEqual(connections, 0, 'nothing was sent');
    } finally {
      await client.close();
      srv.close();
    }
  });
});
