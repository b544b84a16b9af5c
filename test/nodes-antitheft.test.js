'use strict';
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims, loadExample } = require('./support/nodes');


const EVENINGS = { days: ['wed', 'fri'], time: '16:27', end: '17:27', frequency: 4, duration: 3, name: 'away' };

describe('tplink-antitheft node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('at', 'tplink-antitheft', dev, props)];
  const table = (outlet) => sims.plug.device.rules('anti_theft', outlet);
  const ok = async (msg) => {
    const r = await exchange('at', msg);
    assert.ifError(r.error);
    return r.msg;
  };

  it('adds a window from msg.payload and answers with its id and both forms', async () => {
    await load(['tplink-antitheft'], flow());
    const node = helper.getNode('at');
    const msg = await ok({ operation: 'add', payload: EVENINGS, topic: 'holiday' });
    const [stored] = table();
    assert.deepStrictEqual(stored.wday, [0, 0, 0, 1, 0, 1, 0]);
    assert.deepStrictEqual([stored.stime_opt, stored.smin, stored.etime_opt, stored.emin], [0, 987, 0, 1047]);
    assert.deepStrictEqual([stored.frequency, stored.duration, stored.lastfor, stored.name], [4, 3, 1, 'away']);
    assert.strictEqual(msg.payload.id, stored.id);
    assert.deepStrictEqual([msg.payload.time, msg.payload.end], ['16:27', '17:27']);
    assert.deepStrictEqual(msg.payload.days, ['wed', 'fri']);
    assert.strictEqual(msg.operation, 'add');
    assert.strictEqual(msg.topic, 'holiday');
    assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: 'sim dev' });
    assert.strictEqual(sims.plug.requests.at(-1).anti_theft.set_overall_enable, 1);
    assert.ok(node.status.getCalls().some((c) => c.args[0].text === 'sending…'));
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'added' });
  });

  it('adds the editor rule (sunset to a clock time, weekly or once)', async () => {
    await load(['tplink-antitheft'], flow({ operation: 'add', days: 'mon,tue', startType: 'sunset', start: '', endType: 'time', end: '23:30', frequency: '6', duration: '', repeat: 'weekly', ruleName: 'dusk', enabled: true }));
    const msg = await ok({ payload: Date.now() });
    const [stored] = table();
    assert.deepStrictEqual([stored.stime_opt, stored.etime_opt, stored.emin, stored.frequency, stored.duration], [2, 0, 1410, 6, 2]);
    assert.deepStrictEqual(stored.wday, [0, 1, 1, 0, 0, 0, 0]);
    assert.strictEqual(msg.payload.time, 'sunset');
    await helper.unload();
    await load(['tplink-antitheft'], flow({ operation: 'add', startType: 'time', start: '20:00', endType: 'time', end: '22:00', repeat: 'once', date: '2031-12-24', enabled: false }));
    const once = await ok({ payload: '' });
    assert.strictEqual(once.payload.once, '2031-12-24');
    assert.deepStrictEqual([table()[1].repeat, table()[1].year, table()[1].enable], [0, 2031, 0]);
  });

  it('lists rules in friendly + raw form and the overall switch', async () => {
    await load(['tplink-antitheft'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: EVENINGS });
    const msg = await ok({ operation: 'list' });
    assert.strictEqual(msg.payload.length, 1);
    assert.strictEqual(msg.payload[0].id, id);
    assert.strictEqual(msg.payload[0].end, '17:27');
    assert.strictEqual(msg.payload[0].emin, 1047);
    assert.strictEqual(msg.enabled, true);
    assert.strictEqual(helper.getNode('at').status.lastCall.args[0].text, '1 rule');
  });

  it('edits only the fields given, and a listed rule with one field changed', async () => {
    await load(['tplink-antitheft'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: EVENINGS });
    await ok({ operation: 'edit', payload: { id, end: '18:00', frequency: 8 } });
    let [stored] = table();
    assert.deepStrictEqual([stored.smin, stored.emin, stored.frequency, stored.duration, stored.name], [987, 1080, 8, 3, 'away']);
    const { payload: [listed] } = await ok({ operation: 'list' });
    listed.days = 'weekend';
    const e = await ok({ operation: 'edit', payload: listed });
    [stored] = table();
    assert.deepStrictEqual(stored.wday, [1, 0, 0, 0, 0, 0, 1]);
    assert.deepStrictEqual(e.payload.days, ['sun', 'sat']);
  });

  it('edits with the editor rule and rule id', async () => {
    await load(['tplink-antitheft'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: EVENINGS });
    await helper.unload();
    await load(['tplink-antitheft'], flow({ operation: 'edit', ruleId: id, days: 'sun', startType: 'time', start: '08:00', endType: 'sunrise', end: '', repeat: 'weekly', enabled: true }));
    await ok({ payload: 1 });
    const [stored] = table();
    assert.deepStrictEqual([stored.smin, stored.etime_opt, stored.wday], [480, 1, [1, 0, 0, 0, 0, 0, 0]]);
  });

  it('deletes by id and all; switches away mode off and on', async () => {
    await load(['tplink-antitheft'], flow());
    const { payload: { id } } = await ok({ operation: 'add', payload: EVENINGS });
    await ok({ operation: 'add', payload: EVENINGS });
    assert.deepStrictEqual((await ok({ operation: 'delete', payload: { id } })).payload, { id });
    assert.strictEqual(table().length, 1);
    assert.deepStrictEqual((await ok({ operation: 'deleteAll' })).payload, []);
    assert.strictEqual(table().length, 0);
    assert.deepStrictEqual((await ok({ operation: 'disableAll' })).payload, { enabled: false });
    assert.strictEqual(sims.plug.device.state.rules.antiTheft.enable, 0);
    assert.strictEqual(helper.getNode('at').status.lastCall.args[0].text, 'away mode off');
    await ok({ operation: 'enableAll' });
    assert.strictEqual(sims.plug.device.state.rules.antiTheft.enable, 1);
  });

  describe('errors', () => {
    it('an unknown id: -14 from the device reaches done(err)', async () => {
      await load(['tplink-antitheft'], flow());
      const { error, msg } = await exchange('at', { operation: 'delete', payload: { id: 'E36B1F4466B135C1FD481F0B4BFC9C30' } });
      assert.match(String(error.message), /anti_theft\.delete_rule: -14/);
      assert.ok(msg);
      assert.deepStrictEqual(helper.getNode('at').status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'device error -14' });
    });

    it('a stopped device: refused', async () => {
      await load(['tplink-antitheft'], flow());
      await sims.plug.stop();
      const { error } = await exchange('at', { operation: 'list' });
      assert.match(String(error.message), /connection refused/);
    });

    const bad = [
      ['hour 25', { operation: 'add', payload: { ...EVENINGS, end: '25:00' } }, /invalid end/],
      ['no end', { operation: 'add', payload: { days: 'mon', time: '10:00' } }, /invalid end/],
      ['6 weekday flags', { operation: 'add', payload: { wday: [1, 0, 0, 1, 1, 0], smin: 600, emin: 700 } }, /invalid wday/],
      ['frequency 0', { operation: 'add', payload: { ...EVENINGS, frequency: 0 } }, /invalid frequency/],
      ['duration NaN', { operation: 'add', payload: { ...EVENINGS, duration: NaN } }, /invalid duration/],
      ['on/off action (schedule only)', { operation: 'add', payload: { ...EVENINGS, action: 'on' } }, /invalid rule\.action/],
      ['__proto__ key', { operation: 'add', payload: JSON.parse('{"__proto__":{"x":1},"days":"mon","time":"10:00","end":"11:00"}') }, /invalid rule\.__proto__/],
      ['huge name', { operation: 'add', payload: { ...EVENINGS, name: 'x'.repeat(100000) } }, /invalid name/],
      ['bad field in a partial edit', { operation: 'edit', payload: { id: 'ABC', duration: -1 } }, /invalid duration/],
      ['unknown operation', { operation: 'next' }, /invalid operation/],
      ['huge id', { operation: 'delete', payload: 'A'.repeat(100000) }, /invalid payload/],
    ];
    for (const [what, msg, re] of bad) {
      it(`${what}: an error naming the field; nothing sent`, async () => {
        await load(['tplink-antitheft'], flow());
        const before = sims.plug.requests.length;
        const { error } = await exchange('at', msg);
        assert.ok(error, 'expected an error');
        assert.match(String(error.message), re);
        assert.ok(String(error.message).length < 600, 'the message stays short');
        assert.strictEqual(sims.plug.requests.length, before, 'nothing reached the device');
        assert.strictEqual(helper.getNode('at').status.lastCall.args[0].fill, 'red');
        assert.strictEqual({}.x, undefined);
      });
    }
  });

  it('HS300: rules go to the outlet from the setting, or msg.outlet', async () => {
    await load(['tplink-antitheft'], flow({ outlet: '0' }, 'strip'));
    await ok({ operation: 'add', payload: EVENINGS });
    await ok({ operation: 'add', payload: EVENINGS, outlet: 3 });
    const dev = sims.strip.device;
    assert.strictEqual(dev.rules('anti_theft', 0).length, 1);
    assert.strictEqual(dev.rules('anti_theft', 3).length, 1);
    assert.strictEqual(dev.rules('anti_theft').length, 0);
    await ok({ operation: 'deleteAll', outlet: 3 });
    assert.strictEqual(dev.rules('anti_theft', 3).length, 0);
    assert.strictEqual(dev.rules('anti_theft', 0).length, 1);
  });

  it('the example flow drives the simulated HS110', async () => {
    const fire = await loadExample('antitheft', 'tplink-antitheft', sims.plug);
    assert.strictEqual((await fire('ex-antitheft-add')).payload.end, '23:00');
    const fromEditor = await fire('ex-antitheft-add-editor');
    assert.deepStrictEqual([fromEditor.payload.time, fromEditor.payload.days.length], ['sunset', 7]);
    assert.strictEqual((await fire('ex-antitheft-list')).payload.length, 2);
    await fire('ex-antitheft-off');
    assert.strictEqual(sims.plug.device.state.rules.antiTheft.enable, 0);
    await fire('ex-antitheft-on');
    await fire('ex-antitheft-deleteall');
    assert.strictEqual(table().length, 0);
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-antitheft'], flow());
      await ok({ operation: 'list' });
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
  });
});
