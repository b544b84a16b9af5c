'use strict';
// The suite's network guard (test/support/network-guard.js, loaded by mocha and
// through NODE_OPTIONS by every Node child): non-loopback connects, sends and
// DNS queries are refused before anything leaves, loopback works. Each refusal
// here is provoked on purpose, so the test takes it off the guard's record
// (otherwise the guard's afterEach would fail this test, as it should).
const assert = require('assert');
const net = require('net');
const http = require('http');
const dgram = require('dgram');
const dns = require('dns');
const { execFile } = require('child_process');
const { isLoopback, takeViolations } = require('./support/network-guard');

/** Runs fn, expects the guard's synchronous refusal naming `where`, and takes it off the record. */
function refused(fn, where) {
  assert.throws(fn, (e) => e.code === 'ENETGUARD' && e.message.includes(where));
  const v = takeViolations();
  assert.strictEqual(v.length, 1, v.join('\n'));
  assert.ok(v[0].includes(where), v[0]);
}

describe('network guard', () => {
  it('tells loopback from everything else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', undefined]) {
      assert.ok(isLoopback(h), String(h));
    }
    for (const h of ['192.0.2.1', '255.255.255.255', '0.0.0.0', '10.0.0.255', '::', '::ffff:192.0.2.1', 'example.com', 'localhost.example.com', '128.0.0.1']) {
      assert.ok(!isLoopback(h), h);
    }
  });

  it('refuses a TCP connect to 192.0.2.1 (TEST-NET-1) before any packet: net.connect, Socket#connect, http', () => {
    const opened = [];
    refused(() => opened.push(net.connect(9999, '192.0.2.1')), '192.0.2.1:9999');
    refused(() => opened.push(new net.Socket().connect({ host: '192.0.2.1', port: 80 })), '192.0.2.1:80');
    refused(() => opened.push(http.get('http://192.0.2.1:8080/')), '192.0.2.1:8080');
    refused(() => opened.push(net.connect({ host: 'example.com', port: 443 })), 'example.com:443');
    assert.deepStrictEqual(opened, []);
  });

  it('refuses a UDP send to 255.255.255.255 (also after setBroadcast) and a UDP connect to 192.0.2.1', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise((r) => sock.bind(0, '127.0.0.1', r));
    try {
      sock.setBroadcast(true);
      const msg = Buffer.from('x');
      refused(() => sock.send(msg, 9999, '255.255.255.255'), '255.255.255.255:9999');
      refused(() => sock.send(msg, 0, 1, 9999, '255.255.255.255', () => {}), '255.255.255.255:9999');
      refused(() => sock.connect(9999, '192.0.2.1'), '192.0.2.1:9999');
    } finally {
      sock.close();
    }
  });

  it('refuses DNS lookups of other names and every resolve*() query', async () => {
    refused(() => dns.lookup('example.com', () => {}), 'example.com');
    refused(() => dns.promises.lookup('example.com'), 'example.com');
    refused(() => dns.resolve4('localhost', () => {}), 'localhost');
    refused(() => new dns.promises.Resolver().resolveTxt('example.com'), 'example.com');
    const addr = await dns.promises.lookup('localhost');
    assert.ok(isLoopback(addr.address), addr.address);
  });

  it('allows 127.0.0.1: a TCP round trip and a UDP datagram arrive', async () => {
    const srv = net.createServer((s) => s.end('pong'));
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const got = await new Promise((resolve, reject) => {
        const c = net.connect(srv.address().port, '127.0.0.1');
        let data = '';
        c.on('data', (d) => { data += d; });
        c.on('end', () => resolve(data));
        c.on('error', reject);
      });
      assert.strictEqual(got, 'pong');
    } finally {
      srv.close();
    }
    const rx = dgram.createSocket('udp4');
    const tx = dgram.createSocket('udp4');
    try {
      await new Promise((r) => rx.bind(0, '127.0.0.1', r));
      const arrived = new Promise((r) => rx.once('message', (m) => r(String(m))));
      tx.send('ping', rx.address().port, '127.0.0.1');
      assert.strictEqual(await arrived, 'ping');
    } finally {
      rx.close();
      tx.close();
    }
    assert.deepStrictEqual(takeViolations(), []);
  });

  it('a Node child inherits the guard: its refused connect reaches this process\'s record', async () => {
    assert.match(process.env.NODE_OPTIONS, /network-guard\.js/);
    const script = "try { require('net').connect(9999, '192.0.2.1') } catch (e) { console.log(e.code) }";
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 10000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    assert.strictEqual(out.trim(), 'ENETGUARD');
    const v = takeViolations();
    assert.strictEqual(v.length, 1, v.join('\n'));
    assert.match(v[0], /TCP connect to 192\.0\.2\.1:9999 refused/);
  });
});
