'use strict';
// The SMART dialect's pure builders and checks (src/core/smart): envelopes,
// reply checks with the codes' meanings, multipleRequest pairing, control_child,
// paging and base64 nicknames.
const assert = require('assert');
const smart = require('../nodes/core/smart');
const { ProtocolError, ValidationError, TplinkError } = require('../nodes/core/errors');

describe('SMART dialect', () => {
  describe('envelope', () => {
    it('builds {method, params} and leaves params out when not given', () => {
      assert.deepStrictEqual(smart.smartRequest('get_device_info'), { method: 'get_device_info' });
      assert.deepStrictEqual(smart.smartRequest('set_device_info', { device_on: true }), { method: 'set_device_info', params: { device_on: true } });
      assert.deepStrictEqual(smart.smartRequest('x_y', null, { requestTimeMillis: 5, terminalUuid: 'u' }), { method: 'x_y', params: null, request_time_milis: 5, terminal_uuid: 'u' });
    });
    it('refuses a bad method name or params, naming the field', () => {
      for (const m of ['', 'get device', '1abc', 'a'.repeat(65), 7, null, '__proto__.x']) {
        assert.throws(() => smart.smartRequest(m), (e) => e instanceof ValidationError && e.field === 'method');
      }
      assert.throws(() => smart.smartRequest('get_x', [1]), (e) => e instanceof ValidationError && e.field === 'params');
      assert.throws(() => smart.smartRequest('get_x', 'p'), (e) => e instanceof ValidationError && e.field === 'params');
    });
  });

  describe('reply check', () => {
    it('returns result on error_code 0 (and {} when there is none)', () => {
      assert.deepStrictEqual(smart.checkSmartReply('{"error_code":0,"result":{"a":1}}', 'get_x'), { a: 1 });
      assert.deepStrictEqual(smart.checkSmartReply({ error_code: 0 }, 'set_x'), {});
    });
    it('raises SmartDeviceError with the code and a plain meaning', () => {
      const cases = { [-1002]: /does not know the method/, [-1008]: /refused the parameters/, [-1501]: /case sensitive/, 9999: /session timed out/, 1003: /KLAP/, [-1902]: /countdown/ };
      for (const [code, meaning] of Object.entries(cases)) {
        assert.throws(() => smart.checkSmartReply(JSON.stringify({ error_code: Number(code) }), 'get_x'), (e) => {
          assert.ok(e instanceof smart.SmartDeviceError && e instanceof TplinkError);
          assert.strictEqual(e.kind, 'device');
          assert.strictEqual(e.code, Number(code));
          assert.strictEqual(e.method, 'get_x');
          assert.match(e.meaning, meaning);
          assert.match(e.message, new RegExp(`get_x: ${code}`));
          return true;
        });
      }
      assert.strictEqual(new smart.SmartDeviceError('m', 424242).meaning, 'unknown error code');
      assert.strictEqual(smart.smartErrorMeaning(-1), 'the device reported a general failure');
    });
    it('raises ProtocolError on replies of the wrong shape', () => {
      for (const bad of ['nope', '[1]', 'null', '42', '{}', '{"error_code":"0"}', '{"error_code":1.5}', '{"error_code":0,"result":[1]}', '{"error_code":0,"result":"x"}']) {
        assert.throws(() => smart.checkSmartReply(bad, 'get_x'), ProtocolError, bad);
      }
    });
    it('ignores inherited error_code (own properties only)', () => {
      const obj = Object.create({ error_code: 0 });
      assert.throws(() => smart.checkSmartReply(obj, 'get_x'), ProtocolError);
    });
    it('knows which requests only read', () => {
      assert.strictEqual(smart.isReadOnlyRequest('{"method":"get_device_info"}'), true);
      assert.strictEqual(smart.isReadOnlyRequest('{"method":"component_nego"}'), true);
      assert.strictEqual(smart.isReadOnlyRequest('{"method":"set_device_info","params":{"device_on":true}}'), false);
      assert.strictEqual(smart.isReadOnlyRequest(JSON.stringify(smart.multipleRequest([{ method: 'get_a' }, { method: 'get_b' }]))), true);
      assert.strictEqual(smart.isReadOnlyRequest(JSON.stringify(smart.multipleRequest([{ method: 'get_a' }, { method: 'device_reboot' }]))), false);
      assert.strictEqual(smart.isReadOnlyRequest(JSON.stringify(smart.controlChild('ab01', { method: 'get_device_info' }))), true);
      assert.strictEqual(smart.isReadOnlyRequest(JSON.stringify(smart.controlChild('ab01', { method: 'set_device_info', params: {} }))), false);
      assert.strictEqual(smart.isReadOnlyRequest('{"method":"multipleRequest","params":{}}'), false);
      assert.strictEqual(smart.isReadOnlyRequest('not json'), false);
    });
  });

  describe('multipleRequest', () => {
    const reqs = [smart.smartRequest('get_device_info'), smart.smartRequest('set_device_info', { device_on: true }), smart.smartRequest('get_energy_usage')];
    it('wraps requests and refuses empty or nested batches', () => {
      assert.deepStrictEqual(smart.multipleRequest(reqs), { method: 'multipleRequest', params: { requests: reqs } });
      assert.throws(() => smart.multipleRequest([]), (e) => e instanceof ValidationError && e.field === 'requests');
      assert.throws(() => smart.multipleRequest([smart.multipleRequest(reqs)]), (e) => e instanceof ValidationError && e.field === 'requests[0].method');
    });
    it('pairs responses with requests; the ones after an error are reported not run', () => {
      const out = smart.splitMultipleReply({ responses: [
        { method: 'get_device_info', result: { model: 'P110' }, error_code: 0 },
        { method: 'set_device_info', error_code: -1008 },
      ] }, reqs);
      assert.deepStrictEqual(out[0], { method: 'get_device_info', ok: true, result: { model: 'P110' } });
      assert.strictEqual(out[1].ok, false);
      assert.strictEqual(out[1].skipped, false);
      assert.strictEqual(out[1].error.code, -1008);
      assert.strictEqual(out[2].ok, false);
      assert.strictEqual(out[2].skipped, true);
      assert.strictEqual(out[2].error.code, 1200);
    });
    it('refuses replies whose pairing cannot be trusted', () => {
      const bad = [
        {},
        { responses: 'x' },
        { responses: [{ method: 'get_energy_usage', error_code: 0 }] },
        { responses: [1] },
        { responses: [{ method: 'get_device_info' }] },
        { responses: [{ method: 'get_device_info', error_code: -1 }, { method: 'set_device_info', error_code: 0 }] },
        { responses: [{}, {}, {}, {}].map((r, i) => ({ method: reqs[i] && reqs[i].method, error_code: 0 })) },
      ];
      for (const r of bad) assert.throws(() => smart.splitMultipleReply(r, reqs), ProtocolError, JSON.stringify(r));
    });
    it('chunks long lists', () => {
      assert.deepStrictEqual(smart.chunkRequests([1, 2, 3, 4, 5, 6, 7], 3), [[1, 2, 3], [4, 5, 6], [7]]);
      assert.strictEqual(smart.chunkRequests(new Array(12).fill(0)).length, Math.ceil(12 / smart.DEFAULT_BATCH_SIZE));
      assert.throws(() => smart.chunkRequests([1], 0), ValidationError);
    });
  });

  describe('control_child', () => {
    it('wraps a request for a child and unwraps its answer', () => {
      const r = smart.controlChild('80069D1CA8BB3A0FE0D300', smart.smartRequest('set_device_info', { device_on: false }));
      assert.deepStrictEqual(r, { method: 'control_child', params: { device_id: '80069D1CA8BB3A0FE0D300', requestData: { method: 'set_device_info', params: { device_on: false } } } });
      assert.deepStrictEqual(smart.childResult({ responseData: { error_code: 0, result: { device_on: true } } }, 'get_device_info'), { device_on: true });
      assert.throws(() => smart.childResult({ responseData: { error_code: -1002 } }, 'get_x'), (e) => e.code === -1002);
      assert.throws(() => smart.childResult({}, 'get_x'), ProtocolError);
    });
    it('refuses bad child ids and nested control_child', () => {
      for (const id of ['', 'a b', 'x'.repeat(81), 5, null, '../x']) {
        assert.throws(() => smart.controlChild(id, { method: 'get_device_info' }), (e) => e instanceof ValidationError && e.field === 'device_id');
      }
      assert.throws(() => smart.controlChild('ab', smart.controlChild('cd', { method: 'get_x' })), ValidationError);
    });
  });

  describe('paging', () => {
    const pages = (all, size) => async (start) => ({ start_index: start, sum: all.length, rule_list: all.slice(start, start + size), enable: true });
    it('fetches every page from start_index until sum', async () => {
      const all = Array.from({ length: 23 }, (_, i) => ({ id: `S${i + 1}` }));
      const asked = [];
      const { items, last } = await smart.fetchAllPages(async (s) => { asked.push(s); return pages(all, 10)(s); }, 'rule_list');
      assert.deepStrictEqual(items, all);
      assert.deepStrictEqual(asked, [0, 10, 20]);
      assert.strictEqual(last.enable, true);
    });
    it('takes a page without sum as the whole list', async () => {
      const { items } = await smart.fetchAllPages(async () => ({ child_device_list: [1, 2] }), 'child_device_list');
      assert.deepStrictEqual(items, [1, 2]);
    });
    it('refuses a device that stalls, overshoots or never finishes', async () => {
      await assert.rejects(smart.fetchAllPages(async () => ({ sum: 5, rule_list: [] }), 'rule_list'), /says 5 items but stopped after 0/);
      await assert.rejects(smart.fetchAllPages(async () => ({ sum: 1, rule_list: [1, 2] }), 'rule_list'), ProtocolError);
      await assert.rejects(smart.fetchAllPages(async () => ({ sum: 1e9, rule_list: [1] }), 'rule_list', { maxPages: 5 }), /after 5 pages/);
      await assert.rejects(smart.fetchAllPages(async () => ({ sum: 'x', rule_list: [1] }), 'rule_list'), ProtocolError);
      await assert.rejects(smart.fetchAllPages(async () => ({ sum: 1 }), 'rule_list'), ProtocolError);
    });
    it('builds page params (never params:null for countdown)', () => {
      assert.deepStrictEqual(smart.scheduleRulesParams(10), { start_index: 10, schedule_mode: '' });
      assert.deepStrictEqual(smart.countdownRulesParams(0), { start_index: 0 });
      assert.deepStrictEqual(smart.childListParams(2), { start_index: 2 });
    });
  });

  describe('nicknames', () => {
    it('round-trips UTF-8 names through base64', () => {
      for (const name of ['Kitchen', 'Küche ☕', '客厅灯', 'a'.repeat(64)]) {
        const enc = smart.encodeNickname(name);
        assert.strictEqual(enc, Buffer.from(name, 'utf8').toString('base64'));
        assert.strictEqual(smart.decodeNickname(enc), name);
      }
    });
    it('decodes what is not base64 of UTF-8 as the text itself', () => {
      assert.strictEqual(smart.decodeNickname('Plug 1'), 'Plug 1');
      assert.strictEqual(smart.decodeNickname('//79'), '//79'); // base64 of bytes that are not UTF-8
      assert.strictEqual(smart.decodeNickname(undefined), '');
      assert.strictEqual(smart.decodeNickname(42), '');
    });
    it('refuses empty, blank, too long or control-character names, naming the field', () => {
      for (const bad of ['', '   ', 'a'.repeat(65), 'x\ny', 7, null]) {
        assert.throws(() => smart.encodeNickname(bad), (e) => e instanceof ValidationError && e.field === 'nickname', JSON.stringify(bad));
      }
    });
  });
});
