'use strict';
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims, loadExample } = require('./support/nodes');


describe('tplink-countdown node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('cd', 'tplink-countdown', dev, props)];
  const table = (outlet) => sims.plug.device.rules('count_down', outlet);
  const ok = async (msg) => {
    const r = await exchange('cd', msg);
    assert.ifError(r.error);
    return r.msg;
  };

  it('adds from msg.payload {delay, action}; the plug switches when it runs out', async () => {
    await load(['tplink-countdown'], flow());
    const node = helper.getNode('cd');
    const msg = await ok({ operation: 'add', payload: { delay: 1800, action: 'on' }, topic: 'heater' });
    const [stored] = table();
    assert.deepStrictEqual([stored.delay, stored.act, stored.enable, stored.name], [1800, 1, 1, 'turn on']);
    assert.strictEqual(msg.payload.id, stored.id);
    assert.strictEqual(msg.payload.action, 'on');
    assert.strictEqual(msg.payload.delay, 1800);
    assert.strictEqual(msg.operation, 'add');
    assert.strictEqual(msg.topic, 'heater');
    assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: 'sim dev' });
    assert.ok(node.status.getCalls().some((c) => c.args[0].text === 'sending…'));
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'on after 1800 s' });
    sims.plug.device.advanceTime(1801 * 1000);
    assert.strictEqual(Number(sims.plug.device.relay()), 1);
  });

  it('adds the editor rule when msg.payload is not a rule; the node setting wins over msg.operation', async () => {
    await load(['tplink-countdown'], flow({ operation: 'add', delay: '90', ruleAction: 'off', ruleName: 'fan off' }));
    await ok({ payload: Date.now() });
    assert.deepStrictEqual(table().map((r) => [r.delay, r.act, r.name]), [[90, 0, 'fan off']]);
    await ok({ operation: 'deleteAll', payload: { delay: 5, on: true }, replace: true });
    assert.deepStrictEqual(table().map((r) => [r.delay, r.act]), [[5, 1]], 'the node setting (add) wins over msg.operation');
  });

  it('a second add: -10 "table is full" reaches done(err) with a hint', async () => {
    await load(['tplink-countdown'], flow());
    await ok({ operation: 'add', payload: { delay: 60, on: true } });
    const { error } = await exchange('cd', { operation: 'add', payload: { delay: 30, act: 0 } });
    assert.match(String(error.message), /count_down\.add_rule: -10 "table is full".*replace existing/);
    assert.deepStrictEqual(helper.getNode('cd').status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'device error -10' });
    assert.strictEqual(table()[0].delay, 60);
  });

  it('"replace existing" (setting or msg.replace) deletes all, then adds', async () => {
    await load(['tplink-countdown'], flow({ replace: true }));
    await ok({ operation: 'add', payload: { delay: 60, on: true } });
    await ok({ operation: 'add', payload: { delay: 30, on: false } });
    assert.deepStrictEqual(table().map((r) => [r.delay, r.act]), [[30, 0]]);
    assert.deepStrictEqual(sims.plug.requests.at(-2), { count_down: { delete_all_rules: null } });
    await ok({ operation: 'add', payload: { delay: 20, on: true }, replace: true });
    assert.deepStrictEqual(table().map((r) => r.delay), [20]);
    const { error } = await exchange('cd', { operation: 'add', payload: { delay: 10, on: true }, replace: false });
    assert.match(String(error.message), /-10/);
  });

  it('gets the rule with the seconds left, in friendly + raw form', async () => {
    await load(['tplink-countdown'], flow());
    assert.deepStrictEqual((await ok({ operation: 'get' })).payload, []);
    assert.strictEqual(helper.getNode('cd').status.lastCall.args[0].text, 'no countdown');
    const { payload: added } = await ok({ operation: 'add', payload: { delay: 600, action: 'off', name: 'tv' } });
    sims.plug.device.advanceTime(100 * 1000);
    const msg = await ok({ operation: 'get' });
    assert.strictEqual(msg.payload.length, 1);
    const [rule] = msg.payload;
    assert.deepStrictEqual([rule.id, rule.act, rule.action, rule.name, rule.enabled], [added.id, 0, 'off', 'tv', true]);
    assert.ok(rule.remain <= 500 && rule.remain >= 498, `remain ${rule.remain}`);
    assert.strictEqual(helper.getNode('cd').status.lastCall.args[0].text, `off in ${rule.remain} s`);
  });

  it('edits only the fields given; a listed rule comes back with one field changed', async () => {
    await load(['tplink-countdown'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: { delay: 600, action: 'on', name: 'lamp' } });
    const e = await ok({ operation: 'edit', payload: { id, delay: 120 } });
    assert.deepStrictEqual(table().map((r) => [r.delay, r.act, r.name]), [[120, 1, 'lamp']]);
    assert.strictEqual(e.payload.id, id);
    assert.strictEqual(e.payload.delay, 120);
    const { payload: [listed] } = await ok({ operation: 'get' });
    listed.action = 'off';
    await ok({ operation: 'edit', payload: listed });
    assert.strictEqual(table()[0].act, 0);
    listed.act = 1;
    delete listed.action;
    await ok({ operation: 'edit', payload: listed });
    assert.strictEqual(table()[0].act, 1);
  });

  it('edits with the editor rule and rule id', async () => {
    await load(['tplink-countdown'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: { delay: 600, on: true } });
    await helper.unload();
    await load(['tplink-countdown'], flow({ operation: 'edit', ruleId: id, delay: '45', ruleAction: 'off' }));
    await ok({ payload: true });
    assert.deepStrictEqual(table().map((r) => [r.delay, r.act]), [[45, 0]]);
  });

  it('deletes by id and all', async () => {
    await load(['tplink-countdown'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: { delay: 600, on: true } });
    const d = await ok({ operation: 'delete', payload: { id } });
    assert.deepStrictEqual(d.payload, { id });
    assert.strictEqual(table().length, 0);
    await ok({ operation: 'add', payload: { delay: 600, on: true } });
    const all = await ok({ operation: 'deleteAll' });
    assert.deepStrictEqual(all.payload, []);
    assert.strictEqual(table().length, 0);
  });

  describe('errors', () => {
    it('an unknown id: -14 from the device reaches done(err)', async () => {
      await load(['tplink-countdown'], flow());
      const { error, msg } = await exchange('cd', { operation: 'delete', payload: 'ABCDEF0123456789ABCDEF0123456789' });
      assert.match(String(error.message), /count_down\.delete_rule: -14/);
      assert.ok(msg);
      const e2 = await exchange('cd', { operation: 'edit', payload: { id: 'ABCDEF0123456789ABCDEF0123456789', delay: 5, on: true } });
      assert.match(String(e2.error.message), /count_down\.edit_rule: -14/);
    });

    it('a stopped device: refused', async () => {
      await load(['tplink-countdown'], flow());
      await sims.plug.stop();
      const { error } = await exchange('cd', { operation: 'add', payload: { delay: 5, on: true } });
      assert.match(String(error.message), /connection refused/);
      assert.strictEqual(helper.getNode('cd').status.lastCall.args[0].text, 'refused');
    });

    const bad = [
      ['delay -1', { operation: 'add', payload: { delay: -1, on: true } }, /invalid delay/],
      ['delay NaN', { operation: 'add', payload: { delay: NaN, on: true } }, /invalid delay/],
      ['delay as text', { operation: 'add', payload: { delay: '60', on: true } }, /invalid delay/],
      ['delay over a day', { operation: 'add', payload: { delay: 86401, on: true } }, /invalid delay/],
      ['no action', { operation: 'add', payload: { delay: 60 } }, /invalid on/],
      ['action "maybe"', { operation: 'add', payload: { delay: 60, action: 'maybe' } }, /invalid action/],
      ['on and action disagree', { operation: 'add', payload: { delay: 60, on: true, action: 'off' } }, /invalid action/],
      ['__proto__ key', { operation: 'add', payload: JSON.parse('{"__proto__":{"x":1},"delay":60,"on":true}') }, /invalid rule\.__proto__/],
      ['huge name', { operation: 'add', payload: { delay: 60, on: true, name: 'x'.repeat(100000) } }, /invalid name/],
      ['msg.replace not boolean', { operation: 'add', payload: { delay: 60, on: true }, replace: 'yes' }, /invalid replace/],
      ['bad field in a partial edit', { operation: 'edit', payload: { id: 'ABC', delay: 0 } }, /invalid delay/],
      ['unknown operation', { operation: 'list' }, /invalid operation/],
      ['huge operation', { operation: 'x'.repeat(100000) }, /invalid operation/],
      ['no id', { operation: 'delete', payload: {} }, /invalid payload\.id/],
    ];
    for (const [what, msg, re] of bad) {
      it(`${what}: an error naming the field; nothing sent`, async () => {
        await load(['tplink-countdown'], flow());
        const before = sims.plug.requests.length;
        const { error } = await exchange('cd', msg);
        assert.ok(error, 'expected an error');
        assert.match(String(error.message), re);
        assert.ok(String(error.message).length < 600, 'the message stays short');
        assert.strictEqual(sims.plug.requests.length, before, 'nothing reached the device');
        assert.strictEqual(helper.getNode('cd').status.lastCall.args[0].fill, 'red');
        assert.strictEqual({}.x, undefined);
      });
    }

    it('the editor delay is checked too', async () => {
      await load(['tplink-countdown'], flow({ operation: 'add', delay: 'soon', ruleAction: 'on' }));
      const { error } = await exchange('cd', { payload: 1 });
      assert.match(String(error.message), /invalid delay/);
      assert.strictEqual(sims.plug.requests.length, 0);
    });
  });

  it('HS300: the countdown goes to the outlet from the setting, or msg.outlet', async () => {
    await load(['tplink-countdown'], flow({ outlet: '2' }, 'strip'));
    await ok({ operation: 'add', payload: { delay: 10, on: true } });
    await ok({ operation: 'add', payload: { delay: 20, on: true }, outlet: 5 });
    const dev = sims.strip.device;
    assert.deepStrictEqual(dev.rules('count_down', 2).map((r) => r.delay), [10]);
    assert.deepStrictEqual(dev.rules('count_down', 5).map((r) => r.delay), [20]);
    assert.strictEqual(dev.rules('count_down').length, 0);
    dev.advanceTime(11 * 1000);
    assert.strictEqual(Number(dev.relay(2)), 1);
    assert.strictEqual(Number(dev.relay(5)), 0);
    assert.strictEqual(Number(dev.relay(1)), 0);
  });

  it('the example flow drives the simulated HS110', async () => {
    const fire = await loadExample('countdown', 'tplink-countdown', sims.plug);
    assert.strictEqual((await fire('ex-countdown-add-off')).payload.delay, 1800);
    assert.strictEqual((await fire('ex-countdown-add-on')).payload.delay, 10);
    assert.deepStrictEqual(table().map((r) => r.delay), [10]);
    assert.strictEqual((await fire('ex-countdown-get')).payload[0].action, 'on');
    assert.deepStrictEqual((await fire('ex-countdown-deleteall')).payload, []);
    assert.strictEqual(table().length, 0);
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-countdown'], flow());
      await ok({ operation: 'get' });
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
  });
});
