'use strict';
// The editor's probe routes on Tapo devices: a deployed SMART config node says its
// dialect, outlets and features; a device not deployed yet is asked as SMART when
// the dialog says protocol smart (firmware default accounts only). Loopback only.
const assert = require('assert');
const { helper, load, deviceNode, wired } = require('./support/nodes');
const { SmartPlugSimulator } = require('../nodes/simulator/smart-plug');

const USER = 'admin-route@example.com';
const PASS = 'Route-1';

describe('admin probe routes on SMART devices', function () {
  let strip;
  let blank;
  before(async () => {
    strip = await SmartPlugSimulator.start({ model: 'p300', username: USER, password: PASS, discoveryPort: null, nickname: 'Desk strip' });
    blank = await SmartPlugSimulator.start({ model: 'p110', discoveryPort: null, nickname: 'New plug' }); // un-provisioned
  });
  afterEach(() => helper.unload());
  after(async () => { await strip.stop(); await blank.stop(); });

  it('GET device/<id>/outlets: dialect smart, the outlets and what the device has; the account never shown', async () => {
    await load(['tplink-relay'], [deviceNode('strip', strip, { protocol: 'smart' }), ...wired('r', 'tplink-relay', 'strip')], { strip: { username: USER, password: PASS } });
    const res = await helper.request().get('/tplink-smartplug/device/strip/outlets').expect(200);
    assert.strictEqual(res.body.dialect, 'smart');
    assert.strictEqual(res.body.model, 'P300');
    assert.strictEqual(res.body.alias, 'Desk strip');
    assert.deepStrictEqual(res.body.outlets.map((o) => [o.index, o.alias]), [[0, 'Outlet 1'], [1, 'Outlet 2'], [2, 'Outlet 3']]);
    assert.strictEqual(res.body.energy, false);
    assert.ok(res.body.features.includes('countdown'));
    assert.ok(!JSON.stringify(res.body).includes(USER) && !JSON.stringify(res.body).includes(PASS));
  });

  it('GET outlets?host=&port=&protocol=smart: a device not deployed yet, asked as SMART', async () => {
    await load(['tplink-relay'], [deviceNode('strip', strip, { protocol: 'smart' })]);
    const res = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1', port: blank.port, protocol: 'smart' }).expect(200);
    assert.strictEqual(res.body.dialect, 'smart');
    assert.strictEqual(res.body.model, 'P110');
    assert.strictEqual(res.body.energy, true);
    // A bound device refuses the default accounts: the route says so (502, kind auth), no hang.
    const bound = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1', port: strip.port, protocol: 'smart' }).expect(502);
    assert.strictEqual(bound.body.kind, 'auth');
    const bad = await helper.request().get('/tplink-smartplug/outlets').query({ host: '127.0.0.1', port: blank.port, 'protocol[x]': 'smart' });
    assert.strictEqual(bad.status, 400);
  });
});
