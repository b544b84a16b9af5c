'use strict';
const assert = require('assert');
const { FrameDecoder, FrameTooLargeError, frame } = require('../nodes/core/framing');

const f = (s) => frame(Buffer.from(s));

describe('framing', () => {
  it('frames with a 4-byte big-endian length', () => {
    assert.strictEqual(f('abc').toString('hex'), '00000003616263');
  });

  it('decodes a whole frame in one chunk', () => {
    const d = new FrameDecoder();
    assert.deepStrictEqual(d.push(f('hello')).map(String), ['hello']);
    assert.strictEqual(d.pending, 0);
  });

  it('decodes one byte at a time, including a split header', () => {
    const d = new FrameDecoder();
    const bytes = f('one byte at a time');
    const out = [];
    for (const b of bytes) out.push(...d.push(Buffer.from([b])));
    assert.deepStrictEqual(out.map(String), ['one byte at a time']);
  });

  it('decodes a header split across chunks (2+2) then the body', () => {
    const d = new FrameDecoder();
    const bytes = f('split');
    assert.deepStrictEqual(d.push(bytes.subarray(0, 2)), []);
    assert.deepStrictEqual(d.push(bytes.subarray(2, 4)), []);
    assert.deepStrictEqual(d.push(bytes.subarray(4)).map(String), ['split']);
  });

  it('decodes two replies in one chunk and a third that straddles', () => {
    const d = new FrameDecoder();
    const all = Buffer.concat([f('first'), f('second'), f('third')]);
    const cut = all.length - 3;
    assert.deepStrictEqual(d.push(all.subarray(0, cut)).map(String), ['first', 'second']);
    assert.deepStrictEqual(d.push(all.subarray(cut)).map(String), ['third']);
  });

  it('decodes empty frames', () => {
    const d = new FrameDecoder();
    assert.deepStrictEqual(d.push(Buffer.concat([f(''), f('x')])).map(String), ['', 'x']);
  });

  it('rejects a claimed length over the cap without allocating it', () => {
    const d = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0x80000000, 0); // 2 GiB
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => d.push(Buffer.concat([header, Buffer.from('xx')])), (err) => {
      assert.ok(err instanceof FrameTooLargeError);
      assert.strictEqual(err.kind, 'protocol');
      assert.match(err.message, /claims 2147483648 bytes, over the 1024-byte cap/);
      return true;
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
    assert.strictEqual(d.pending, 0);
  });

  it('accepts exactly the cap and the default cap is 1 MiB', () => {
    assert.strictEqual(new FrameDecoder().maxFrame, 1024 * 1024);
    const d = new FrameDecoder(5);
    assert.deepStrictEqual(d.push(f('12345')).map(String), ['12345']);
    assert.throws(() => d.push(f('123456')), FrameTooLargeError);
  });

  it('holds only bytes actually received for a lying length', () => {
    const d = new FrameDecoder();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1000000, 0);
    assert.deepStrictEqual(d.push(Buffer.concat([header, Buffer.from('abc')])), []);
    assert.strictEqual(d.pending, 3);
  });
});
