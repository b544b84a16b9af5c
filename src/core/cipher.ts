// XOR autokey cipher of the TP-Link Smart Home protocol (initial key 171).
// Encryption chains through the previous *ciphertext* byte, so it is serial.
// Decryption of byte i needs only ciphertext bytes i-1 and i, so it has no
// serial dependency; we exploit that by XOR-ing the buffer with itself shifted
// by one, a word at a time.

const INITIAL_KEY = 171;

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
  const out = Buffer.allocUnsafe(n);
  if (n === 0) return out;
  out[0] = cipher[0] ^ INITIAL_KEY;
  // out[i] = c[i] ^ c[i-1]: independent per byte. Do 4 bytes at a time when aligned
  // reads are cheap (Buffer over the same memory, unaligned is fine for readUInt32LE).
  const src = Buffer.isBuffer(cipher) ? cipher : Buffer.from(cipher.buffer, cipher.byteOffset, n);
  let i = 1;
  const wordEnd = n - 4;
  for (; i <= wordEnd; i += 4) {
    out.writeInt32LE(src.readInt32LE(i) ^ src.readInt32LE(i - 1), i);
  }
  for (; i < n; i++) out[i] = src[i] ^ src[i - 1];
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
