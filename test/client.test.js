'use strict';
// DeviceClient against small hand-written servers on 127.0.0.1, each one
// misbehaving in a precise way. (Client + full simulator: client-sim.test.js.)
const assert = require('assert');
const net = require('net');
const dgram = require('dgram');
const { DeviceClient } = require('../nodes/core/client');
const { encryptWithHeader, encrypt, decrypt } = require('../nodes/core/cipher');
const { FrameDecoder } = require('../nodes/core/framing');
const { command } = require('../nodes/core/commands/command');

const SYSINFO = { system: { get_sysinfo: {} } };

/** A TCP server whose per-request behaviour is `onRequest(obj, socket, n)`. */
async function server(onRequest) {
  const state = { connections: 0, active: 0, peak: 0, requests: [], sockets: new Set() };
  const srv = net.createServer((socket) => {
    state.connections++; state.active++; state.peak = Math.max(state.peak, state.active);
    state.sockets.add(socket);
    socket.on('close', () => { state.active--; state.sockets.delete(socket); });
    socket.on('error', () => {});
    const dec = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const f of dec.push(chunk)) {
        const req = JSON.parse(decrypt(f));
        state.requests.push(req);
        onRequest(req, socket, state.requests.length);
      }
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  state.port = srv.address().port;
  state.close = () => new Promise((r) => { for (const s of state.sockets) s.destroy(); srv.close(r); });
  return state;
}
const reply = (socket, obj) => socket.write(encryptWithHeader(JSON.stringify(obj)));
const echo = (req, socket) => reply(socket, { system: { get_sysinfo: { alias: 'x', err_code: 0, n: Object.keys(req).length } } });

describe('DeviceClient', () => {
  let srv, client;
  afterEach(async () => { if (client) await client.close(); if (srv) await srv.close(); client = srv = null; });

  it('sends, decrypts and parses a reply; reuses one connection', async () => {
    srv = await server(echo);
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    for (let i = 0; i < 5; i++) {
      const r = await client.send(SYSINFO);
      assert.strictEqual(r.system.get_sysinfo.alias, 'x');
    }
    assert.strictEqual(srv.connections, 1);
    assert.strictEqual(client.stats.connects, 1);
  });

  it('opens a fresh connection per request when reuse is off', async () => {
    srv = await server(echo);
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, reuseConnection: false });
    for (let i = 0; i < 3; i++) await client.send(SYSINFO);
    assert.strictEqual(srv.connections, 3);
  });

  it('serialises concurrent requests: one in flight, FIFO order, one connection', async () => {
    srv = await server((req, socket) => setTimeout(() => reply(socket, { system: { get_sysinfo: { seq: req.seq, err_code: 0 } } }), 2));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    const order = [];
    const all = [];
    for (let i = 0; i < 50; i++) all.push(client.send({ seq: i, system: { get_sysinfo: {} } }).then((r) => order.push(r.system.get_sysinfo.seq)));
    await Promise.all(all);
    assert.deepStrictEqual(order, [...Array(50).keys()]);
    assert.strictEqual(srv.peak, 1);
    assert.deepStrictEqual(srv.requests.map((r) => r.seq), [...Array(50).keys()]);
  });

  it('re-opens when the device closes after each reply', async () => {
    // Like such firmware: the reply, then a full close (later bytes get a reset, never served).
    srv = await server((req, socket) => socket.end(encryptWithHeader('{"system":{"get_sysinfo":{"err_code":0}}}'), () => socket.destroy()));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    for (let i = 0; i < 4; i++) await client.send(SYSINFO);
    assert.strictEqual(srv.requests.length, 4, 'each request reached the device exactly once');
    assert.strictEqual(srv.connections, 4);
    assert.ok(srv.peak <= 1);
  });

  it('back-to-back requests to close-after-reply firmware: the habit is learned, retries stay at one', async () => {
    srv = await server((req, socket) => socket.end(encryptWithHeader('{"system":{"get_sysinfo":{"err_code":0}}}'), () => socket.destroy()));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await Promise.all(Array.from({ length: 20 }, () => client.send(SYSINFO)));
    assert.strictEqual(srv.requests.length, 20, 'each request reached the device once');
    assert.ok(client.stats.retries <= 1, `retries: ${client.stats.retries}`);
  });

  it('a device that stopped closing after each reply gets a kept-open socket again later', async () => {
    let closeAfter = true;
    srv = await server((req, socket) => {
      const m = encryptWithHeader('{"system":{"get_sysinfo":{"err_code":0}}}');
      if (closeAfter) socket.end(m, () => socket.destroy());
      else socket.write(m);
    });
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    for (let i = 0; i < 20; i++) await client.send(SYSINFO);
    assert.ok(client.stats.retries <= 1, `learned the close-after-reply habit (retries: ${client.stats.retries})`);
    closeAfter = false; // e.g. a firmware update
    for (let i = 0; i < 110; i++) await client.send(SYSINFO);
    const before = srv.connections;
    for (let i = 0; i < 20; i++) await client.send(SYSINFO);
    assert.strictEqual(srv.connections, before, 'the last 20 requests shared one kept-open connection');
    assert.ok(srv.connections < 115, `connections: ${srv.connections}`);
  });

  it('retries once on a fresh connection when a reused socket turns out stale', async () => {
    srv = await server(echo);
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await client.send(SYSINFO);
    // Device drops the idle socket without our client noticing yet: destroy server side and send at once.
    for (const s of srv.sockets) s.resetAndDestroy();
    const r = await client.send(SYSINFO);
    assert.strictEqual(r.system.get_sysinfo.alias, 'x');
    assert.strictEqual(srv.connections, 2);
  });

  it('rejects with kind "refused" when nothing listens', async () => {
    srv = await server(echo);
    const port = srv.port;
    await srv.close(); srv = null;
    client = new DeviceClient({ host: '127.0.0.1', port, timeout: 1000 });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'refused' && /connection refused by 127\.0\.0\.1/.test(e.message));
  });

  it('times out a device that never replies, and the late reply is not delivered to the next request', async () => {
    srv = await server((req, socket, n) => {
      if (n === 1) setTimeout(() => reply(socket, { system: { get_sysinfo: { late: true, err_code: 0 } } }), 150);
      else reply(socket, { system: { get_sysinfo: { late: false, err_code: 0 } } });
    });
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, timeout: 60 });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'timeout' && /within 60 ms/.test(e.message));
    await new Promise((r) => setTimeout(r, 200));
    const r = await client.send(SYSINFO, { timeout: 1000 });
    assert.strictEqual(r.system.get_sysinfo.late, false);
  });

  it('a reply header over the cap drops the connection with a protocol error', async () => {
    srv = await server((req, socket) => { const h = Buffer.alloc(8); h.writeUInt32BE(0x80000000, 0); socket.write(h); });
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, maxReplyBytes: 4096 });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'protocol' && /over the 4096-byte cap/.test(e.message));
  });

  it('a header that claims more than is sent, then close: protocol error naming the bytes', async () => {
    srv = await server((req, socket) => { const h = Buffer.alloc(4); h.writeUInt32BE(100, 0); socket.end(Buffer.concat([h, Buffer.from('abc')])); });
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'protocol' && /middle of a reply \(3 bytes received\)/.test(e.message));
  });

  it('a reset in the middle of the body is a protocol error', async () => {
    srv = await server((req, socket) => { const m = encryptWithHeader('{"system":{}}'); socket.write(m.subarray(0, 7)); setTimeout(() => socket.resetAndDestroy(), 20); });
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'protocol' && /reset|closed/.test(e.message));
  });

  it('non-JSON and non-object replies are protocol errors', async () => {
    srv = await server((req, socket, n) => socket.write(encryptWithHeader(n === 1 ? 'not json at all' : '[1,2]')));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'protocol' && /not JSON/.test(e.message));
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'protocol' && /not an object/.test(e.message));
  });

  it('run() checks err_code and throws a DeviceError with module, method, code and message', async () => {
    srv = await server((req, socket) => reply(socket, { emeter: { err_code: -1, err_msg: 'module not support' } }));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port });
    await assert.rejects(client.run(command('emeter', 'get_realtime')), (e) =>
      e.kind === 'device' && e.module === 'emeter' && e.method === 'get_realtime' && e.errCode === -1 && e.errMsg === 'module not support');
  });

  it('a full queue rejects instead of growing', async () => {
    srv = await server((req, socket) => setTimeout(() => reply(socket, { system: { get_sysinfo: { err_code: 0 } } }), 20));
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, maxQueue: 3 });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(() => client.send(SYSINFO)));
    const kinds = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.kind));
    assert.deepStrictEqual(kinds, ['ok', 'ok', 'ok', 'ok', 'queue-full', 'queue-full']);
  });

  it('close() rejects the request in flight and everything queued, and later sends', async () => {
    srv = await server(() => {});
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, timeout: 5000 });
    const p = [client.send(SYSINFO), client.send(SYSINFO), client.send(SYSINFO)];
    await new Promise((r) => setTimeout(r, 30));
    await client.close();
    const res = await Promise.allSettled(p);
    assert.deepStrictEqual(res.map((r) => r.reason && r.reason.kind), ['closed', 'closed', 'closed']);
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'closed');
    await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(srv.active, 0);
  });

  it('a device that accepts and never replies is a timeout', async () => {
    srv = await server(() => {});
    client = new DeviceClient({ host: '127.0.0.1', port: srv.port, timeout: 50 });
    await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'timeout');
  });

  it('speaks UDP: one datagram each way without header', async () => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (m, r) => {
      const req = JSON.parse(decrypt(m));
      sock.send(encrypt(JSON.stringify({ system: { get_sysinfo: { udp: true, keys: Object.keys(req), err_code: 0 } } })), r.port, r.address);
    });
    await new Promise((r) => sock.bind(0, '127.0.0.1', r));
    try {
      client = new DeviceClient({ host: '127.0.0.1', port: sock.address().port, transport: 'udp' });
      const r = await client.send(SYSINFO);
      assert.deepStrictEqual(r.system.get_sysinfo.keys, ['system']);
    } finally { sock.close(); }
  });

  it('UDP with no answer times out', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise((r) => sock.bind(0, '127.0.0.1', r));
    try {
      client = new DeviceClient({ host: '127.0.0.1', port: sock.address().port, transport: 'udp', timeout: 50 });
      await assert.rejects(client.send(SYSINFO), (e) => e.kind === 'timeout' && /UDP reply/.test(e.message));
    } finally { sock.close(); }
  });
});
