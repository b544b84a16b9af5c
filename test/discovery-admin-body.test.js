'use strict';
// POST /tplink-smartplug/discover with a body that is not an object, that Node-RED
// could not read, or with a misspelt parameter: 400 and nothing sent (issue 11,
// defect 11; it used to fall back to the defaults and broadcast to the LAN).
// The UDP socket is stubbed for the whole file, so even a wrongly accepted request
// (the default is 255.255.255.255) sends nothing: the stub records it instead.
const assert = require('assert');
const dgram = require('dgram');
const { EventEmitter } = require('events');
const sinon = require('sinon');
const { helper, load } = require('./support/nodes');

/** A udp4 socket that records what would have been sent and never touches the network. */
function fakeSocket(sent) {
  const s = new EventEmitter();
  s.bind = (_port, address, cb) => { const done = typeof address === 'function' ? address : cb; setImmediate(() => done && done()); return s; };
  s.setBroadcast = () => {};
  s.send = (buf, port, address, cb) => { sent.push({ address, port, bytes: buf.length }); if (cb) setImmediate(() => cb(null)); };
  s.close = () => { setImmediate(() => s.emit('close')); };
  s.address = () => ({ address: '0.0.0.0', port: 1, family: 'IPv4' });
  s.unref = () => s;
  return s;
}

describe('POST /tplink-smartplug/discover: a body or parameter it cannot use is refused, nothing sent', function () {
  let sent;
  let sockets;
  beforeEach(async () => {
    sent = [];
    sockets = sinon.stub(dgram, 'createSocket').callsFake(() => fakeSocket(sent));
    await load([], []); // registers the package's admin routes
  });
  afterEach(async () => {
    sockets.restore();
    await helper.unload();
  });

  const post = () => helper.request().post('/tplink-smartplug/discover');

  it('control: no body at all still searches with the defaults (seen by the stub, not sent)', async () => {
    const res = await post().query({ timeout: 100 }).expect(200);
    assert.deepStrictEqual(res.body, { devices: [], rejected: [] });
    // both probes, the legacy one and the 20002 one
    assert.deepStrictEqual(sent.map((x) => `${x.address}:${x.port}`).sort(), ['255.255.255.255:20002', '255.255.255.255:9999']);
  });

  const refused = [
    ['a JSON array', (r) => r.send([1, 2, 3]), /invalid body: expected a JSON object with only broadcast, port, port20002, timeout.*got an array of 3/],
    ['a JSON array, with parameters in the query', (r) => r.query({ broadcast: '127.0.0.1', timeout: 100 }).send([1, 2, 3]), /invalid body/],
    ['an array of parameter objects', (r) => r.send([{ broadcast: '127.0.0.1' }]), /invalid body/],
    ['a text/plain body', (r) => r.set('content-type', 'text/plain').send('{"broadcast":"127.0.0.1"}'), /invalid body: .*sent as application\/json or form fields \(a text\/plain body is not read\)/],
    ['a misspelt body parameter', (r) => r.send({ broadcst: '127.0.0.1' }), /invalid body\.broadcst: expected only the parameters broadcast, port, port20002, timeout/],
    ['a misspelt query parameter', (r) => r.query({ braodcast: '127.0.0.1' }), /invalid query\.braodcast/],
  ];
  for (const [what, build, message] of refused) {
    it(`${what}: 400 naming it`, async () => {
      const res = await build(post()).expect(400);
      assert.match(res.body.error, message);
      assert.match(res.body.field, /^(body|query)/);
      assert.strictEqual(sockets.callCount, 0, 'no socket opened');
      assert.deepStrictEqual(sent, []);
    });
  }

  // Node-RED's JSON parser is strict: these never reach the route; still nothing is sent.
  for (const text of ['null', '"255.255.255.255"']) {
    it(`JSON ${text}: 400, nothing sent`, async () => {
      await post().set('content-type', 'application/json').send(text).expect(400);
      assert.strictEqual(sockets.callCount, 0);
      assert.deepStrictEqual(sent, []);
    });
  }

  it('form fields are read like a JSON object', async () => {
    const res = await post().type('form').send('broadcast=127.0.0.1&port=9999&port20002=20012&timeout=100').expect(200);
    assert.deepStrictEqual(res.body, { devices: [], rejected: [] });
    assert.deepStrictEqual(sent.map((x) => `${x.address}:${x.port}`).sort(), ['127.0.0.1:20012', '127.0.0.1:9999']);
  });
});
