'use strict';
// The node's password is hidden by structure, not by searching outputs for it
// (issue 11, defect 4): it is only ever put into the request of the two commands
// that need it, and of their answers only the fields the protocol defines for
// them (err_code) come back. So an alias that happens to equal the password is
// not an oracle, msg.payload and msg.device agree, and a one-character password
// does not rewrite every output.
const assert = require('assert');
const { helper, exchange, wired, deviceNode, startSims, stopSims, nodeModules } = require('./support/nodes');

const SECRET = 'Sup3r-Secret-Pass';

function loadWith(flow, credentials) {
  return new Promise((resolve, reject) => {
    helper.load(nodeModules('tplink-system'), flow, credentials, (err) => (err ? reject(err) : resolve()));
  });
}

describe('tplink-system: the password is hidden structurally', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const load = (props, password) => loadWith([deviceNode('dev', sims.plug), ...wired('sys', 'tplink-system', 'dev', props)], { sys: { password } });
  const state = () => sims.plug.device.state;
  const statusText = () => helper.getNode('sys').status.lastCall.args[0].text;

  it('an alias equal to the password comes back as given, exactly like a wrong guess (no oracle)', async () => {
    await load({ action: 'msg' }, SECRET);
    const answers = [];
    for (const guess of ['Wrong-Guess-12345', SECRET]) {
      const { msg, error } = await exchange('sys', { action: 'alias', payload: { alias: guess } });
      assert.ifError(error);
      assert.strictEqual(state().alias, guess);
      assert.deepStrictEqual(msg.payload, { alias: guess });
      assert.strictEqual(statusText(), guess);
      answers.push(JSON.stringify({ payload: msg.payload, reply: msg.reply, status: statusText() }).split(guess).join('<guess>'));
    }
    assert.strictEqual(answers[1], answers[0], 'a right guess and a wrong one give the same answer');
  });

  it('msg.payload, msg.reply, status and msg.device tell the same alias when it equals the password', async () => {
    state().alias = SECRET;
    await load({ action: 'sysinfo' }, SECRET);
    const { msg, error } = await exchange('sys', {});
    assert.ifError(error);
    assert.strictEqual(msg.payload.alias, SECRET);
    assert.strictEqual(msg.reply.system.get_sysinfo.alias, SECRET);
    assert.strictEqual(msg.device.alias, SECRET);
    assert.strictEqual(statusText(), SECRET);
  });

  it('a one-character password leaves every output intact', async () => {
    await load({ action: 'sysinfo' }, 'e');
    const { msg, error } = await exchange('sys', {});
    assert.ifError(error);
    assert.strictEqual(msg.payload.alias, state().alias);
    assert.strictEqual(msg.payload.mac, state().mac);
    assert.deepStrictEqual(msg.reply.system.get_sysinfo, { ...msg.payload, err_code: 0 });
    assert.strictEqual(statusText(), state().alias);
    assert.ok(!JSON.stringify(msg).includes('(hidden)'), JSON.stringify(msg.payload));
    await helper.unload();
    // The same for a command that does carry the password (cnCloud.bind accepts one byte).
    await load({ action: 'cloud-bind', allowDestructive: true, username: 'me@example.com' }, 'e');
    const bind = await exchange('sys', {});
    assert.ifError(bind.error);
    assert.deepStrictEqual(sims.plug.requests[sims.plug.requests.length - 1], { cnCloud: { bind: { username: 'me@example.com', password: 'e' } } });
    assert.deepStrictEqual(bind.msg.payload, { username: 'me@example.com' });
    assert.deepStrictEqual(bind.msg.reply, { cnCloud: { bind: { err_code: 0 } } });
    assert.strictEqual(statusText(), 'cloud-bind ok');
  });

  describe('a device that echoes the password in the answer to the command that carried it', () => {
    const cases = [
      ['join-wifi', 'netif', 'set_stainfo', { ssid: 'Home', keyType: '3' }],
      ['cloud-bind', 'cnCloud', 'bind', { username: 'me@example.com' }],
    ];
    for (const [action, mod, method, props] of cases) {
      it(`${action}: msg.reply keeps only err_code, whatever else the device put in it`, async () => {
        await load({ action, allowDestructive: true, ...props }, SECRET);
        sims.plug.setFault({ type: 'wrong-shape', body: { [mod]: { err_code: 0, echo: SECRET, [method]: { err_code: 0, password: SECRET, [SECRET]: 1, note: [`saved ${SECRET}`] } } } });
        const { msg, error } = await exchange('sys', {});
        assert.ifError(error);
        assert.deepStrictEqual(msg.reply, { [mod]: { err_code: 0, [method]: { err_code: 0 } } });
        assert.ok(!JSON.stringify(msg).includes(SECRET));
      });

      it(`${action}: a device error keeps its err_code, its err_msg is not shown`, async () => {
        await load({ action, allowDestructive: true, ...props }, SECRET);
        sims.plug.setFault({ type: 'err-code', code: -3, msg: `wrong password ${SECRET}` });
        const { error } = await exchange('sys', {});
        assert.strictEqual(error.kind, 'device');
        assert.strictEqual(error.errCode, -3);
        assert.strictEqual(error.errMsg, '');
        assert.match(error.message, new RegExp(`${mod}\\.${method}: -3`));
        assert.match(error.message, /err_msg not shown/);
        for (const text of [error.message, error.stack, statusText()]) assert.ok(!String(text).includes(SECRET), text);
      });
    }
  });

  it('a command without a secret shows the device\'s err_msg as before', async () => {
    await load({ action: 'alias', alias: 'Lamp' }, SECRET);
    sims.plug.setFault({ type: 'err-code', code: -3, msg: 'busy' });
    const { error } = await exchange('sys', {});
    assert.strictEqual(error.errMsg, 'busy');
    assert.match(error.message, /"busy"/);
  });

  it('the two builders that put a password into a request declare it, and the public views leave it out', () => {
    const { netif, cloud, publicArgs, publicReply } = require('../nodes/core/commands');
    for (const cmd of [netif.setStaInfo({ ssid: 'Home', password: SECRET }), cloud.bind({ username: 'me@example.com', password: SECRET })]) {
      assert.deepStrictEqual(cmd.secretArgs, ['password']);
      assert.ok(!JSON.stringify(publicArgs(cmd)).includes(SECRET));
      assert.ok(JSON.stringify(cmd.request).includes(SECRET), 'the device does get it');
      const echo = { [cmd.module]: { [cmd.method]: { err_code: 0, password: SECRET } } };
      assert.deepStrictEqual(publicReply(cmd, echo), { [cmd.module]: { [cmd.method]: { err_code: 0 } } });
    }
  });
});
