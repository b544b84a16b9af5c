// XOR autokey cipher of the TP-Link Smart Home protocol (initial key 171).
// Encryption chains through the previous *ciphertext* byte, so it is serial.
// Decryption of byte i needs only ciphertext bytes i-1 and i, so it has no
// serial dependency; we exploit that by XOR-ing the buffer with itself shifted
// by one byte, 32 bits at a time through aligned Uint32Array views
// (bench/sections/cipher.js measures it against a plain byte loop).

const INITIAL_KEY = 171;

/** Word decryption assumes little-endian words (every platform Node ships for, but check). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this many bytes, creating the word views costs more than it saves. */
const WORD_MIN_BYTES = 64;

/** Encrypts a string (UTF-8) or bytes; no length header. */
export function encrypt(input: string | Uint8Array): Buffer {
  const plain = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const out = Buffer.allocUnsafe(plain.length);
  let key = INITIAL_KEY;
  for (let i = 0; i < plain.length; i++) {
    key ^= plain[i];
    out[i] = key;
  }
  return out;
}

/** Decrypts bytes (no length header) into bytes. */
export function decryptBytes(cipher: Uint8Array): Buffer {
  const n = cipher.length;
  if (n < WORD_MIN_BYTES || !LITTLE_ENDIAN) return decryptByteLoop(cipher);
  // out[i] = c[i] ^ c[i-1]. Give the output the same offset modulo 4 as the input,
  // so that one aligned word index covers the same four bytes of both.
  const misalign = cipher.byteOffset & 3;
  const block = Buffer.allocUnsafe(n + 3);
  const shift = (misalign - (block.byteOffset & 3) + 4) & 3;
  const out = block.subarray(shift, shift + n);
  // Bytes before the first 4-byte boundary of the input.
  const head = (4 - misalign) & 3;
  let prev = INITIAL_KEY;
  let i = 0;
  for (; i < head; i++) {
    const c = cipher[i];
    out[i] = c ^ prev;
    prev = c;
  }
  // Whole words: in little-endian, the input shifted by one byte is
  // (word << 8) | (top byte of the previous word).
  const words = (n - i) >>> 2;
  const src = new Uint32Array(cipher.buffer, cipher.byteOffset + i, words);
  const dst = new Uint32Array(out.buffer, out.byteOffset + i, words);
  let carry = prev;
  for (let w = 0; w < words; w++) {
    const x = src[w];
    dst[w] = x ^ ((x << 8) | carry);
    carry = x >>> 24;
  }
  i += words << 2;
  prev = cipher[i - 1];
  for (; i < n; i++) {
    const c = cipher[i];
    out[i] = c ^ prev;
    prev = c;
  }
  return out;
}

function decryptByteLoop(cipher: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cipher.length);
  let key = INITIAL_KEY;
  for (let i = 0; i < cipher.length; i++) {
    const c = cipher[i];
    out[i] = c ^ key;
    key = c;
  }
  return out;
}

/** Decrypts bytes (no length header) into a UTF-8 string. */
export function decrypt(cipher: Uint8Array): string {
  return decryptBytes(cipher).toString('utf8');
}

/** Encrypts and prepends the 4-byte big-endian length header (TCP form). */
export function encryptWithHeader(input: string | Uint8Array): Buffer {
  const body = encrypt(input);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Decrypts a whole TCP message: 4-byte length header then ciphertext. */
export function decryptWithHeader(message: Uint8Array): string {
  if (message.length < 4) throw new RangeError(`message too short for a length header: ${message.length} bytes`);
  const buf = Buffer.isBuffer(message) ? message : Buffer.from(message);
  const len = buf.readUInt32BE(0);
  if (len !== buf.length - 4) {
    throw new RangeError(`length header says ${len} bytes but ${buf.length - 4} follow`);
  }
  return decrypt(buf.subarray(4));
}
