'use strict';
// Known answers for the KLAP arithmetic: the reference card's test vectors
// (user@example.com / hunter2, local seed 00..0f, remote seed 10..1f), checked
// against our implementation, plus the properties the vectors don't pin down
// (sequence wrap, padding, signature check).
const assert = require('assert');
const crypto = require('crypto');
const k = require('../nodes/core/transport/klap-crypto');

const USER = 'user@example.com';
const PASS = 'hunter2';
const LOCAL = Buffer.from([...Array(16).keys()]);
const REMOTE = Buffer.from([...Array(16).keys()].map((i) => 0x10 + i));
const hex = (b) => Buffer.from(b).toString('hex');

const CARD = {
  1: {
    hash: 'c365c2d8159d185d19139d3d3ef3d6db',
    server: 'f38b5a8f75dc99643ed238d557b330563c40e6f4e9381e1ea7c808781e7721e9',
    client: '896a5d90b80b90f109801e2744a67c5da313fb7e1b124cf991dab8406fe4b960',
    key: '6701d755c8f155a8ac4696adc2a68efa',
    iv: '0213b513e8fb33407931c7e5',
    seq0: -1533429905,
    sig: '9d9a57733176fe1342d049337a18e82d58597896abdffc0072486c1f',
    plain: '{"system":{"get_sysinfo":{}}}',
    body: '782e8fad71a685e21d018ce73b6224b6636af9f166437662982a71246ed97543209bd9cd367d42a0593c3310b242cacfdfc802ea610a72ac65607d8d9258b7d5',
  },
  2: {
    hash: 'b49b2da16ee8155335c944a908c08fb4d18ea952ca0f73b60c8f77d08642e781',
    server: 'f55f1932e0bebe2e755839cf79f0ac918e136ae7038f9effbe21bf1285b3a1c2',
    client: '94bdb61c3b7f1fbe093dfc783d8dd91f8fb9141d0f99ccad01f0831c1c3dbcbe',
    key: 'bdaeeb0da10915fe4267dfdaa22a3586',
    iv: '1cc7a7e88ef0916075821790',
    seq0: -1214602357,
    sig: '419634a6c004241f729c2344210d6dab5557bbff9de2d4fb41bbb189',
    plain: '{"method":"get_device_info"}',
    body: '4a9557ab0c4032934d2492030180a48b954b109b6c3b06921cc71ad321c2cd9d1b303cb7964666646cc7b197a94ec8b5022041706736544b70a31400646797cb',
  },
};

describe('KLAP crypto: the reference vectors', () => {
  for (const v of [1, 2]) {
    const c = CARD[v];
    describe(`hash v${v}`, () => {
      const hash = k.klapAuthHash(v, USER, PASS);
      const keys = k.klapSessionKeys(LOCAL, REMOTE, hash);
      it('auth hash', () => assert.strictEqual(hex(hash), c.hash));
      it('server proof (handshake1 answer)', () => assert.strictEqual(hex(k.klapServerProof(v, LOCAL, REMOTE, hash)), c.server));
      it('client proof (handshake2 body)', () => assert.strictEqual(hex(k.klapClientProof(v, LOCAL, REMOTE, hash)), c.client));
      it('the proofs differ from each other and from the other version', () => {
        const other = v === 1 ? 2 : 1;
        assert.notStrictEqual(hex(k.klapServerProof(other, LOCAL, REMOTE, hash)), c.server);
        assert.notStrictEqual(c.server, c.client);
      });
      it('session key, iv prefix, seq0, sig', () => {
        assert.strictEqual(hex(keys.key), c.key);
        assert.strictEqual(hex(keys.ivPrefix), c.iv);
        assert.strictEqual(keys.seq0, c.seq0);
        assert.strictEqual(hex(keys.sig), c.sig);
      });
      it('first request body (seq0 + 1)', () => {
        const seq = k.klapNextSeq(keys.seq0);
        assert.strictEqual(seq, c.seq0 + 1);
        assert.strictEqual(hex(k.klapSeal(keys, seq, c.plain)), c.body);
      });
      it('opens the card body back to its plaintext, signature checked', () => {
        const seq = c.seq0 + 1;
        assert.strictEqual(k.klapOpen(keys, seq, Buffer.from(c.body, 'hex'), true).toString(), c.plain);
      });
      it('refuses the card body under the wrong seq (signature) and a flipped byte (padding or signature)', () => {
        const body = Buffer.from(c.body, 'hex');
        assert.throws(() => k.klapOpen(keys, c.seq0 + 2, body, true), /signature/);
        const bad = Buffer.from(body);
        bad[bad.length - 1] ^= 0xff;
        assert.throws(() => k.klapOpen(keys, c.seq0 + 1, bad, true));
      });
    });
  }

  it('default-credential hashes', () => {
    assert.strictEqual(hex(k.klapAuthHash(1, 'kasa@tp-link.net', 'kasaSetup')), '74b751bdd208bc155ae2a6d4167cc44d');
    assert.strictEqual(hex(k.klapAuthHash(2, 'kasa@tp-link.net', 'kasaSetup')), '49fc4839a2733ffbf464337648f65dc411778d4c03ec82c5e4cccc682163fa64');
    assert.strictEqual(hex(k.klapAuthHash(1, 'test@tp-link.net', 'test')), 'a7317ea07dd83e3393fb702d9bf309a7');
    assert.strictEqual(hex(k.klapAuthHash(2, 'test@tp-link.net', 'test')), '7d5ae9ac18f5bb37843a4577867dd4348d8dff26c4b261ebff1b74d88adc063b');
    assert.strictEqual(hex(k.klapAuthHash(1, '', '')), '5873dd45edd01f09c1ef2e7819369e8e');
    assert.strictEqual(hex(k.klapAuthHash(2, '', '')), 'b8628ab91c74f531603f6d5b45e730e54c123a7247b8978272c03f1e13560cea');
  });

  it('hashes are of UTF-8 and case sensitive', () => {
    assert.notStrictEqual(hex(k.klapAuthHash(2, 'User@example.com', PASS)), CARD[2].hash);
    // 'ü' is hashed as its UTF-8 bytes c3 bc, not as one latin-1 byte
    const md5 = (b) => require('crypto').createHash('md5').update(b).digest();
    const want = md5(Buffer.concat([md5(Buffer.from([0xc3, 0xbc])), md5(Buffer.alloc(0))]));
    assert.strictEqual(hex(k.klapAuthHash(1, 'ü', '')), hex(want));
  });
});

