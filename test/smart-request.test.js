'use strict';
// smartRequestOver: the SMART request function the session gives SmartModel.
// Driven by a recording device function (it answers like firmware does and keeps
// every request it was sent) so what goes on the wire is checked.
const assert = require('assert');
const { smartRequestOver, SmartDeviceError } = require('../nodes/core/smart');

/** A device: answers per method from `table` ({result} or {error_code}); `batch: false` = no multipleRequest. */
function device(table, { batch = true, stopAt } = {}) {
  const sent = [];
  const answer = (req) => {
    const a = table[req.method];
    if (!a) return { error_code: -1002 };
    return a.error_code ? { error_code: a.error_code } : { error_code: 0, result: a.result };
  };
  const send = async (req) => {
    sent.push(JSON.parse(JSON.stringify(req)));
    if (req.method === 'multipleRequest') {
      if (!batch) return { error_code: -1002 };
      const responses = [];
      for (const r of req.params.requests) {
        const a = answer(r);
        responses.push({ method: r.method, ...a });
        if (a.error_code !== 0 || (stopAt !== undefined && responses.length === stopAt)) break;
      }
      return { error_code: 0, result: { responses } };
    }
    if (req.method === 'control_child') {
      return { error_code: 0, result: { responseData: answer(req.params.requestData) } };
    }
    return answer(req);
  };
  return { send, sent };
}

const TABLE = {
  get_device_info: { result: { model: 'P110' } },
  component_nego: { result: { component_list: [] } },
  get_led_info: { result: { led_rule: 'always' } },
  get_bad: { error_code: -1008 },
  set_device_info: { result: {} },
};

describe('smartRequestOver (SMART envelope, control_child, batching)', () => {
  it('reads asked in the same tick go as one multipleRequest; each caller gets its result', async () => {
    const d = device(TABLE);
    const req = smartRequestOver(d.send);
    const [a, b] = await Promise.all([req('get_device_info'), req('component_nego')]);
    assert.deepStrictEqual(a, { model: 'P110' });
    assert.deepStrictEqual(b, { component_list: [] });
    assert.deepStrictEqual(d.sent.map((r) => r.method), ['multipleRequest']);
    assert.deepStrictEqual(d.sent[0].params.requests.map((r) => r.method), ['get_device_info', 'component_nego']);
  });

  it('an error in a batch rejects that caller; a read the device skipped after it is asked alone', async () => {
    const d = device(TABLE);
    const req = smartRequestOver(d.send);
    const out = await Promise.allSettled([req('get_device_info'), req('get_bad'), req('get_led_info')]);
    assert.strictEqual(out[0].status, 'fulfilled');
    assert.ok(out[1].reason instanceof SmartDeviceError && out[1].reason.code === -1008);
    assert.deepStrictEqual(out[2].value, { led_rule: 'always' });
    assert.deepStrictEqual(d.sent.map((r) => r.method), ['multipleRequest', 'get_led_info']);
  });

  it('firmware without multipleRequest (-1002): asked one by one, and never batched again', async () => {
    const d = device(TABLE, { batch: false });
    const req = smartRequestOver(d.send);
    await Promise.all([req('get_device_info'), req('component_nego')]);
    await Promise.all([req('get_device_info'), req('get_led_info')]);
    assert.deepStrictEqual(d.sent.map((r) => r.method), ['multipleRequest', 'get_device_info', 'component_nego', 'get_device_info', 'get_led_info']);
  });

  it('writes and strip-outlet requests always go alone; control_child is unwrapped', async () => {
    const d = device(TABLE);
    const req = smartRequestOver(d.send);
    const [w, c] = await Promise.all([req('set_device_info', { device_on: true }), req('get_device_info', undefined, 'CHILD01'), req('get_led_info')]);
    assert.deepStrictEqual(w, {});
    assert.deepStrictEqual(c, { model: 'P110' });
    assert.deepStrictEqual(d.sent.map((r) => r.method).sort(), ['control_child', 'get_led_info', 'set_device_info']);
    const child = d.sent.find((r) => r.method === 'control_child');
    assert.deepStrictEqual(child.params, { device_id: 'CHILD01', requestData: { method: 'get_device_info' } });
  });

  it('a bad method name or params is refused before anything is sent', async () => {
    const d = device(TABLE);
    const req = smartRequestOver(d.send);
    await assert.rejects(req('get device'), (e) => e.kind === 'invalid-input');
    await assert.rejects(req('get_device_info', []), (e) => e.kind === 'invalid-input');
    await assert.rejects(req('get_device_info', undefined, '../x'), (e) => e.kind === 'invalid-input');
    assert.strictEqual(d.sent.length, 0);
  });
});
