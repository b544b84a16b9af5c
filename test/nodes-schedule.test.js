'use strict';
const assert = require('assert');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims, loadExample } = require('./support/nodes');


const MON_THU = [0, 1, 0, 0, 1, 0, 0];
const LIGHTS = { days: ['mon', 'thu'], time: '16:54', action: 'on', name: 'lights on' };

describe('tplink-schedule node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('sch', 'tplink-schedule', dev, props)];
  const table = (outlet) => sims.plug.device.rules('schedule', outlet);
  const ok = async (msg) => {
    const r = await exchange('sch', msg);
    assert.ifError(r.error);
    return r.msg;
  };
  const addLights = () => ok({ operation: 'add', payload: LIGHTS });

  it('adds a friendly rule from msg.payload and answers with its id and both forms', async () => {
    await load(['tplink-schedule'], flow());
    const node = helper.getNode('sch');
    const msg = await ok({ operation: 'add', payload: LIGHTS, topic: 'hall' });
    const [stored] = table();
    assert.strictEqual(table().length, 1);
    assert.deepStrictEqual(stored.wday, MON_THU);
    assert.strictEqual(stored.smin, 16 * 60 + 54);
    assert.strictEqual(stored.stime_opt, 0);
    assert.strictEqual(stored.sact, 1);
    assert.strictEqual(stored.name, 'lights on');
    assert.strictEqual(msg.payload.id, stored.id);
    assert.deepStrictEqual(msg.payload.days, ['mon', 'thu']);
    assert.strictEqual(msg.payload.time, '16:54');
    assert.strictEqual(msg.payload.action, 'on');
    assert.strictEqual(msg.payload.smin, 1014);
    assert.strictEqual(msg.operation, 'add');
    assert.strictEqual(msg.topic, 'hall');
    assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: 'sim dev' });
    assert.strictEqual(msg.reply.schedule.add_rule.id, stored.id);
    assert.ok(node.status.getCalls().some((c) => c.args[0].text === 'sending…'), 'shows sending…');
    assert.deepStrictEqual(node.status.lastCall.args[0], { fill: 'green', shape: 'dot', text: 'added' });
  });

  it('adds the rule set in the editor (sunset + offset, off) when msg.payload is not a rule', async () => {
    await load(['tplink-schedule'], flow({ operation: 'add', days: 'sat,sun', timeType: 'sunset', time: '', offset: '-15', ruleAction: 'off', repeat: 'weekly', ruleName: 'dusk', enabled: true }));
    const msg = await ok({ payload: Date.now() });
    const [stored] = table();
    assert.deepStrictEqual(stored.wday, [1, 0, 0, 0, 0, 0, 1]);
    assert.strictEqual(stored.stime_opt, 2);
    assert.strictEqual(stored.sact, 0);
    assert.strictEqual(msg.payload.time, 'sunset');
    assert.strictEqual(msg.payload.offset, -15);
    assert.strictEqual(sims.plug.requests.at(-1).schedule.add_rule.soffset, -15);
  });

  it('adds a one-off rule from the editor date, and raw device fields from msg.payload', async () => {
    await load(['tplink-schedule'], flow({ operation: 'add', days: 'mon', timeType: 'time', time: '07:30', ruleAction: 'on', repeat: 'once', date: '2030-06-14', enabled: false }));
    const a = await ok({ payload: '' });
    assert.strictEqual(a.payload.once, '2030-06-14');
    assert.strictEqual(a.payload.enabled, false);
    const raw = { stime_opt: 0, wday: [1, 0, 0, 0, 0, 0, 0], smin: 600, sact: 0, etime_opt: -1, eact: -1, repeat: 1, enable: 1, name: 'raw' };
    const b = await ok({ payload: raw });
    assert.strictEqual(b.payload.time, '10:00');
    const rules = table();
    assert.strictEqual(rules.length, 2);
    assert.deepStrictEqual([rules[0].repeat, rules[0].year, rules[0].month, rules[0].day, rules[0].enable], [0, 2030, 6, 14, 0]);
    assert.deepStrictEqual(rules[0].wday, [0, 0, 0, 0, 0, 1, 0], 'a one-off rule flags its date\'s weekday');
    assert.deepStrictEqual([rules[1].smin, rules[1].sact, rules[1].name], [600, 0, 'raw']);
  });

  it('lists rules in friendly + raw form with ids, and whether the schedule is on', async () => {
    await load(['tplink-schedule'], flow());
    const added = await addLights();
    await ok({ operation: 'add', payload: { days: 'weekend', time: 'sunrise', action: 'off' } });
    const msg = await ok({ operation: 'list' });
    assert.strictEqual(msg.payload.length, 2);
    assert.strictEqual(msg.payload[0].id, added.payload.id);
    assert.deepStrictEqual(msg.payload[0].days, ['mon', 'thu']);
    assert.deepStrictEqual(msg.payload[0].wday, MON_THU);
    assert.strictEqual(msg.payload[1].time, 'sunrise');
    assert.strictEqual(msg.payload[1].action, 'off');
    assert.strictEqual(msg.enabled, true);
    assert.strictEqual(helper.getNode('sch').status.lastCall.args[0].text, '2 rules');
  });

  it('reports the next action', async () => {
    await load(['tplink-schedule'], flow());
    const none = await ok({ operation: 'next' });
    assert.deepStrictEqual(none.payload, { scheduled: false, type: -1 });
    const added = await ok({ operation: 'add', payload: { days: 'daily', time: '03:00', action: 'off' } });
    const msg = await ok({ operation: 'next' });
    assert.strictEqual(msg.payload.scheduled, true);
    assert.strictEqual(msg.payload.id, added.payload.id);
    assert.strictEqual(msg.payload.time, '03:00');
    assert.strictEqual(msg.payload.action, 'off');
  });

  it('edits only the fields given, keeping the stored rest ({id, enabled:false})', async () => {
    await load(['tplink-schedule'], flow());
    const { payload: { id } } = await addLights();
    const msg = await ok({ operation: 'edit', payload: { id, enabled: false } });
    const [stored] = table();
    assert.strictEqual(stored.enable, 0);
    assert.deepStrictEqual([stored.smin, stored.sact, stored.name], [1014, 1, 'lights on']);
    assert.deepStrictEqual(stored.wday, MON_THU);
    assert.strictEqual(msg.payload.id, id);
    assert.strictEqual(msg.payload.enabled, false);
    assert.strictEqual(sims.plug.requests.at(-1).schedule.edit_rule.id, id);
  });

  it('takes back a listed rule with one friendly field changed', async () => {
    await load(['tplink-schedule'], flow());
    await addLights();
    const { payload: [rule] } = await ok({ operation: 'list' });
    rule.time = '18:05';
    rule.days = ['fri'];
    await ok({ operation: 'edit', payload: rule });
    const [stored] = table();
    assert.strictEqual(stored.smin, 18 * 60 + 5);
    assert.deepStrictEqual(stored.wday, [0, 0, 0, 0, 0, 1, 0]);
    assert.strictEqual(stored.sact, 1);
  });

  it('edits with the editor rule and rule id', async () => {
    await load(['tplink-schedule'], flow());
    const { payload: { id } } = await addLights();
    await helper.unload();
    await load(['tplink-schedule'], flow({ operation: 'edit', ruleId: id, days: 'tue', timeType: 'time', time: '06:00', ruleAction: 'off', repeat: 'weekly', enabled: true }));
    await ok({ payload: true });
    const [stored] = table();
    assert.deepStrictEqual([stored.smin, stored.sact, stored.wday], [360, 0, [0, 0, 1, 0, 0, 0, 0]]);
  });

  it('deletes by msg.payload.id, by a string payload, then all; payload and status say so', async () => {
    await load(['tplink-schedule'], flow());
    const a = await addLights();
    const b = await addLights();
    await addLights();
    const d1 = await ok({ operation: 'delete', payload: { id: a.payload.id } });
    assert.deepStrictEqual(d1.payload, { id: a.payload.id });
    await ok({ operation: 'delete', payload: b.payload.id });
    assert.strictEqual(table().length, 1);
    const all = await ok({ operation: 'delete-all' });
    assert.deepStrictEqual(all.payload, []);
    assert.strictEqual(all.operation, 'deleteAll');
    assert.strictEqual(table().length, 0);
    assert.deepStrictEqual(sims.plug.requests.at(-1), { schedule: { delete_all_rules: null, erase_runtime_stat: null } });
  });

  it('disables and enables the whole schedule', async () => {
    await load(['tplink-schedule'], flow());
    const off = await ok({ operation: 'disableAll' });
    assert.deepStrictEqual(off.payload, { enabled: false });
    assert.strictEqual(sims.plug.device.state.rules.schedule.enable, 0);
    assert.strictEqual((await ok({ operation: 'list' })).enabled, false);
    await ok({ operation: 'enableAll' });
    assert.strictEqual(sims.plug.device.state.rules.schedule.enable, 1);
  });

  it('the node setting wins over msg.operation', async () => {
    await load(['tplink-schedule'], flow({ operation: 'list' }));
    await sims.plug.device.handle({ schedule: { add_rule: { sact: 1, smin: 5, wday: [1, 1, 1, 1, 1, 1, 1] } } });
    const msg = await ok({ operation: 'deleteAll' });
    assert.strictEqual(msg.operation, 'list');
    assert.strictEqual(msg.payload.length, 1);
    assert.strictEqual(table().length, 1);
  });

  describe('errors', () => {
    it('an unknown id: -14 from the device reaches done(err) with a red status', async () => {
      await load(['tplink-schedule'], flow());
      const { error, msg } = await exchange('sch', { operation: 'delete', payload: { id: 'ABCDEF0123456789ABCDEF0123456789' } });
      assert.match(String(error.message), /schedule\.delete_rule: -14/);
      assert.ok(msg);
      assert.deepStrictEqual(helper.getNode('sch').status.lastCall.args[0], { fill: 'red', shape: 'ring', text: 'device error -14' });
      const e2 = await exchange('sch', { operation: 'edit', payload: { id: 'ABCDEF0123456789ABCDEF0123456789', ...LIGHTS } });
      assert.match(String(e2.error.message), /schedule\.edit_rule: -14/);
    });

    it('a partial edit of an unknown id names payload.id', async () => {
      await load(['tplink-schedule'], flow());
      const { error } = await exchange('sch', { operation: 'edit', payload: { id: 'NOPE', enabled: false } });
      assert.match(String(error.message), /invalid payload\.id: expected the id of one of the 0 rule/);
    });

    it('a stopped device: refused, then works again', async () => {
      await load(['tplink-schedule'], flow());
      await sims.plug.stop();
      const { error } = await exchange('sch', { operation: 'list' });
      assert.match(String(error.message), /connection refused/);
      assert.strictEqual(helper.getNode('sch').status.lastCall.args[0].text, 'refused');
      await sims.plug.restart();
      assert.deepStrictEqual((await ok({ operation: 'list' })).payload, []);
    });

    const bad = [
      ['hour 25', { operation: 'add', payload: { ...LIGHTS, time: '25:00' } }, /invalid time/],
      ['6 weekday flags', { operation: 'add', payload: { wday: [1, 0, 0, 1, 1, 0], smin: 600, sact: 1 } }, /invalid wday/],
      ['unknown day name', { operation: 'add', payload: { ...LIGHTS, days: ['mon', 'funday'] } }, /invalid days/],
      ['no days', { operation: 'add', payload: { ...LIGHTS, days: [] } }, /invalid days/],
      ['NaN minutes', { operation: 'add', payload: { days: 'mon', smin: NaN, sact: 1 } }, /invalid smin/],
      ['action "maybe"', { operation: 'add', payload: { ...LIGHTS, action: 'maybe' } }, /invalid action/],
      ['__proto__ key', { operation: 'add', payload: JSON.parse('{"__proto__":{"x":1},"days":["mon"],"time":"10:00","action":"on"}') }, /invalid rule\.__proto__/],
      ['huge name', { operation: 'add', payload: { ...LIGHTS, name: 'x'.repeat(100000) } }, /invalid name/],
      ['31 February', { operation: 'add', payload: { time: '10:00', action: 'on', once: '2030-02-31' } }, /invalid once/],
      ['unknown operation', { operation: 'explode' }, /invalid operation/],
      ['no operation', { payload: 1 }, /invalid operation/],
      ['bad field in a partial edit', { operation: 'edit', payload: { id: 'ABC', time: '99:99' } }, /invalid time/],
      ['huge id', { operation: 'delete', payload: { id: 'A'.repeat(100000) } }, /invalid payload\.id/],
      ['no id', { operation: 'delete', payload: 5 }, /invalid payload\.id/],
      ['bad outlet', { operation: 'list', outlet: { x: 1 } }, /invalid outlet/],
    ];
    for (const [what, msg, re] of bad) {
      it(`${what}: an error naming the field; nothing sent`, async () => {
        await load(['tplink-schedule'], flow());
        const before = sims.plug.requests.length;
        const { error } = await exchange('sch', msg);
        assert.ok(error, 'expected an error');
        assert.match(String(error.message), re);
        assert.ok(String(error.message).length < 600, 'the message stays short');
        assert.strictEqual(sims.plug.requests.length, before, 'nothing reached the device');
        assert.strictEqual(helper.getNode('sch').status.lastCall.args[0].fill, 'red');
        assert.strictEqual({}.x, undefined);
      });
    }
  });

  it('HS300: rules go to the outlet from the setting, or msg.outlet', async () => {
    await load(['tplink-schedule'], flow({ outlet: '1' }, 'strip'));
    await ok({ operation: 'add', payload: LIGHTS });
    await ok({ operation: 'add', payload: LIGHTS, outlet: 4 });
    const dev = sims.strip.device;
    assert.strictEqual(dev.rules('schedule', 1).length, 1);
    assert.strictEqual(dev.rules('schedule', 4).length, 1);
    assert.strictEqual(dev.rules('schedule', 0).length, 0);
    assert.strictEqual(dev.rules('schedule').length, 0, 'nothing strip-wide');
    assert.deepStrictEqual(sims.strip.requests.at(-1).context.child_ids, [dev.childId(4)]);
    const list = await ok({ operation: 'list' });
    assert.strictEqual(list.payload.length, 1);
    const { payload: [rule] } = list;
    await ok({ operation: 'edit', payload: { id: rule.id, action: 'off' } });
    assert.strictEqual(dev.rules('schedule', 1)[0].sact, 0);
  });

  it('the example flow drives the simulated HS110', async () => {
    const fire = await loadExample('schedule', 'tplink-schedule', sims.plug);
    assert.strictEqual((await fire('ex-schedule-add')).payload.time, '16:54');
    assert.strictEqual((await fire('ex-schedule-add-sunset')).payload.offset, -15);
    assert.strictEqual((await fire('ex-schedule-list')).payload.length, 2);
    assert.strictEqual((await fire('ex-schedule-next')).payload.scheduled, true);
    const edited = await fire('ex-schedule-first-list');
    assert.strictEqual(edited.operation, 'edit');
    assert.strictEqual(table()[0].enable, 0);
    assert.deepStrictEqual((await fire('ex-schedule-disable')).payload, { enabled: false });
    await fire('ex-schedule-enable');
    assert.deepStrictEqual((await fire('ex-schedule-deleteall')).payload, []);
    assert.strictEqual(table().length, 0);
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-schedule'], flow());
      await ok({ operation: 'list' });
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
  });
});
