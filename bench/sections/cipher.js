'use strict';
// Item 6: MB/s of our encrypt / decryptBytes over 1 MiB against straightforward
// byte loops, interleaved rep by rep (ratio = median over reps of the per-rep
// ratio). Reference rows, not ours: decryption by 32-bit words read with
// Buffer.readInt32LE (what cipher.ts did before), and by BigUint64Array words.
// Also the same at the size of a real sysinfo reply (678 bytes).
const path = require('path');
const { median } = require('../lib/stats');

const ROOT = path.resolve(__dirname, '..', '..');
const { encrypt, decryptBytes } = require(path.join(ROOT, 'nodes/core/cipher'));
const { REPLY_JSON } = require('../lib/fixed-device');

function encryptLoop(p) {
  const o = Buffer.allocUnsafe(p.length);
  let k = 171;
  for (let i = 0; i < p.length; i++) {
    k ^= p[i];
    o[i] = k;
  }
  return o;
}

function decryptLoop(c) {
  const o = Buffer.allocUnsafe(c.length);
  let k = 171;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    o[i] = b ^ k;
    k = b;
  }
  return o;
}

// The previous decryptBytes of src/core/cipher.ts (word XOR through Buffer.readInt32LE).
function decryptReadInt32(c) {
  const n = c.length;
  const out = Buffer.allocUnsafe(n);
  if (n === 0) return out;
  out[0] = c[0] ^ 171;
  let i = 1;
  for (; i <= n - 4; i += 4) out.writeInt32LE(c.readInt32LE(i) ^ c.readInt32LE(i - 1), i);
  for (; i < n; i++) out[i] = c[i] ^ c[i - 1];
  return out;
}

// 64-bit words through BigUint64Array (BigInt arithmetic), output aligned like the input.
const M64 = 0xffffffffffffffffn;
function decryptBig64(c) {
  const n = c.length;
  const mis = c.byteOffset & 7;
  const out = Buffer.from(new ArrayBuffer(n + 8), mis, n);
  let i = 0;
  let prev = 171;
  for (; i < ((8 - mis) & 7) && i < n; i++) { const x = c[i]; out[i] = x ^ prev; prev = x; }
  const words = Math.floor((n - i) / 8);
  const cw = new BigUint64Array(c.buffer, c.byteOffset + i, words);
  const ow = new BigUint64Array(out.buffer, out.byteOffset + i, words);
  let p = BigInt(prev) << 56n;
  for (let w = 0; w < words; w++) { const x = cw[w]; ow[w] = x ^ (((x << 8n) & M64) | (p >> 56n)); p = x; }
  i += words * 8;
  prev = i > 0 ? c[i - 1] : 171;
  for (; i < n; i++) { const x = c[i]; out[i] = x ^ prev; prev = x; }
  return out;
}

function timeOnce(fn, arg, iters) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn(arg);
  return Number(process.hrtime.bigint() - t0) / 1e9 / iters;
}

function compare(variants, arg, { reps, iters }) {
  const names = Object.keys(variants);
  for (const n of names) for (let i = 0; i < 5; i++) timeOnce(variants[n], arg, iters); // warm up / optimise
  const secs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(r + j) % names.length];
      secs[n].push(timeOnce(variants[n], arg, iters));
    }
  }
  return secs;
}

async function main() {
  const reps = Number(process.env.BENCH_CIPHER_REPS || 41);
  const MiB = 1 << 20;
  const plain = Buffer.allocUnsafe(MiB);
  // JSON-like text, the protocol's content.
  const text = Buffer.from(REPLY_JSON);
  for (let i = 0; i < MiB; i++) plain[i] = text[i % text.length];
  const cipher = encryptLoop(plain);
  // Correctness first: every variant must give the same bytes.
  for (const [name, out] of [['encrypt', encrypt(plain)]]) if (!out.equals(cipher)) throw new Error(`${name} wrong`);
  for (const [name, fn] of [['decryptBytes', decryptBytes], ['decryptLoop', decryptLoop], ['readInt32', decryptReadInt32], ['big64', decryptBig64]]) {
    if (!fn(cipher).equals(plain)) throw new Error(`${name} wrong`);
    // and on an odd offset/length slice
    const sl = cipher.subarray(3, 1001);
    const ref = decryptLoop(sl);
    if (!fn(sl).equals(ref)) throw new Error(`${name} wrong on an unaligned slice`);
  }

  const enc = compare({ ours: encrypt, loop: encryptLoop }, plain, { reps, iters: 2 });
  const dec = compare({ ours: decryptBytes, loop: decryptLoop, readInt32: decryptReadInt32, big64: decryptBig64 }, cipher, { reps, iters: 2 });
  const mbps = (s) => MiB / 1e6 / median(s);
  const ratio = (secs, a, b) => median(secs[a].map((x, i) => secs[b][i] / x)); // speed of a / speed of b
  // Real reply size: 678 bytes, many per timing.
  const small = encryptLoop(text);
  const smallDec = compare({ ours: decryptBytes, loop: decryptLoop }, small, { reps, iters: 2000 });
  const smallEnc = compare({ ours: encrypt, loop: encryptLoop }, text, { reps, iters: 2000 });
  return {
    reps,
    encrypt: { oursMBps: mbps(enc.ours), loopMBps: mbps(enc.loop), ratio: ratio(enc, 'ours', 'loop') },
    decrypt: {
      oursMBps: mbps(dec.ours), loopMBps: mbps(dec.loop), ratio: ratio(dec, 'ours', 'loop'),
      readInt32MBps: mbps(dec.readInt32), readInt32Ratio: ratio(dec, 'readInt32', 'loop'),
      big64MBps: mbps(dec.big64), big64Ratio: ratio(dec, 'big64', 'loop'),
    },
    small: {
      bytes: small.length,
      decryptOursMBps: small.length / 1e6 / median(smallDec.ours), decryptLoopMBps: small.length / 1e6 / median(smallDec.loop), decryptRatio: ratio(smallDec, 'ours', 'loop'),
      encryptOursMBps: text.length / 1e6 / median(smallEnc.ours), encryptLoopMBps: text.length / 1e6 / median(smallEnc.loop), encryptRatio: ratio(smallEnc, 'ours', 'loop'),
    },
  };
}

require('../lib/section').run(main);
