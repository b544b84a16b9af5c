'use strict';
// The default discovery destination, 255.255.255.255:9999, checked at the
// socket: dgram's send is stubbed, so the probe never leaves the process.
const assert = require('assert');
const { discover } = require('../nodes/core/discovery');
const { stubUdpSend } = require('./support/udp-stub');
const { helper, load } = require('./support/nodes');

/** The protocol's autokey XOR (initial key 171), undone: enough to read the probe. */
function unxor(bytes) {
  let key = 171;
  return Buffer.from(bytes.map((c) => { const p = c ^ key; key = c; return p; })).toString();
}

describe('discovery defaults (socket stubbed, nothing sent)', () => {
  let stub;
  beforeEach(() => { stub = stubUdpSend(); });
  afterEach(async () => { stub.restore(); await helper.unload(); });

  it('discover() with no broadcast sends one sysinfo probe to 255.255.255.255:9999', async () => {
    const res = await discover({ timeout: 100 });
    assert.deepStrictEqual(res.devices, []);
    assert.deepStrictEqual(stub.sent.map((s) => [s.address, s.port]), [['255.255.255.255', 9999]]);
    assert.deepStrictEqual(JSON.parse(unxor(stub.sent[0].bytes)), { system: { get_sysinfo: {} } });
  });

  it('a tplink-discover node with blank broadcast and port probes 255.255.255.255:9999', async () => {
    await load(['tplink-discover'], [
      { id: 'disc', type: 'tplink-discover', broadcast: '', port: '', timeout: 100, interval: 0, output: 'list', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Promise((r) => helper.getNode('out').once('input', r));
    helper.getNode('disc').receive({});
    const msg = await out;
    assert.deepStrictEqual(msg.payload, []);
    assert.deepStrictEqual(stub.sent.map((s) => [s.address, s.port]), [['255.255.255.255', 9999]]);
  });
});
