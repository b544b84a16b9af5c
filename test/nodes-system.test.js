'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, exchange, wired, deviceNode, startSims, stopSims, nodeModules } = require('./support/nodes');

const SECRET = 'Sup3r-Secret-Pass';

/** helper.load with credentials (test/support's load() takes none). */
function loadWith(flow, credentials = {}) {
  return new Promise((resolve, reject) => {
    helper.load(nodeModules('tplink-system'), flow, credentials, (err) => (err ? reject(err) : resolve()));
  });
}

describe('tplink-system node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('sys', 'tplink-system', dev, props)];
  const load = (props, dev, creds) => loadWith(flow(props, dev), creds);
  const lastRequest = (sim = sims.plug) => sim.requests[sim.requests.length - 1];
  const node = () => helper.getNode('sys');
  const statusOf = () => node().status.lastCall.args[0];
  const state = () => sims.plug.device.state;

  describe('reading actions', () => {
    it('sysinfo: the device info, status shows the alias, topic passed through', async () => {
      await load({ action: 'sysinfo' });
      const { msg, error } = await exchange('sys', { topic: 'info', payload: 12345 });
      assert.ifError(error);
      assert.strictEqual(msg.payload.alias, state().alias);
      assert.strictEqual(msg.payload.mac, state().mac);
      assert.strictEqual(msg.payload.err_code, undefined);
      assert.strictEqual(msg.topic, 'info');
      assert.strictEqual(msg.reply.system.get_sysinfo.err_code, 0);
      assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: state().alias });
      assert.deepStrictEqual(lastRequest(), { system: { get_sysinfo: {} } });
      assert.deepStrictEqual(helper.getNode('sys').status.firstCall.args[0], { fill: 'yellow', shape: 'ring', text: 'sending…' });
      assert.deepStrictEqual(statusOf(), { fill: 'green', shape: 'dot', text: state().alias });
    });

    it('time and timezone', async () => {
      await load({ action: 'time' });
      const { msg } = await exchange('sys', {});
      assert.deepStrictEqual(Object.keys(msg.payload).sort(), ['hour', 'mday', 'min', 'month', 'sec', 'year']);
      assert.deepStrictEqual(lastRequest(), { time: { get_time: null } });
      assert.match(statusOf().text, /^\d\d:\d\d:\d\d$/);
      await helper.unload();
      await load({ action: 'timezone' });
      const tz = await exchange('sys', {});
      assert.deepStrictEqual(tz.msg.payload, { index: sims.plug.device.clock.tzIndex });
      assert.deepStrictEqual(lastRequest(), { time: { get_timezone: null } });
    });

    it('cloud info', async () => {
      await load({ action: 'cloud-info' });
      const { msg } = await exchange('sys', {});
      assert.strictEqual(msg.payload.binded, 0);
      assert.strictEqual(msg.payload.server, 'devs.tplinkcloud.com');
      assert.deepStrictEqual(lastRequest(), { cnCloud: { get_info: null } });
      assert.strictEqual(statusOf().text, 'cloud not bound');
    });

    it('Wi-Fi scan with a scan time from the node, refresh from msg.payload', async () => {
      await load({ action: 'scan', scanTimeout: '3' });
      const { msg } = await exchange('sys', { payload: { refresh: false } });
      assert.strictEqual(msg.payload.ap_list.length, 4);
      assert.deepStrictEqual(lastRequest(), { netif: { get_scaninfo: { refresh: 0, timeout: 3 } } });
      assert.strictEqual(statusOf().text, '4 networks');
    });
  });

  describe('changing actions', () => {
    it('LED off from the node, on from msg.payload', async () => {
      await load({ action: 'led', led: 'off' });
      const a = await exchange('sys', {});
      assert.deepStrictEqual(a.msg.payload, { led: false });
      assert.strictEqual(state().ledOff, 1);
      assert.deepStrictEqual(lastRequest(), { system: { set_led_off: { off: 1 } } });
      assert.strictEqual(statusOf().text, 'LED off');
      const b = await exchange('sys', { payload: { on: true } });
      assert.deepStrictEqual(b.msg.payload, { led: true });
      assert.strictEqual(state().ledOff, 0);
    });

    it('alias from the node and from msg.payload', async () => {
      await load({ action: 'alias', alias: 'Desk lamp' });
      await exchange('sys', {});
      assert.strictEqual(state().alias, 'Desk lamp');
      const { msg } = await exchange('sys', { payload: { alias: 'Kettle' } });
      assert.deepStrictEqual(msg.payload, { alias: 'Kettle' });
      assert.strictEqual(state().alias, 'Kettle');
      assert.strictEqual(statusOf().text, 'Kettle');
    });

    it('alias of one HS300 outlet', async () => {
      await load({ action: 'alias', outlet: '1' }, 'strip');
      const { error } = await exchange('sys', { payload: { alias: 'Fan' } });
      assert.ifError(error);
      assert.strictEqual(sims.strip.device.alias(1), 'Fan');
      assert.strictEqual(sims.strip.device.alias(0), 'Plug 1');
      assert.deepStrictEqual(lastRequest(sims.strip).context, { child_ids: [sims.strip.device.childId(1)] });
      await exchange('sys', { payload: { alias: 'Heater' }, outlet: 3 });
      assert.strictEqual(sims.strip.device.alias(3), 'Heater');
    });

    it('location, with the integer forms', async () => {
      await load({ action: 'location', latitude: '50.9412784', longitude: '6.9582814' });
      const { msg } = await exchange('sys', {});
      assert.strictEqual(state().latitude, 50.9412784);
      assert.strictEqual(state().longitude, 6.9582814);
      assert.deepStrictEqual(lastRequest(), { system: { set_dev_location: { latitude: 50.9412784, longitude: 6.9582814, latitude_i: 509413, longitude_i: 69583 } } });
      assert.strictEqual(msg.payload.latitude_i, 509413);
    });

    it('set timezone with a given date sets the device clock', async () => {
      await load({ action: 'set-timezone', tzIndex: '42' });
      const date = { year: 2030, month: 6, mday: 15, hour: 10, min: 20, sec: 30 };
      const { msg, error } = await exchange('sys', { payload: { date } });
      assert.ifError(error);
      assert.strictEqual(sims.plug.device.clock.tzIndex, 42);
      assert.deepStrictEqual(lastRequest(), { time: { set_timezone: { ...date, index: 42 } } });
      assert.deepStrictEqual(msg.payload, { ...date, index: 42 });
      const wall = sims.plug.device.clock.wall();
      assert.deepStrictEqual([wall.year, wall.month, wall.mday, wall.hour], [2030, 6, 15, 10]);
    });

    it('reboot after the default delay', async () => {
      await load({ action: 'reboot' });
      const { msg } = await exchange('sys', {});
      assert.strictEqual(state().reboots, 1);
      assert.deepStrictEqual(msg.payload, { delay: 1 });
      assert.deepStrictEqual(lastRequest(), { system: { reboot: { delay: 1 } } });
      assert.strictEqual(statusOf().text, 'reboot ok');
    });
  });

  describe('action from the message', () => {
    it('msg.action wins over msg.payload.action; editor arguments are not used', async () => {
      await load({ action: 'msg', alias: 'ignored' });
      const a = await exchange('sys', { action: 'alias', payload: { action: 'reboot', alias: 'From msg' } });
      assert.ifError(a.error);
      assert.strictEqual(state().alias, 'From msg');
      assert.strictEqual(state().reboots, 0);
      const b = await exchange('sys', { payload: { action: 'led', on: false } });
      assert.ifError(b.error);
      assert.strictEqual(state().ledOff, 1);
      const sent = sims.plug.requests.length;
      const c = await exchange('sys', { action: 'alias' });
      assert.match(c.error.message, /invalid alias/);
      assert.strictEqual(sims.plug.requests.length, sent);
    });
  });

  const DESTRUCTIVE = [
    ['reset', {}, 'system.reset'],
    ['set-mac', { mac: '50-C7-BF-0A-0B-0C' }, 'system.set_mac_addr'],
    ['set-device-id', { deviceId: 'AB'.repeat(20) }, 'system.set_device_id'],
    ['set-hw-id', { hwId: 'CD'.repeat(16) }, 'system.set_hw_id'],
    ['test-mode', { enable: true }, 'system.set_test_mode'],
    ['download-firmware', { url: 'http://example.invalid/fw.bin' }, 'system.download_firmware'],
    ['flash-firmware', {}, 'system.flash_firmware'],
    ['join-wifi', { ssid: 'Elsewhere' }, 'netif.set_stainfo'],
    ['cloud-bind', { username: 'me@example.com' }, 'cnCloud.bind'],
    ['cloud-unbind', {}, 'cnCloud.unbind'],
    ['cloud-server', { server: 'example.invalid' }, 'cnCloud.set_server_url'],
  ];

  describe('device-changing commands without "allow device-changing commands": refused, nothing sent', () => {
    for (const [action, payload, name] of DESTRUCTIVE) {
      it(`${action} (node setting and msg.action)`, async () => {
        await load({ action }, 'dev', { sys: { password: SECRET } });
        const sent = sims.plug.requests.length;
        const a = await exchange('sys', { payload });
        assert.strictEqual(a.error.kind, 'not-allowed');
        assert.ok(a.error.message.includes(name), a.error.message);
        assert.match(a.error.message, /allow device-changing commands/);
        assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'not allowed' });
        await helper.unload();
        await load({ action: 'msg' }, 'dev', { sys: { password: SECRET } });
        const b = await exchange('sys', { action, payload });
        assert.strictEqual(b.error.kind, 'not-allowed');
        // Refused before the arguments are even read: a bad one changes nothing.
        const c = await exchange('sys', { action, payload: { nonsense: 1 } });
        assert.strictEqual(c.error.kind, 'not-allowed');
        assert.strictEqual(sims.plug.requests.length, sent, 'nothing reached the device');
      });
    }
  });

  describe('device-changing commands when allowed', () => {
    const allowed = (action, props = {}) => load({ action, allowDestructive: true, ...props }, 'dev', { sys: { password: SECRET } });

    it('factory reset', async () => {
      await allowed('reset', { delay: '2' });
      state().alias = 'Mine';
      const { msg } = await exchange('sys', {});
      assert.strictEqual(state().resets, 1);
      assert.notStrictEqual(state().alias, 'Mine');
      assert.deepStrictEqual(msg.payload, { delay: 2 });
    });

    it('set MAC, device id, hardware id, test mode', async () => {
      await allowed('msg');
      for (const [action, payload] of DESTRUCTIVE.slice(1, 5)) {
        const { error } = await exchange('sys', { action, payload });
        assert.ifError(error);
      }
      assert.strictEqual(state().mac, '50:C7:BF:0A:0B:0C');
      assert.strictEqual(state().deviceId, 'AB'.repeat(20));
      assert.strictEqual(state().hwId, 'CD'.repeat(16));
      assert.strictEqual(state().testMode, 1);
    });

    it('download and flash firmware', async () => {
      await allowed('download-firmware', { url: 'https://example.invalid/fw.bin' });
      await exchange('sys', {});
      assert.strictEqual(state().firmware.url, 'https://example.invalid/fw.bin');
      await helper.unload();
      await allowed('flash-firmware');
      const { error } = await exchange('sys', {});
      assert.ifError(error);
      assert.strictEqual(state().firmware.flashed, 1);
    });

    it('join Wi-Fi: the password comes from the credentials and appears in no msg, status or log', async () => {
      await allowed('join-wifi', { ssid: 'HomeNetwork', keyType: '3' });
      const { msg, error } = await exchange('sys', { topic: 'wifi' });
      assert.ifError(error);
      assert.deepStrictEqual(state().wifi, { ssid: 'HomeNetwork', key_type: 3 });
      assert.deepStrictEqual(lastRequest(), { netif: { set_stainfo: { ssid: 'HomeNetwork', password: SECRET, key_type: 3 } } });
      assert.deepStrictEqual(msg.payload, { ssid: 'HomeNetwork', key_type: 3 });
      assertNoSecret(msg);
    });

    it('cloud bind / unbind / server', async () => {
      await allowed('msg');
      const a = await exchange('sys', { action: 'cloud-bind', payload: { username: 'me@example.com' } });
      assert.ifError(a.error);
      assert.deepStrictEqual(state().cloud, { username: 'me@example.com', server: 'devs.tplinkcloud.com', binded: 1 });
      assert.deepStrictEqual(lastRequest(), { cnCloud: { bind: { username: 'me@example.com', password: SECRET } } });
      assert.deepStrictEqual(a.msg.payload, { username: 'me@example.com' });
      assertNoSecret(a.msg);
      await exchange('sys', { action: 'cloud-server', payload: { server: 'example.invalid' } });
      assert.strictEqual(state().cloud.server, 'example.invalid');
      await exchange('sys', { action: 'cloud-unbind' });
      assert.strictEqual(state().cloud.binded, 0);
    });
  });

  describe('credentials never leak', () => {
    const secretFree = (label, v) => assert.ok(!JSON.stringify(v === undefined ? null : v).includes(SECRET), `${label} holds the password`);
    function assertNoSecretAnywhere(extra = []) {
      for (const call of node().status.getCalls()) secretFree('status', call.args[0]);
      for (const call of helper.log().getCalls()) secretFree('log', String(call.args[0] && (call.args[0].msg || call.args[0])));
      extra.forEach((x, i) => secretFree(`value ${i}`, x));
    }

    it('not in the flow config, nor in errors of a bad, refused, failed or timed-out bind', async () => {
      await load({ action: 'cloud-bind', allowDestructive: true, username: 'me@example.com' }, 'dev', { sys: { password: SECRET } });
      assert.strictEqual(node().credentials.password, SECRET);
      secretFree('flow', flow({ action: 'cloud-bind', allowDestructive: true, username: 'me@example.com' }));
      sims.plug.setFault({ type: 'err-code', code: -7, times: 1 });
      const failed = await exchange('sys', { topic: 't' });
      assert.match(failed.error.message, /cnCloud\.bind: -7/);
      sims.plug.setFault('stall');
      const stalled = await exchange('sys', {});
      assert.strictEqual(stalled.error.kind, 'timeout');
      sims.plug.setFault(null);
      await sims.plug.stop();
      const refused = await exchange('sys', {});
      assert.match(refused.error.message, /refused/);
      for (const r of [failed, stalled, refused]) {
        secretFree('error', { message: r.error.message, stack: r.error.stack });
        secretFree('msg', r.msg);
      }
      assertNoSecretAnywhere();
    });

    it('a password that is too short or not wanted is reported without its value', async () => {
      await loadWith(flow({ action: 'join-wifi', allowDestructive: true, ssid: 'Home', keyType: '3' }), { sys: { password: 'short' } });
      const sent = sims.plug.requests.length;
      const a = await exchange('sys', {});
      assert.match(a.error.message, /invalid password: expected a string of 8 to 64 bytes/);
      assert.ok(!a.error.message.includes('short"'), a.error.message);
      await helper.unload();
      await loadWith(flow({ action: 'join-wifi', allowDestructive: true, ssid: 'Open', keyType: '0' }), { sys: { password: SECRET } });
      const b = await exchange('sys', {});
      assert.match(b.error.message, /invalid password: expected no password for an open network/);
      secretFree('error', b.error.message);
      assert.strictEqual(sims.plug.requests.length, sent);
      assertNoSecretAnywhere();
    });

    it('no password configured: an error naming password, nothing sent', async () => {
      await load({ action: 'cloud-bind', allowDestructive: true, username: 'me@example.com' });
      const sent = sims.plug.requests.length;
      const { error } = await exchange('sys', {});
      assert.match(error.message, /invalid password/);
      assert.strictEqual(sims.plug.requests.length, sent);
    });

    it('a password in msg.payload is refused without echoing it', async () => {
      await load({ action: 'join-wifi', allowDestructive: true, ssid: 'Home' }, 'dev', { sys: { password: SECRET } });
      const sent = sims.plug.requests.length;
      const { error } = await exchange('sys', { payload: { password: 'in-the-message-123' } });
      assert.match(error.message, /invalid payload\.password: expected no password in the message/);
      assert.ok(!error.message.includes('in-the-message-123'));
      assert.strictEqual(sims.plug.requests.length, sent);
    });
  });

  describe('bad input: an error naming the field, nothing sent', () => {
    const cases = [
      [{ action: 'alias' }, {}, /invalid alias/],
      [{ action: 'alias' }, { payload: { alias: 'x'.repeat(32) } }, /invalid alias: expected a name of 1 to 31 bytes/],
      [{ action: 'alias' }, { payload: { alias: 'a\u0000b' } }, /invalid alias/],
      [{ action: 'location', latitude: '91', longitude: '0' }, {}, /invalid latitude: expected a number from -90 to 90/],
      [{ action: 'location', latitude: 'north', longitude: '0' }, {}, /invalid latitude.*got "north"/],
      [{ action: 'location' }, { payload: { latitude: 1, longitude: 2, altitude: 3 } }, /invalid payload\.altitude/],
      [{ action: 'led' }, { payload: { on: 'yes' } }, /invalid on: expected true or false/],
      [{ action: 'led' }, { payload: { of: true } }, /invalid payload\.of: expected only the fields on/],
      [{ action: 'sysinfo' }, { payload: { alias: 'x' } }, /invalid payload\.alias: expected no arguments for this action/],
      [{ action: 'set-timezone' }, {}, /invalid index/],
      [{ action: 'set-timezone', tzIndex: '110' }, {}, /invalid index: expected an integer from 0 to 109/],
      [{ action: 'set-timezone', tzIndex: '1' }, { payload: { date: { year: 2030, month: 2, mday: 30, hour: 0, min: 0, sec: 0 } } }, /invalid date\.mday/],
      [{ action: 'scan', scanTimeout: '0' }, {}, /invalid timeout/],
      [{ action: 'reboot' }, { payload: { delay: -1 } }, /invalid delay/],
      [{ action: 'msg' }, {}, /invalid payload\.action: expected one of sysinfo, led/],
      [{ action: 'msg' }, { action: 'format-disk' }, /invalid action/],
      [{ action: 'msg' }, { payload: JSON.parse('{"action":"alias","__proto__":{"alias":"x"}}') }, /invalid payload\.__proto__/],
      [{ action: 'set-mac', allowDestructive: true }, { payload: { mac: '50-C7-BF' } }, /invalid mac/],
      [{ action: 'download-firmware', allowDestructive: true }, { payload: { url: 'ftp://example.invalid/fw' } }, /invalid url: expected an http\(s\) URL/],
      [{ action: 'cloud-server', allowDestructive: true }, { payload: { server: 'http://x/' } }, /invalid server/],
    ];
    for (const [props, msg, re] of cases) {
      it(`${JSON.stringify(props)} + ${JSON.stringify(msg).slice(0, 80)}`, async () => {
        await load(props);
        const sent = sims.plug.requests.length;
        const { error } = await exchange('sys', msg);
        assert.ok(error, 'expected an error');
        assert.match(error.message, re);
        assert.strictEqual(error.kind, 'invalid-input');
        assert.strictEqual(sims.plug.requests.length, sent, 'nothing reached the device');
        assert.strictEqual(statusOf().fill, 'red');
        assert.strictEqual({}.alias, undefined);
      });
    }
  });

  describe('errors from the device and the network', () => {
    it('a device err_code names module, method and code', async () => {
      await load({ action: 'led', led: 'off' });
      sims.plug.setFault({ type: 'err-code', code: -3 });
      const { error } = await exchange('sys', {});
      assert.match(error.message, /system\.set_led_off: -3/);
      assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'device error -3' });
    });

    it('refused connection, then recovery', async () => {
      await load({ action: 'sysinfo' });
      await sims.plug.stop();
      const { error } = await exchange('sys', {});
      assert.match(error.message, /connection refused/);
      assert.strictEqual(statusOf().text, 'refused');
      await sims.plug.restart();
      assert.ifError((await exchange('sys', {})).error);
    });

    it('a stalled device times out', async () => {
      await load({ action: 'time' });
      sims.plug.setFault('stall');
      const { error } = await exchange('sys', {});
      assert.strictEqual(error.kind, 'timeout');
      assert.strictEqual(statusOf().text, 'timeout');
    });
  });

  it('examples/system.json deploys and reads the simulated HS110', async () => {
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'system.json'), 'utf8'));
    assert.deepStrictEqual(example.map((n) => n.type).sort(), ['debug', 'inject', 'tplink-device', 'tplink-system']);
    const device = example.find((n) => n.type === 'tplink-device');
    assert.deepStrictEqual([device.name, device.host, device.port], ['Simulated HS110', '127.0.0.1', 9999]);
    assert.ok(!JSON.stringify(example).includes('password'), 'no password in the example');
    device.port = sims.plug.port;
    const inject = example.find((n) => n.type === 'inject');
    inject.once = false;
    inject.repeat = '';
    // The core debug node needs the editor's comms; a helper node stands in, same id. Imported nodes need a tab.
    const debug = example.find((n) => n.type === 'debug');
    const onTab = (n) => (n.type === 'tplink-device' ? n : { ...n, z: 'tab' });
    const ex = [{ id: 'tab', type: 'tab' }, ...example.map((n) => onTab(n === debug ? { id: n.id, type: 'helper' } : n))];
    await new Promise((resolve, reject) => helper.load([require('@node-red/nodes/core/common/20-inject.js'), ...nodeModules('tplink-system')], ex, (e) => (e ? reject(e) : resolve())));
    const got = new Promise((resolve) => helper.getNode(debug.id).on('input', resolve));
    helper.getNode(inject.id).receive({});
    const msg = await got;
    assert.strictEqual(msg.payload.alias, state().alias);
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load({ action: 'sysinfo' });
      await exchange('sys', {});
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
    assert.strictEqual(sims.plug.peakConnections, 1);
  });
});

function assertNoSecret(msg) {
  assert.ok(!JSON.stringify(msg).includes(SECRET), 'the message holds the password');
  const n = helper.getNode('sys');
  for (const call of n.status.getCalls()) assert.ok(!JSON.stringify(call.args[0]).includes(SECRET), 'the status holds the password');
}