describe('KLAP crypto: sequence numbers and bodies', () => {
  const keys = k.klapSessionKeys(LOCAL, REMOTE, k.klapAuthHash(2, USER, PASS));
  it('wraps in two\'s complement past 2^31-1', () => {
    assert.strictEqual(k.klapNextSeq(2147483646), 2147483647);
    assert.strictEqual(k.klapNextSeq(2147483647), -2147483648);
    assert.strictEqual(k.klapNextSeq(-1), 0);
  });
  it('seals and opens at the wrapped seq (the iv carries its two\'s-complement bytes)', () => {
    const seq = k.klapNextSeq(2147483647);
    const body = k.klapSeal(keys, seq, '{"a":1}');
    assert.strictEqual(k.klapOpen(keys, seq, body, true).toString(), '{"a":1}');
    assert.throws(() => k.klapOpen(keys, 2147483647, body, true));
  });
  it('pads with PKCS#7: a 16-byte plaintext gets one whole block of padding', () => {
    const body = k.klapSeal(keys, 5, 'x'.repeat(16));
    assert.strictEqual(body.length, 32 + 32);
    assert.strictEqual(k.klapSeal(keys, 5, 'x'.repeat(15)).length, 32 + 16);
  });
  it('refuses bodies that are too short or not whole blocks', () => {
    assert.throws(() => k.klapOpen(keys, 1, Buffer.alloc(32)), /32 bytes of signature/);
    assert.throws(() => k.klapOpen(keys, 1, Buffer.alloc(32 + 17)), /whole 16-byte blocks/);
  });
  // The padding is made and checked by hand (one cipher update per body): it must
  // agree with OpenSSL's own PKCS#7 in both directions, and refuse what it refuses.
  const ivOf = (seq) => { const iv = Buffer.alloc(16); keys.ivPrefix.copy(iv); iv.writeInt32BE(seq, 12); return iv; };
  const sealRaw = (seq, blocks) => {
    const c = crypto.createCipheriv('aes-128-cbc', keys.key, ivOf(seq));
    c.setAutoPadding(false);
    const ct = Buffer.concat([c.update(blocks), c.final()]);
    return Buffer.concat([k.klapSignature(keys, seq, ct), ct]);
  };
  it('agrees with OpenSSL PKCS#7 both ways, for every length across three blocks', () => {
    for (let n = 0; n <= 48; n++) {
      const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP'.slice(0, n);
      const body = k.klapSeal(keys, n, text);
      const d = crypto.createDecipheriv('aes-128-cbc', keys.key, ivOf(n));
      assert.strictEqual(Buffer.concat([d.update(body.subarray(32)), d.final()]).toString(), text, `OpenSSL opens ours, ${n} bytes`);
      const c = crypto.createCipheriv('aes-128-cbc', keys.key, ivOf(n));
      const ct = Buffer.concat([c.update(text), c.final()]);
      assert.strictEqual(k.klapOpen(keys, n, Buffer.concat([k.klapSignature(keys, n, ct), ct]), true).toString(), text, `we open OpenSSL's, ${n} bytes`);
      assert.strictEqual(k.klapSeal(keys, n, Buffer.from(text)).equals(body), true, 'a Buffer seals like the string');
    }
  });
  it('refuses bad padding: 0, more than 16, and pad bytes that differ', () => {
    const block = (last16) => Buffer.concat([Buffer.alloc(16, 0x41), Buffer.from(last16)]);
    const cases = {
      'pad 0': [...Array(15).fill(0x41), 0],
      'pad 17': [...Array(15).fill(0x41), 17],
      'pad 255': [...Array(15).fill(0x41), 255],
      'pad 3, one byte differs': [...Array(13).fill(0x41), 3, 2, 3],
      'pad 16, first byte differs': [15, ...Array(15).fill(16)],
    };
    for (const [name, last] of Object.entries(cases)) {
      assert.throws(() => k.klapOpen(keys, 7, sealRaw(7, block(last))), (e) => e.message === k.PADDING_ERROR, name);
    }
    // and the edges that are good padding
    assert.strictEqual(k.klapOpen(keys, 7, sealRaw(7, block([...Array(15).fill(0x41), 1]))).length, 31);
    assert.strictEqual(k.klapOpen(keys, 7, sealRaw(7, block(Array(16).fill(16)))).toString(), 'A'.repeat(16));
  });
  it('carries non-ASCII text intact', () => {
    const text = JSON.stringify({ alias: 'Küche ☕' });
    assert.strictEqual(k.klapOpen(keys, 9, k.klapSeal(keys, 9, text)).toString('utf8'), text);
  });
});
