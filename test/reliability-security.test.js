'use strict';
// Security: device-changing commands need the node's explicit permission (nothing
// is sent otherwise); passwords live in Node-RED credentials and never show up in
// the flow, messages, logs, status or errors, even when a hostile device echoes
// them; admin routes sit behind permissions; the reply-size cap and the queue bound
// protect the runtime from a hostile or stalled device.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, wired } = require('./support/nodes');
const { PlugSimulator } = require('../nodes/simulator');
const {
  crashWatch, loadFlow, send, burst, hostileServer, wireReply, until, reportWriter, gc, forgetSpyHistory, settledHeap,
} = require('./support/fault-harness');

const SECRET = 'Hunter2-Wifi-Passw0rd';
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const device = (port, extra = {}) => ({ id: 'dev', type: 'tplink-device', name: 'sec', host: '127.0.0.1', port, timeout: 300, transport: 'tcp', ...extra });

// tplink-system actions that can break a device, with arguments and the method they send.
const SYSTEM_DESTRUCTIVE = [
  ['reset', { delay: 1 }, 'system.reset'],
  ['set-mac', { mac: '50-C7-BF-0A-0B-0C' }, 'system.set_mac_addr'],
  ['set-device-id', { deviceId: 'AB'.repeat(20) }, 'system.set_device_id'],
  ['set-hw-id', { hwId: 'CD'.repeat(16) }, 'system.set_hw_id'],
  ['test-mode', { enable: true }, 'system.set_test_mode'],
  ['download-firmware', { url: 'http://example.invalid/fw.bin' }, 'system.download_firmware'],
  ['flash-firmware', {}, 'system.flash_firmware'],
  ['join-wifi', { ssid: 'Home', keyType: 3 }, 'netif.set_stainfo'],
  ['cloud-bind', { username: 'me@example.com' }, 'cnCloud.bind'],
  ['cloud-unbind', {}, 'cnCloud.unbind'],
  ['cloud-server', { server: 'example.invalid' }, 'cnCloud.set_server_url'],
];

// Every method of docs/protocol.md's "Commands that can break a device", as raw requests.
const RAW_DESTRUCTIVE = [
  { system: { reset: { delay: 1 } } },
  { system: { set_mac_addr: { mac: '50-C7-BF-01-02-03' } } },
  { system: { set_device_id: { deviceId: '0123456789ABCDEF0123456789ABCDEF01234567' } } },
  { system: { set_hw_id: { hwId: '0123456789ABCDEF0123456789ABCDEF' } } },
  { system: { set_test_mode: { enable: 1 } } },
  { system: { download_firmware: { url: 'http://example.invalid/fw.bin' } } },
  { system: { flash_firmware: {} } },
  { netif: { set_stainfo: { ssid: 'WiFi', password: 'secret12', key_type: 3 } } },
  { cnCloud: { bind: { username: 'your@email.com', password: 'secret12' } } },
  { cnCloud: { unbind: null } },
  { cnCloud: { set_server_url: { server: 'devs.tplinkcloud.com' } } },
  { emeter: { set_vgain_igain: { vgain: 13462, igain: 16835 } } },
  { emeter: { start_calibration: { vtarget: 13462, itarget: 16835 } } },
];
const nameOf = (req) => { const m = Object.keys(req)[0]; return `${m}.${Object.keys(req[m])[0]}`; };

