'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, load, exchange, wired, deviceNode, startSims, stopSims, nodeModules } = require('./support/nodes');

describe('tplink-raw node', function () {
  let sims;
  beforeEach(async () => { sims = await startSims({ plug: 'hs110', strip: 'hs300' }); });
  afterEach(async () => { await helper.unload(); await stopSims(sims); });

  const flow = (props = {}, dev = 'dev') => [deviceNode('dev', sims.plug), deviceNode('strip', sims.strip), ...wired('raw', 'tplink-raw', dev, props)];
  const lastRequest = (sim = sims.plug) => sim.requests[sim.requests.length - 1];
  const statusOf = () => helper.getNode('raw').status.lastCall.args[0];
  const state = () => sims.plug.device.state;

  describe('sending', () => {
    it('msg.payload as an object: the whole reply comes out, topic passed through', async () => {
      await load(['tplink-raw'], flow());
      const { msg, error } = await exchange('raw', { payload: { system: { get_sysinfo: {} } }, topic: 'q' });
      assert.ifError(error);
      assert.deepStrictEqual(lastRequest(), { system: { get_sysinfo: {} } });
      assert.strictEqual(msg.payload.system.get_sysinfo.alias, state().alias);
      assert.strictEqual(msg.payload.system.get_sysinfo.err_code, 0);
      assert.strictEqual(msg.topic, 'q');
      assert.deepStrictEqual(msg.device, { host: '127.0.0.1', port: sims.plug.port, alias: 'sim dev' });
      assert.deepStrictEqual(helper.getNode('raw').status.firstCall.args[0], { fill: 'yellow', shape: 'ring', text: 'sending…' });
      assert.deepStrictEqual(statusOf(), { fill: 'green', shape: 'dot', text: 'ok' });
    });

    it('msg.payload as JSON text; several modules and methods in one request', async () => {
      await load(['tplink-raw'], flow());
      const { msg } = await exchange('raw', { payload: '{"system":{"set_led_off":{"off":1},"get_sysinfo":null},"time":{"get_time":null}}' });
      assert.deepStrictEqual(lastRequest(), { system: { set_led_off: { off: 1 }, get_sysinfo: null }, time: { get_time: null } });
      assert.strictEqual(state().ledOff, 1);
      assert.strictEqual(msg.payload.system.set_led_off.err_code, 0);
      assert.strictEqual(msg.payload.system.get_sysinfo.led_off, 1);
      assert.strictEqual(typeof msg.payload.time.get_time.year, 'number');
    });

    it('the editor request is sent when set, and msg.payload is ignored', async () => {
      await load(['tplink-raw'], flow({ request: '{"system":{"set_dev_alias":{"alias":"From editor"}}}' }));
      const { msg } = await exchange('raw', { payload: { system: { reset: { delay: 1 } } } });
      assert.strictEqual(state().alias, 'From editor');
      assert.strictEqual(state().resets, 0);
      assert.deepStrictEqual(msg.payload, { system: { set_dev_alias: { err_code: 0 } } });
    });

    it('what is sent is a fresh copy of the checked request', async () => {
      await load(['tplink-raw'], flow());
      const payload = { system: { set_dev_alias: { alias: 'Copy' } } };
      const { msg } = await exchange('raw', { payload });
      assert.notStrictEqual(msg.payload, payload);
      assert.deepStrictEqual(payload, { system: { set_dev_alias: { alias: 'Copy' } } }, 'the input is not modified');
      assert.strictEqual(state().alias, 'Copy');
    });

    it('HS300: an outlet from the node or msg.outlet adds the context', async () => {
      await load(['tplink-raw'], flow({ outlet: '2' }, 'strip'));
      const a = await exchange('raw', { payload: { system: { set_relay_state: { state: 1 } } } });
      assert.ifError(a.error);
      assert.strictEqual(Number(sims.strip.device.relay(2)), 1);
      assert.strictEqual(Number(sims.strip.device.relay(1)), 0);
      assert.deepStrictEqual(lastRequest(sims.strip), { context: { child_ids: [sims.strip.device.childId(2)] }, system: { set_relay_state: { state: 1 } } });
      await exchange('raw', { payload: { system: { set_relay_state: { state: 1 } } }, outlet: 5 });
      assert.strictEqual(Number(sims.strip.device.relay(5)), 1);
      const c = await exchange('raw', { payload: { system: { set_relay_state: { state: 1 } } }, outlet: 6 });
      assert.match(c.error.message, /invalid outlet/);
    });

    it('HS300: a request with its own context is sent as is; with an outlet too it is refused', async () => {
      await load(['tplink-raw'], flow({}, 'strip'));
      const id = sims.strip.device.childId(3);
      const a = await exchange('raw', { payload: { context: { child_ids: [id] }, system: { set_relay_state: { state: 1 } } } });
      assert.ifError(a.error);
      assert.strictEqual(Number(sims.strip.device.relay(3)), 1);
      const sent = sims.strip.requests.length;
      const b = await exchange('raw', { payload: { context: { child_ids: [id] }, system: { set_relay_state: { state: 0 } } }, outlet: 1 });
      assert.match(b.error.message, /invalid outlet: expected no outlet when the request carries its own "context"/);
      assert.strictEqual(sims.strip.requests.length, sent);
    });
  });

  describe('err_code checking', () => {
    it('on (default): a method error names module, method and code', async () => {
      await load(['tplink-raw'], flow());
      const { error, msg } = await exchange('raw', { payload: { system: { get_sysinfo: {}, set_led_off: { off: 5 } } }, topic: 't' });
      assert.strictEqual(error.kind, 'device');
      assert.match(error.message, /system\.set_led_off: -3/);
      assert.strictEqual(msg.topic, 't');
      assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'device error -3' });
    });

    it('on: a module-level error (module not supported) names the module', async () => {
      await load(['tplink-raw'], flow());
      const { error } = await exchange('raw', { payload: { 'smartlife.iot.dimmer': { set_brightness: { brightness: 5 } } } });
      assert.match(error.message, /smartlife\.iot\.dimmer\.set_brightness: -1 "module not support"/);
    });

    it('off: the reply goes out as it came; the status shows the code', async () => {
      await load(['tplink-raw'], flow({ checkErrors: false }));
      const { msg, error } = await exchange('raw', { payload: { system: { set_led_off: { off: 5 } }, emeterx: { get_realtime: {} } } });
      assert.ifError(error);
      assert.deepStrictEqual(msg.payload, { system: { set_led_off: { err_code: -3, err_msg: 'invalid argument' } }, emeterx: { err_code: -1, err_msg: 'module not support' } });
      assert.deepStrictEqual(statusOf(), { fill: 'grey', shape: 'dot', text: 'err_code -3' });
    });
  });

  describe('device-changing commands', () => {
    const cases = [
      [{ system: { reset: { delay: 1 } } }, 'system.reset'],
      [{ system: { get_sysinfo: {}, set_mac_addr: { mac: '50-C7-BF-01-02-03' } } }, 'system.set_mac_addr'],
      [{ time: { get_time: null }, netif: { set_stainfo: { ssid: 'x', password: '12345678', key_type: 3 } } }, 'netif.set_stainfo'],
      [{ cnCloud: { unbind: null } }, 'cnCloud.unbind'],
      [{ emeter: { set_vgain_igain: { vgain: 1, igain: 1 } } }, 'emeter.set_vgain_igain'],
      ['{"system":{"flash_firmware":{}}}', 'system.flash_firmware'],
    ];
    for (const [payload, name] of cases) {
      it(`${name} is refused without "allow device-changing commands"; nothing sent`, async () => {
        await load(['tplink-raw'], flow());
        const sent = sims.plug.requests.length;
        const { error } = await exchange('raw', { payload });
        assert.strictEqual(error.kind, 'not-allowed');
        assert.ok(error.message.includes(name), error.message);
        assert.strictEqual(sims.plug.requests.length, sent);
        assert.deepStrictEqual(statusOf(), { fill: 'red', shape: 'ring', text: 'not allowed' });
      });
    }

    it('the editor request is checked too', async () => {
      await load(['tplink-raw'], flow({ request: '{"system":{"reset":{"delay":1}}}' }));
      const sent = sims.plug.requests.length;
      const { error } = await exchange('raw', { payload: 1 });
      assert.strictEqual(error.kind, 'not-allowed');
      assert.strictEqual(sims.plug.requests.length, sent);
    });

    it('are sent when allowed', async () => {
      await load(['tplink-raw'], flow({ allowDestructive: true }));
      const { error } = await exchange('raw', { payload: { system: { reset: { delay: 1 }, set_hw_id: { hwId: 'AB'.repeat(16) } } } });
      assert.ifError(error);
      assert.strictEqual(state().resets, 1);
      assert.strictEqual(state().hwId, 'AB'.repeat(16));
    });
  });

  describe('bad requests: an error naming the field, nothing sent', () => {
    const deep = JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20));
    const cases = [
      ['{"system":{"get_sysinfo":{}}', /invalid payload: expected valid JSON/],
      ['not json', /invalid payload: expected valid JSON/],
      ['', /invalid payload: expected valid JSON/],
      ['[1,2]', /invalid payload: expected a JSON object of module → method → arguments/],
      [[{ system: { get_sysinfo: {} } }], /invalid payload: expected a JSON object/],
      [12345, /invalid payload: expected a JSON object/],
      [null, /invalid payload: expected a JSON object/],
      [undefined, /invalid payload: expected a JSON object/],
      [{}, /invalid payload: expected a JSON object/],
      [{ system: 1 }, /invalid payload\.system: expected an object of method → arguments/],
      [{ system: {} }, /invalid payload\.system: expected an object of method → arguments/],
      [{ system: [] }, /invalid payload\.system: expected an object of method → arguments/],
      [{ 'sys tem': { get_sysinfo: {} } }, /invalid payload\.sys tem: expected a module name/],
      [{ system: { 'get-sysinfo()': {} } }, /invalid payload\.system\.get-sysinfo\(\): expected a method name/],
      ['{"__proto__":{"polluted":1},"system":{"get_sysinfo":{}}}', /invalid payload\.__proto__: expected no "__proto__" key/],
      [JSON.parse('{"system":{"set_dev_alias":{"__proto__":{"polluted":1},"alias":"x"}}}'), /invalid payload\.system\.set_dev_alias\.__proto__/],
      [{ system: { set_dev_alias: { alias: NaN } } }, /invalid payload\.system\.set_dev_alias\.alias: expected a finite number/],
      [{ system: { set_dev_alias: { alias: () => 1 } } }, /invalid payload\.system\.set_dev_alias\.alias: expected plain JSON/],
      [{ system: { set_dev_alias: { alias: new Date(0) } } }, /invalid payload\.system\.set_dev_alias\.alias: expected plain JSON/],
      [{ system: { get_sysinfo: deep } }, /expected at most 16 levels of nesting/],
      [JSON.stringify({ system: { set_dev_icon: { icon: 'x'.repeat(70000), hash: '' } } }), /invalid payload: expected JSON of at most 65536 bytes/],
      [{ system: { set_dev_icon: { icon: 'x'.repeat(70000), hash: '' } } }, /invalid payload: expected a request of at most 65536 bytes/],
      [{ context: { child_ids: ['01'] } }, /invalid payload: expected a JSON object/],
      [{ context: { child_ids: 'x' }, system: { get_sysinfo: {} } }, /invalid payload\.context: expected \{"child_ids"/],
      [{ context: { child_ids: ['x y'] }, system: { get_sysinfo: {} } }, /invalid payload\.context/],
    ];
    for (const [payload, re] of cases) {
      const label = typeof payload === 'function' ? 'fn' : (JSON.stringify(payload) || String(payload)).slice(0, 60);
      it(label, async () => {
        await load(['tplink-raw'], flow());
        const sent = sims.plug.requests.length;
        const { error } = await exchange('raw', { payload });
        assert.ok(error, 'expected an error');
        assert.match(error.message, re);
        assert.strictEqual(error.kind, 'invalid-input');
        assert.strictEqual(sims.plug.requests.length, sent, 'nothing reached the device');
        assert.strictEqual(statusOf().fill, 'red');
        assert.strictEqual({}.polluted, undefined);
      });
    }

    it('an invalid editor request is an error naming request', async () => {
      await load(['tplink-raw'], flow({ request: '{"system":' }));
      const sent = sims.plug.requests.length;
      const { error } = await exchange('raw', { payload: { system: { get_sysinfo: {} } } });
      assert.match(error.message, /invalid request: expected valid JSON/);
      assert.strictEqual(sims.plug.requests.length, sent);
    });
  });

  describe('requests built in a Function node (another vm realm)', () => {
    // The Function node runs user code in its own vm context: its objects have that
    // context's Object.prototype, not ours. They are plain JSON all the same.
    async function viaFunction(func, props = {}) {
      const fnNode = require('@node-red/nodes/core/function/10-function.js');
      await new Promise((resolve, reject) => helper.load([fnNode, ...nodeModules('tplink-raw')], [
        deviceNode('dev', sims.plug), deviceNode('strip', sims.strip),
        { id: 'fn', type: 'function', func, outputs: 1, wires: [['raw']] },
        { id: 'raw', type: 'tplink-raw', device: props.device || 'dev', wires: [['raw-out']], ...props },
        { id: 'raw-out', type: 'helper' },
      ], (e) => (e ? reject(e) : resolve())));
      const raw = helper.getNode('raw');
      return new Promise((resolve) => {
        helper.getNode('raw-out').once('input', (msg) => resolve({ msg }));
        raw.once('call:error', (call) => resolve({ error: call.args[0] }));
        helper.getNode('fn').receive({ payload: 1 });
      });
    }

    it('a plain object from the Function node is sent (nested objects, arrays, null)', async () => {
      const { msg, error } = await viaFunction(
        'msg.payload = { system: { get_sysinfo: {} }, time: { get_time: null } };\n'
        + 'return msg;');
      assert.ifError(error);
      assert.deepStrictEqual(lastRequest(), { system: { get_sysinfo: {} }, time: { get_time: null } });
      assert.strictEqual(msg.payload.system.get_sysinfo.alias, state().alias);
    });

    it('with an outlet and a child-id array built there too', async () => {
      const { error } = await viaFunction(
        `msg.payload = { context: { child_ids: [${JSON.stringify(sims.strip.device.childId(1))}] }, system: { set_relay_state: { state: 1 } } }; return msg;`,
        { device: 'strip' });
      assert.ifError(error);
      assert.strictEqual(sims.strip.device.relay(1), true);
      assert.strictEqual(sims.strip.device.relay(0), false);
    });

    it('a class instance, a Date or a Map from that realm is still refused; nothing sent', async () => {
      for (const expr of ['new (class Req { constructor() { this.system = { get_sysinfo: {} }; } })()', '{ system: { get_sysinfo: new Date(0) } }', '{ system: { get_sysinfo: new Map() } }']) {
        const sent = sims.plug.requests.length;
        const { error } = await viaFunction(`msg.payload = ${expr}; return msg;`);
        assert.ok(error, expr);
        assert.strictEqual(error.kind, 'invalid-input', expr);
        assert.strictEqual(sims.plug.requests.length, sent, expr);
        await helper.unload();
      }
    });
  });

  describe('module and method names follow the protocol grammar, before any other check', () => {
    // "system." / "system-" / "system_" are not "system" to the guard, but firmware may
    // read them as system: a misspelt name must never reach the device.
    const odd = [
      [{ 'system.': { reset: {} } }, 'payload.system.'],
      [{ 'system-': { reset: {} } }, 'payload.system-'],
      [{ system_: { reset: {} } }, 'payload.system_'],
      [{ '.system': { reset: {} } }, 'payload..system'],
      [{ 'smartlife..system': { reset: {} } }, 'payload.smartlife..system'],
      [{ _system: { reset: {} } }, 'payload._system'],
      [{ system: { 'reset_': {} } }, 'payload.system.reset_'],
      [{ system: { 'reset.': {} } }, 'payload.system.reset.'],
      [{ system: { _reset: {} } }, 'payload.system._reset'],
      [{ system: { 're__set': {} } }, 'payload.system.re__set'],
    ];
    for (const allowDestructive of [false, true]) {
      for (const [payload, field] of odd) {
        it(`${JSON.stringify(payload)}${allowDestructive ? ' (even when allowed)' : ''}: invalid ${field}, nothing sent`, async () => {
          await load(['tplink-raw'], flow({ allowDestructive }));
          const sent = sims.plug.requests.length;
          const { error } = await exchange('raw', { payload });
          assert.ok(error, 'expected an error');
          assert.strictEqual(error.kind, 'invalid-input');
          assert.strictEqual(error.field, field);
          assert.ok(error.message.startsWith(`invalid ${field}: expected a `), error.message);
          assert.strictEqual(sims.plug.requests.length, sent);
          assert.strictEqual(state().resets, 0);
        });
      }
    }

    it('the real names pass: dotted families, count_down, anti_theft, cnCloud', async () => {
      await load(['tplink-raw'], flow({ checkErrors: false }));
      const payload = { 'smartlife.iot.common.emeter': { get_realtime: {} }, count_down: { get_rules: null }, anti_theft: { get_rules: null }, cnCloud: { get_info: null } };
      const { error } = await exchange('raw', { payload });
      assert.ifError(error);
      assert.deepStrictEqual(lastRequest(), payload);
    });
  });

  it('the config node keeps Node.send: its request function is device.request', async () => {
    await load(['tplink-raw'], flow());
    const dev = helper.getNode('dev');
    // Node-RED's own send (a config node has no wires): a message goes nowhere, least of all to the plug.
    const sent = sims.plug.requests.length;
    const r = dev.send({ payload: { system: { set_dev_alias: { alias: 'via send' } } } });
    assert.ok(!(r instanceof Promise), 'send is not the request function');
    await new Promise((res) => setTimeout(res, 50));
    assert.strictEqual(sims.plug.requests.length, sent);
    assert.notStrictEqual(state().alias, 'via send');
    assert.strictEqual(typeof dev.request, 'function');
    const reply = await dev.request({ system: { get_sysinfo: {} } });
    assert.strictEqual(reply.system.get_sysinfo.alias, state().alias);
  });

  describe('errors from the network', () => {
    it('refused connection, then recovery', async () => {
      await load(['tplink-raw'], flow());
      await sims.plug.stop();
      const { error } = await exchange('raw', { payload: { system: { get_sysinfo: {} } } });
      assert.match(error.message, /connection refused/);
      assert.strictEqual(statusOf().text, 'refused');
      await sims.plug.restart();
      assert.ifError((await exchange('raw', { payload: { system: { get_sysinfo: {} } } })).error);
    });

    it('a stalled device times out', async () => {
      await load(['tplink-raw'], flow());
      sims.plug.setFault('stall');
      const { error } = await exchange('raw', { payload: { system: { get_sysinfo: {} } } });
      assert.strictEqual(error.kind, 'timeout');
      assert.strictEqual(statusOf().text, 'timeout');
    });
  });

  it('examples/raw.json deploys and queries the simulated HS110', async () => {
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'raw.json'), 'utf8'));
    assert.deepStrictEqual(example.map((n) => n.type).sort(), ['debug', 'inject', 'tplink-device', 'tplink-raw']);
    const device = example.find((n) => n.type === 'tplink-device');
    assert.deepStrictEqual([device.name, device.host, device.port], ['Simulated HS110', '127.0.0.1', 9999]);
    device.port = sims.plug.port;
    const inject = example.find((n) => n.type === 'inject');
    // The core debug node needs the editor's comms; a helper node stands in, same id. Imported nodes need a tab.
    const debug = example.find((n) => n.type === 'debug');
    const onTab = (n) => (n.type === 'tplink-device' ? n : { ...n, z: 'tab' });
    const ex = [{ id: 'tab', type: 'tab' }, ...example.map((n) => onTab(n === debug ? { id: n.id, type: 'helper' } : n))];
    await new Promise((resolve, reject) => helper.load([require('@node-red/nodes/core/common/20-inject.js'), ...nodeModules('tplink-raw')], ex, (e) => (e ? reject(e) : resolve())));
    const got = new Promise((resolve) => helper.getNode(debug.id).on('input', resolve));
    helper.getNode(inject.id).receive({});
    const msg = await got;
    assert.strictEqual(msg.payload.system.get_sysinfo.alias, state().alias);
    assert.strictEqual(typeof msg.payload.time.get_time.hour, 'number');
  });

  it('redeploys leave no connection open on the device', async () => {
    for (let i = 0; i < 3; i++) {
      await load(['tplink-raw'], flow());
      await exchange('raw', { payload: { system: { get_sysinfo: {} } } });
      await helper.unload();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(sims.plug.activeConnections, 0);
    assert.strictEqual(sims.plug.peakConnections, 1);
  });
});
