'use strict';
// The default discovery destination, 255.255.255.255 (9999 and 20002), checked
// at the socket: dgram's send is stubbed, so the probes never leave the process.
// The default belongs to the edges that document it (node config, Search, CLI):
// the core refuses a missing broadcast instead of broadcasting.
const assert = require('assert');
const { discover } = require('../nodes/core/discovery');
const { ValidationError } = require('../nodes/core/errors');
const { stubUdpSend } = require('./support/udp-stub');
const { helper, load } = require('./support/nodes');

/** The protocol's autokey XOR (initial key 171), undone: enough to read the probe. */
function unxor(bytes) {
  let key = 171;
  return Buffer.from(bytes.map((c) => { const p = c ^ key; key = c; return p; })).toString();
}

const sorted = (sent) => sent.map((s) => [s.address, s.port]).sort((a, b) => a[1] - b[1]);

describe('discovery defaults (socket stubbed, nothing sent)', () => {
  let stub;
  beforeEach(() => { stub = stubUdpSend(); });
  afterEach(async () => { stub.restore(); await helper.unload(); });

  it('discover() with no broadcast is refused, naming broadcast; nothing sent', async () => {
    await assert.rejects(discover({ timeout: 100 }), (e) => e instanceof ValidationError && e.field === 'broadcast');
    assert.deepStrictEqual(stub.sent, []);
  });

  it('discover() to 255.255.255.255 sends the sysinfo probe to 9999 and the 20002 probe', async () => {
    const res = await discover({ broadcast: '255.255.255.255', timeout: 100 });
    assert.deepStrictEqual(res.devices, []);
    assert.deepStrictEqual(sorted(stub.sent), [['255.255.255.255', 9999], ['255.255.255.255', 20002]]);
    const legacy = stub.sent.find((s) => s.port === 9999);
    assert.deepStrictEqual(JSON.parse(unxor(legacy.bytes)), { system: { get_sysinfo: {} } });
    assert.strictEqual(stub.sent.find((s) => s.port === 20002).bytes[0], 2, 'the 20002 header (version 2)');
  });

  it('a tplink-discover node with blank broadcast and port probes 255.255.255.255 on 9999 and 20002', async () => {
    await load(['tplink-discover'], [
      { id: 'disc', type: 'tplink-discover', broadcast: '', port: '', timeout: 100, interval: 0, output: 'list', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Promise((r) => helper.getNode('out').once('input', r));
    helper.getNode('disc').receive({});
    const msg = await out;
    assert.deepStrictEqual(msg.payload, []);
    assert.deepStrictEqual(sorted(stub.sent), [['255.255.255.255', 9999], ['255.255.255.255', 20002]]);
  });
});