describe('reliability: security', function () {
  this.timeout(30000);
  const report = reportWriter('security');
  let sim;
  let watch;

  beforeEach(async () => {
    watch = crashWatch();
    sim = await PlugSimulator.start({ model: 'hs110', host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await helper.unload();
    await sim.stop();
    watch.stop();
    watch.assertNone();
  });
  after(() => report.flush());

  function assertRefused(r, name) {
    assert.ok(r.error, `expected a refusal, got ${JSON.stringify(r.msg && r.msg.payload)}`);
    assert.strictEqual(r.error.kind, 'not-allowed', r.error.message);
    assert.ok(r.error.message.includes(name), r.error.message);
    assert.deepStrictEqual(r.status, { fill: 'red', shape: 'ring', text: 'not allowed' });
  }

  describe('device-changing commands are refused unless explicitly allowed, nothing sent', () => {
    it('tplink-system: every one, from the node setting, msg.action and msg.payload.action; a non-boolean "allow" does not count', async () => {
      const flow = [device(sim.port)];
      for (const [action] of SYSTEM_DESTRUCTIVE) flow.push(...wired(`s-${action}`, 'tplink-system', 'dev', { action }));
      flow.push(...wired('s-msg', 'tplink-system', 'dev', { action: 'msg' }));
      flow.push(...wired('s-str', 'tplink-system', 'dev', { action: 'msg', allowDestructive: 'true' }));
      flow.push(...wired('s-one', 'tplink-system', 'dev', { action: 'msg', allowDestructive: 1 }));
      const creds = Object.fromEntries(flow.filter((n) => n.type === 'tplink-system').map((n) => [n.id, { password: SECRET }]));
      await loadFlow(['tplink-system'], flow, creds);
      const sent = sim.requests.length;
      // (Not the whole sysinfo: its on_time counts seconds while the relay is on.)
      const snapshot = () => JSON.stringify(['alias', 'mac', 'deviceId', 'hwId', 'testMode', 'cloud', 'wifi', 'firmware', 'gains', 'reboots', 'resets', 'calibrations'].map((k) => sim.device.state[k]));
      const state = snapshot();
      for (const [action, payload, name] of SYSTEM_DESTRUCTIVE) {
        assertRefused(await send(`s-${action}`, { payload }), name);
        assertRefused(await send('s-msg', { action, payload }), name);
        assertRefused(await send('s-msg', { payload: { action, ...payload } }), name);
        assertRefused(await send('s-str', { action, payload }), name);
        assertRefused(await send('s-one', { action, payload }), name);
      }
      assert.strictEqual(sim.requests.length, sent, 'nothing reached the device');
      assert.strictEqual(snapshot(), state, 'the device is unchanged');
      report.add({ check: 'tplink-system device-changing actions without permission', cases: SYSTEM_DESTRUCTIVE.length * 5, outcome: 'all refused (not-allowed), 0 requests sent' });
    });

    it('tplink-raw: every docs/protocol.md method, alone, hidden among harmless ones, as JSON text, with \\u escapes, in the node\'s own request', async () => {
      const flow = [device(sim.port), ...wired('raw', 'tplink-raw', 'dev', {}), ...wired('raw-str', 'tplink-raw', 'dev', { allowDestructive: 'true' })];
      RAW_DESTRUCTIVE.forEach((req, k) => flow.push(...wired(`fixed-${k}`, 'tplink-raw', 'dev', { request: JSON.stringify(req) })));
      await loadFlow(['tplink-raw'], flow);
      const sent = sim.requests.length;
      let cases = 0;
      for (const [k, req] of RAW_DESTRUCTIVE.entries()) {
        const name = nameOf(req);
        const [mod, method] = name.split('.');
        const hidden = { time: { get_time: null }, [mod]: { get_sysinfo: {}, ...req[mod] }, schedule: { get_rules: null } };
        const escaped = JSON.stringify(req).replace(`"${method}"`, `"${method.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"`);
        for (const payload of [req, hidden, JSON.stringify(req), JSON.stringify(hidden), escaped]) {
          assertRefused(await send('raw', { payload }), name);
          cases++;
        }
        assertRefused(await send('raw-str', { payload: req }), name);
        assertRefused(await send(`fixed-${k}`, { payload: { system: { get_sysinfo: {} } } }), name);
        cases += 2;
      }
      // Other spellings and other Kasa module families of the same methods.
      for (const [mod, method] of [['System', 'RESET'], ['smartlife.iot.common.system', 'reset'], ['smartlife.iot.common.cloud', 'bind'], ['smartlife.iot.common.emeter', 'set_vgain_igain'], ['NETIF', 'Set_StaInfo']]) {
        assertRefused(await send('raw', { payload: { [mod]: { [method]: {} } } }), `${mod}.${method}`);
        cases++;
      }
      assert.strictEqual(sim.requests.length, sent, 'nothing reached the device');
      // JSON text with a duplicate key: the request is rebuilt from what JSON.parse kept,
      // so the device gets exactly that (here a harmless get_sysinfo), never the reset.
      const dup = await send('raw', { payload: '{"system":{"reset":{"delay":1}},"system":{"get_sysinfo":{}}}' });
      assert.ifError(dup.error);
      assert.deepStrictEqual(sim.requests.slice(sent), [{ system: { get_sysinfo: {} } }]);
      // Look-alike module names (Cyrillic "ѕ") are not names at all: refused as invalid.
      const look = await send('raw', { payload: { 'ѕystem': { reset: { delay: 1 } } } });
      assert.strictEqual(look.error.kind, 'invalid-input');
      assert.strictEqual(sim.requests.length, sent + 1);
      report.add({ check: 'tplink-raw device-changing methods without permission', cases, outcome: 'all refused (not-allowed), 0 requests sent; duplicate-key JSON sends only what JSON.parse kept' });
    });

    it('positive control: with the permission ticked the same commands do go out', async () => {
      await loadFlow(['tplink-raw', 'tplink-system'], [device(sim.port), ...wired('raw', 'tplink-raw', 'dev', { allowDestructive: true }),
        ...wired('sys', 'tplink-system', 'dev', { action: 'reset', allowDestructive: true })]);
      const before = sim.device.state.resets;
      assert.ifError((await send('raw', { payload: { system: { reset: { delay: 1 } } } })).error);
      assert.ifError((await send('sys', { payload: { delay: 1 } })).error);
      assert.strictEqual(sim.device.state.resets, before + 2);
    });

    it('tplink-emeter: erase is refused without "allow erasing statistics"; calibration is not offered at all', async () => {
      await loadFlow(['tplink-emeter'], [device(sim.port), ...wired('em', 'tplink-emeter', 'dev', { action: 'msg' }), ...wired('em-str', 'tplink-emeter', 'dev', { action: 'erase', allowErase: 'true' })]);
      const sent = sim.requests.length;
      assertRefused(await send('em', { action: 'erase' }), 'emeter.erase_emeter_stat');
      assertRefused(await send('em', { payload: { action: 'erase' } }), 'emeter.erase_emeter_stat');
      assertRefused(await send('em-str', {}), 'emeter.erase_emeter_stat');
      for (const action of ['set_vgain_igain', 'start_calibration', 'calibrate']) {
        const r = await send('em', { action });
        assert.strictEqual(r.error.kind, 'invalid-input');
      }
      assert.strictEqual(sim.requests.length, sent);
    });
  });

  describe('passwords', () => {
    const html = fs.readFileSync(path.join(__dirname, '..', 'nodes', 'tplink-system.html'), 'utf8');

    it('are declared as credentials of tplink-system, not flow properties', () => {
      const reg = html.slice(html.indexOf("registerType('tplink-system'"));
      assert.ok(reg.length > 0);
      const defaults = reg.slice(reg.indexOf('defaults:'), reg.indexOf('credentials:'));
      assert.ok(!/\bpassword\s*:/.test(defaults), 'no password among the defaults (the flow JSON)');
      assert.match(reg, /credentials:\s*\{\s*password:\s*\{\s*type:\s*'password'\s*\}/);
      assert.match(html, /type="password"/, 'a password input in the edit dialog');
    });

    it('never appear in the deployed flow, messages, replies, status, logs or errors, whatever the device does', async () => {
      const props = (action) => ({ action, allowDestructive: true, ssid: 'Home', keyType: '3', username: 'me@example.com' });
      const flow = [device(sim.port), ...wired('wifi', 'tplink-system', 'dev', props('join-wifi')), ...wired('bind', 'tplink-system', 'dev', props('cloud-bind')),
        ...wired('locked', 'tplink-system', 'dev', { action: 'cloud-bind', username: 'me@example.com' })];
      await loadFlow(['tplink-system'], flow, { wifi: { password: SECRET }, bind: { password: SECRET }, locked: { password: SECRET } });
      assert.strictEqual(helper.getNode('wifi').credentials.password, SECRET, 'the node has it at run time');
      const deployed = JSON.stringify(helper._redNodes.getFlows());
      assert.ok(!deployed.includes(SECRET), 'not in the deployed flow configuration');

      const seen = []; // [what, value]
      const outcomes = [];
      const run = async (label, id, msg = {}) => {
        const r = await send(id, msg);
        // (A msg that came in holding the password still holds it: that is the sender's doing.)
        if (!JSON.stringify(msg).includes(SECRET)) seen.push([`${label} msg`, r.msg]);
        seen.push([`${label} status`, r.status]);
        if (r.error) seen.push([`${label} error`, { message: r.error.message, stack: r.error.stack, cause: String(r.error.cause || '') }]);
        outcomes.push({ label, result: r.error ? `error: ${r.error.message}` : 'ok', status: r.status.text });
        return r;
      };
      for (const id of ['wifi', 'bind']) {
        await run(`${id} ok`, id);
        sim.setFault({ type: 'err-code', code: -7, msg: 'unknown error' });
        await run(`${id} err_code`, id);
        // A hostile device echoes the password back, in err_msg and in the reply.
        sim.setFault({ type: 'err-code', code: -3, msg: `bad password ${SECRET}` });
        await run(`${id} echoed in err_msg`, id);
        sim.setFault({ type: 'err-code', code: -3, msg: SECRET });
        await run(`${id} err_msg is the password`, id);
        const mod = id === 'wifi' ? 'netif' : 'cnCloud';
        const method = id === 'wifi' ? 'set_stainfo' : 'bind';
        sim.setFault({ type: 'wrong-shape', body: { [mod]: { [method]: { err_code: 0, password: SECRET, note: `saved ${SECRET}` } } } });
        await run(`${id} echoed in the reply`, id);
        sim.setFault({ type: 'non-json', text: `<html>password=${SECRET}</html>` });
        await run(`${id} echoed in a non-JSON reply`, id);
        sim.setFault('stall');
        await run(`${id} timeout`, id);
        sim.setFault(null);
        await sim.stop();
        await run(`${id} refused`, id);
        await sim.listen();
        await run(`${id} bad argument`, id, { payload: { ssid: 'x'.repeat(40), username: 'x'.repeat(300) } });
        await run(`${id} password in msg`, id, { payload: { password: SECRET } });
      }
      await run('not allowed', 'locked');
      for (const call of helper.getNode('wifi').status.getCalls()) seen.push(['status call', call.args[0]]);
      for (const call of helper.log().getCalls()) seen.push(['log', call.args[0]]);
      const leaks = seen.filter(([, v]) => JSON.stringify(v === undefined ? null : v, (k, x) => (x instanceof Error ? { message: x.message, stack: x.stack } : x)).includes(SECRET)).map(([w]) => w);
      report.add({ check: 'password leak hunt', cases: outcomes.length, outcome: leaks.length ? `LEAKS: ${[...new Set(leaks)].join(', ')}` : 'no leak in flow, msgs, replies, status, logs, errors', outcomes });
      assert.deepStrictEqual([...new Set(leaks)], [], 'where the password showed up');
      // The device itself did get it, of course (only through the commands that need it).
      assert.ok(JSON.stringify(sim.requests).includes(SECRET));
    });
  });

  describe('admin endpoints', () => {
    it('every route any of our node files registers is under /tplink-smartplug/ and behind RED.auth.needsPermission', () => {
      const pkg = require('../package.json');
      const routes = [];
      const app = {};
      for (const verb of ['get', 'post', 'put', 'delete', 'patch', 'use', 'all']) {
        app[verb] = (p, ...mw) => routes.push({ verb, path: p, mw });
      }
      const RED = {
        httpAdmin: app,
        httpNode: app,
        auth: { needsPermission: (perm) => { const f = (req, res, next) => next(); f.perm = perm; return f; } },
        nodes: { registerType() {}, createNode() {}, getNode() { return null; } },
        settings: {},
        events: { on() {} },
        log: { info() {}, warn() {}, error() {}, debug() {}, trace() {} },
        _: (k) => k,
        util: {},
      };
      const files = Object.values(pkg['node-red'].nodes);
      for (const f of files) {
        const file = path.join(__dirname, '..', f);
        if (!fs.existsSync(file)) continue;
        delete require.cache[require.resolve(file)];
        require(file)(RED);
      }
      assert.ok(routes.length > 0, 'the discovery/outlet routes exist');
      for (const r of routes) {
        assert.ok(typeof r.path === 'string' && r.path.startsWith('/tplink-smartplug/'), `${r.verb} ${r.path}: under the package prefix`);
        assert.ok(r.mw.length >= 2 && typeof r.mw[0].perm === 'string', `${r.verb} ${r.path}: the first handler is needsPermission`);
        assert.match(r.mw[0].perm, /^tplink-[a-z-]+\.(read|write)$/);
      }
      report.add({ check: 'admin routes', cases: routes.length, outcome: routes.map((r) => `${r.verb.toUpperCase()} ${r.path} → ${r.mw[0].perm}`).join('; ') });
    });
  });

  describe('a hostile device cannot exhaust the runtime', () => {
    it('a reply header over the 1 MiB cap is refused at once, without reading or allocating what follows', async () => {
      const MB = 1024 * 1024;
      const flood = Buffer.alloc(MB, 0x41);
      let written = 0;
      const bad = await hostileServer((socket) => {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(64 * MB, 0); // claims 64 MiB, and starts sending them
        socket.write(head);
        const pump = () => {
          while (!socket.destroyed && written < 64 * MB) {
            written += flood.length;
            if (!socket.write(flood)) { socket.once('drain', pump); return; }
          }
        };
        pump();
      });
      try {
        await loadFlow(['tplink-relay'], [device(bad.port), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
        gc();
        const before = process.memoryUsage();
        const r = await send('relay', { payload: true });
        assert.strictEqual(r.error.kind, 'protocol');
        assert.match(r.error.message, /^reply length header claims 67108864 bytes, over the 1048576-byte cap; connection dropped$/);
        assert.strictEqual(r.status.text, 'bad reply');
        await until(() => bad.active() === 0, 2000, 'the connection to be dropped');
        gc();
        const after = process.memoryUsage();
        const grew = (after.heapUsed + after.arrayBuffers) - (before.heapUsed + before.arrayBuffers);
        report.add({ check: 'reply claiming 64 MiB (and streaming them)', cases: 1, outcome: `${r.error.message}; connection dropped after the device wrote ${Math.round(written / MB)} MiB into the socket; heap+buffers grew ${Math.round(grew / 1024)} KiB` });
        assert.ok(grew < 8 * MB, `memory grew by ${grew} bytes`);
      } finally {
        await bad.stop();
      }
    });

    it('a reply of exactly 1 MiB is still accepted (the cap is not off by one)', async () => {
      const empty = JSON.stringify({ system: { set_relay_state: { err_code: 0, pad: '' } } });
      const body = JSON.stringify({ system: { set_relay_state: { err_code: 0, pad: 'z'.repeat(1024 * 1024 - empty.length) } } });
      assert.strictEqual(Buffer.byteLength(body), 1024 * 1024);
      const dev = await hostileServer((socket) => socket.write(wireReply(body)));
      try {
        await loadFlow(['tplink-relay'], [device(dev.port), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
        const r = await send('relay', { payload: true });
        assert.ifError(r.error);
        assert.strictEqual(r.msg.payload, true);
      } finally {
        await dev.stop();
      }
    });

    it('a reply trickling in a byte at a time (slowloris) ends at the timeout', async () => {
      const dev = await hostileServer((socket) => {
        const frame = wireReply(JSON.stringify({ system: { set_relay_state: { err_code: 0 } } }));
        let i = 0;
        const t = setInterval(() => { if (socket.destroyed || i >= frame.length) { clearInterval(t); return; } socket.write(frame.subarray(i, i + 1)); i++; }, 40);
      });
      try {
        await loadFlow(['tplink-relay'], [device(dev.port), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
        const r = await send('relay', { payload: true });
        assert.strictEqual(r.error.kind, 'timeout');
        assert.ok(r.ms < 700, `${r.ms} ms`);
        await until(() => dev.active() === 0, 2000, 'the connection to be dropped');
        report.add({ check: 'reply trickled 1 byte / 40 ms', cases: 1, outcome: `${r.error.message} after ${r.ms} ms; connection dropped` });
      } finally {
        await dev.stop();
      }
    });

    it('unsolicited frames after a reply: the stream is dropped, the next request gets a fresh connection', async () => {
      let n = 0;
      const dev = await hostileServer((socket) => {
        n++;
        socket.write(wireReply(JSON.stringify({ system: { set_relay_state: { err_code: 0 } } })));
        // …then a stream of replies nobody asked for.
        for (let i = 0; i < 50; i++) socket.write(wireReply(JSON.stringify({ system: { set_relay_state: { err_code: 0, spam: i } } })));
      });
      try {
        await loadFlow(['tplink-relay'], [device(dev.port), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
        for (let i = 0; i < 5; i++) {
          const r = await send('relay', { payload: true });
          assert.ifError(r.error);
          assert.strictEqual(r.msg.reply.system.set_relay_state.spam, undefined, 'never a spam frame as the answer');
          await pause(20);
        }
        assert.strictEqual(n, 5);
        assert.strictEqual(dev.connections, 5, 'the client dropped each spamming connection');
        report.add({ check: '50 unsolicited frames after each reply', cases: 5, outcome: `5/5 requests answered with their own reply; ${dev.connections} connections (each spamming one dropped)` });
      } finally {
        await dev.stop();
      }
    });

    it('a hostile reply cannot pollute prototypes; one nested thousands of levels deep is refused', async () => {
      const depth = 100000;
      let k = 0;
      const texts = [
        '{"__proto__":{"polluted":1},"system":{"set_relay_state":{"err_code":0,"__proto__":{"polluted":2}}}}',
        `{"system":{"set_relay_state":{"err_code":0,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}}`,
        `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
        // 60 levels inside a string and 10 real ones: fine.
        `{"system":{"set_relay_state":{"err_code":0,"s":"${'[{'.repeat(60)}","ok":${'['.repeat(10)}${']'.repeat(10)}}}}`,
      ];
      const dev = await hostileServer((socket) => socket.write(wireReply(texts[k++ % texts.length])));
      try {
        // Two wires: Node-RED clones the message for the second, as a real flow would.
        await loadFlow(['tplink-relay'], [device(dev.port), { id: 'relay', type: 'tplink-relay', device: 'dev', action: 'msg', wires: [['relay-out', 'other']] },
          { id: 'relay-out', type: 'helper' }, { id: 'other', type: 'helper' }]);
        const a = await send('relay', { payload: true });
        assert.ifError(a.error);
        assert.strictEqual({}.polluted, undefined);
        assert.strictEqual(Object.prototype.polluted, undefined);
        const outcomes = [];
        for (let i = 0; i < 2; i++) {
          const r = await send('relay', { payload: true });
          assert.strictEqual(r.error.kind, 'protocol');
          assert.match(r.error.message, /^reply from 127\.0\.0\.1:\d+ is nested more than 64 levels deep; refused$/);
          assert.strictEqual(r.status.text, 'bad reply');
          outcomes.push(r.error.message.replace(/:\d+/, ':PORT'));
        }
        const d = await send('relay', { payload: true });
        assert.ifError(d.error);
        JSON.stringify(d.msg);
        report.add({ check: 'hostile replies: __proto__ keys; 100,000-deep array / object', cases: 4, outcome: `no pollution; deep replies: ${outcomes[0]}; brackets inside strings not counted` });
      } finally {
        await dev.stop();
      }
    });

    it('a stalled device and 2,000 messages: the queue bound rejects at once, memory stays flat', async () => {
      await loadFlow(['tplink-relay'], [device(sim.port, { timeout: 100, queueLimit: 20 }), ...wired('relay', 'tplink-relay', 'dev', { action: 'msg' })]);
      sim.setFault('stall');
      forgetSpyHistory();
      const before = await settledHeap();
      const t0 = Date.now();
      const res = await burst(['relay'], 2000, (_id, i) => ({ payload: i % 2 === 0 }), { timeout: 20000 });
      const ms = Date.now() - t0;
      const rows = res.relay;
      const kinds = {};
      for (const r of rows) kinds[r.kind] = (kinds[r.kind] || 0) + 1;
      assert.strictEqual(rows.length, 2000);
      assert.deepStrictEqual(kinds, { 'queue-full': 1979, timeout: 21 });
      sim.setFault(null);
      assert.ifError((await send('relay', { payload: true })).error);
      forgetSpyHistory();
      const after = await settledHeap();
      const mib = (n) => Math.round((n / 1048576) * 100) / 100;
      report.add({ check: 'stalled device, 2,000 messages, queueLimit 20, timeout 100 ms', cases: 2000, outcome: `1979 queue-full at once, 21 timeouts one after another, all 2000 answered in ${ms} ms; heap ${mib(before)} → ${mib(after)} MiB after GC; recovered` });
      assert.ok(after - before < 1.5 * 1048576, `heap grew by ${mib(after - before)} MiB`);
    });
  });
});
