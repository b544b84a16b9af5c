'use strict';
const assert = require('assert');
const crypto = require('crypto');
const { encrypt, decrypt, decryptBytes, encryptWithHeader, decryptWithHeader } = require('../nodes/core/cipher');

const VECTOR_PLAIN = '{"system":{"set_relay_state":{"state":0}}}';
const VECTOR_HEX = '0000002ad0f281f88bff9af7d5ef94b6c5a0d48bf99cf091e8b7c4b0d1a5c0e2d8a381f286e793f6d4eedea3dea3';

// The straightforward definition from docs/protocol.md, to check the optimised decrypt against.
function referenceDecrypt(buf) {
  const out = Buffer.alloc(buf.length);
  let k = 171;
  for (let i = 0; i < buf.length; i++) { out[i] = buf[i] ^ k; k = buf[i]; }
  return out;
}

describe('cipher', () => {
  it('matches the seed test vector with header', () => {
    assert.strictEqual(encryptWithHeader(VECTOR_PLAIN).toString('hex'), VECTOR_HEX);
    assert.strictEqual(decryptWithHeader(Buffer.from(VECTOR_HEX, 'hex')), VECTOR_PLAIN);
  });

  it('matches the seed vector without header', () => {
    assert.strictEqual(encrypt(VECTOR_PLAIN).toString('hex'), VECTOR_HEX.slice(8));
    assert.strictEqual(decrypt(Buffer.from(VECTOR_HEX.slice(8), 'hex')), VECTOR_PLAIN);
  });

  it('handles empty input', () => {
    assert.strictEqual(encrypt('').length, 0);
    assert.strictEqual(decrypt(Buffer.alloc(0)), '');
    assert.strictEqual(encryptWithHeader('').toString('hex'), '00000000');
    assert.strictEqual(decryptWithHeader(Buffer.from('00000000', 'hex')), '');
  });

  it('round-trips random data of every length 0..300 and a large buffer', () => {
    for (let n = 0; n <= 300; n++) {
      const data = crypto.randomBytes(n);
      const enc = encrypt(data);
      assert.deepStrictEqual(decryptBytes(enc), data, `length ${n}`);
      assert.deepStrictEqual(decryptBytes(enc), referenceDecrypt(enc), `reference, length ${n}`);
    }
    const big = crypto.randomBytes(1 << 20);
    assert.ok(decryptBytes(encrypt(big)).equals(big));
  });

  it('decrypts a subarray at an odd offset (word reads must respect byteOffset)', () => {
    const enc = encrypt('{"alias":"odd offset test"}');
    const host = Buffer.concat([Buffer.from([1, 2, 3]), enc]);
    assert.strictEqual(decrypt(host.subarray(3)), '{"alias":"odd offset test"}');
    assert.strictEqual(decrypt(new Uint8Array(host.buffer, host.byteOffset + 3, enc.length)), '{"alias":"odd offset test"}');
  });

  it('round-trips non-ASCII UTF-8 aliases', () => {
    const s = JSON.stringify({ system: { set_dev_alias: { alias: 'Küche ☕ 客厅 🔌' } } });
    assert.strictEqual(decrypt(encrypt(s)), s);
    assert.strictEqual(decryptWithHeader(encryptWithHeader(s)), s);
    assert.strictEqual(encryptWithHeader(s).readUInt32BE(0), Buffer.byteLength(s));
  });

  it('rejects a header that disagrees with the body', () => {
    const m = encryptWithHeader('{"a":1}');
    assert.throws(() => decryptWithHeader(m.subarray(0, m.length - 1)), /length header says 7 bytes but 6 follow/);
    assert.throws(() => decryptWithHeader(Buffer.from([0, 0])), /too short/);
  });
});
