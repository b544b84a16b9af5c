'use strict';
// The 'auto' transport: tries the candidates in order while nothing was
// delivered, keeps the first that answers, never resends a delivered request.
const assert = require('assert');
const net = require('net');
const { AutoTransport, neverDelivered } = require('../nodes/core/transport/auto');
const { createTransport } = require('../nodes/core/transport/factory');
const { decrypt, encryptWithHeader } = require('../nodes/core/cipher');

const OPTS = { host: '127.0.0.1', port: 0, connectTimeout: 1000, maxReplyBytes: 65536 };

async function listen(onData) {
  const srv = net.createServer((s) => { srv.requests++; s.on('data', (c) => onData(s, c)); s.on('error', () => {}); });
  srv.requests = 0;
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}
async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

describe('auto transport', () => {
  it('falls through a refused candidate to the next, then keeps the one that answered', async () => {
    const dead = await closedPort();
    const srv = await listen((s, c) => s.write(encryptWithHeader(decrypt(c.subarray(4)))));
    try {
      const made = [];
      const make = (name, o) => { made.push(o.port); return createTransport(name, o); };
      const t = new AutoTransport(OPTS, [['tcp', dead], ['tcp', srv.address().port]], make);
      assert.strictEqual(t.found, null);
      assert.strictEqual(await t.send('{"a":1}', 1000), '{"a":1}');
      assert.strictEqual(await t.send('{"a":2}', 1000), '{"a":2}');
      assert.deepStrictEqual(made, [dead, srv.address().port], 'the refused candidate is not tried again');
      assert.strictEqual(t.found.port, srv.address().port);
      t.close();
    } finally {
      srv.close();
    }
  });

  it('a delivered request that times out is never sent to the next candidate', async () => {
    const silent = await listen(() => {}); // accepts, never answers
    const other = await listen((s) => s.write(encryptWithHeader('{}')));
    try {
      const t = new AutoTransport(OPTS, [['tcp', silent.address().port], ['tcp', other.address().port]], createTransport);
      await assert.rejects(t.send('{"system":{"set_relay_state":{"state":1}}}', 150), (err) => err.kind === 'timeout' && err.what === 'reply');
      assert.strictEqual(other.requests, 0, 'nothing was sent to the second candidate');
      t.close();
    } finally {
      silent.close(); other.close();
    }
  });

  it('when every candidate refuses, the error names what was tried', async () => {
    const a = await closedPort();
    const b = await closedPort();
    const t = new AutoTransport(OPTS, [['tcp', a], ['tcp', b]], createTransport);
    await assert.rejects(t.send('{}', 500), (err) => err.kind === 'refused' && err.message.includes(`legacy XOR on port ${a}`) && err.message.includes(`port ${b}`));
    t.close();
  });

  it('neverDelivered: only refusals and connection timeouts', () => {
    const { TimeoutError, ConnectionRefusedError, ProtocolError } = require('../nodes/core/errors');
    assert.strictEqual(neverDelivered(new ConnectionRefusedError('h', 1)), true);
    assert.strictEqual(neverDelivered(new TimeoutError('h', 1, 5, 'connection')), true);
    assert.strictEqual(neverDelivered(new TimeoutError('h', 1, 5)), false);
    assert.strictEqual(neverDelivered(new ProtocolError('x')), false);
    assert.strictEqual(neverDelivered(new Error('x')), false);
  });
});
