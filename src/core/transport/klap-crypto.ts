// KLAP arithmetic, with no I/O: the account hashes (v1 and v2), the handshake
// proofs, the session material derived from both seeds, and the sealing and
// opening of request/reply bodies. Wire facts: docs/klap.md.
// Used by the client transport and by the simulator's server alike.

import { createCipheriv, createDecipheriv, createHash } from 'crypto';

export type KlapHashVersion = 1 | 2;

const digest = (algo: string, ...parts: Buffer[]): Buffer => {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest();
};
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The account hash: v1 MD5(MD5(user) ‖ MD5(pass)), 16 bytes; v2 SHA256(SHA1(user) ‖ SHA1(pass)), 32 bytes. */
export function klapAuthHash(version: KlapHashVersion, username: string, password: string): Buffer {
  return version === 1
    ? digest('md5', digest('md5', utf8(username)), digest('md5', utf8(password)))
    : digest('sha256', digest('sha1', utf8(username)), digest('sha1', utf8(password)));
}

/** What the device proves in handshake1's answer: v1 SHA256(local ‖ hash), v2 SHA256(local ‖ remote ‖ hash). */
export function klapServerProof(version: KlapHashVersion, localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return version === 1 ? digest('sha256', localSeed, authHash) : digest('sha256', localSeed, remoteSeed, authHash);
}

/** What the client proves in handshake2: v1 SHA256(remote ‖ hash), v2 SHA256(remote ‖ local ‖ hash). */
export function klapClientProof(version: KlapHashVersion, localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return version === 1 ? digest('sha256', remoteSeed, authHash) : digest('sha256', remoteSeed, localSeed, authHash);
}

/** Session material; the same derivation for both hash versions. */
export interface KlapSessionKeys {
  /** AES-128 key, 16 bytes */
  key: Buffer;
  /** first 12 bytes of every IV; the last 4 are the sequence number */
  ivPrefix: Buffer;
  /** signed 32-bit; the first request uses seq0 + 1 */
  seq0: number;
  /** 28 bytes prepended to the seq and ciphertext before hashing the body's signature */
  sig: Buffer;
}

export function klapSessionKeys(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): KlapSessionKeys {
  const l = Buffer.concat([localSeed, remoteSeed, authHash]);
  const t = digest('sha256', utf8('iv'), l);
  return {
    key: digest('sha256', utf8('lsk'), l).subarray(0, 16),
    ivPrefix: t.subarray(0, 12),
    seq0: t.readInt32BE(28),
    sig: digest('sha256', utf8('ldk'), l).subarray(0, 28),
  };
}

/** seq + 1 in signed 32-bit arithmetic: past 2^31-1 it wraps to -2^31. */
export function klapNextSeq(seq: number): number {
  return (seq + 1) | 0;
}

/** iv_prefix ‖ int32_be(seq), built in place. */
function ivFor(keys: KlapSessionKeys, seq: number): Buffer {
  const iv = Buffer.allocUnsafe(16);
  keys.ivPrefix.copy(iv, 0, 0, 12);
  iv.writeInt32BE(seq | 0, 12);
  return iv;
}

/** SHA256(sig ‖ int32_be(seq) ‖ ct): the 32 bytes before the ciphertext. */
export function klapSignature(keys: KlapSessionKeys, seq: number, ciphertext: Buffer): Buffer {
  const seqBytes = Buffer.allocUnsafe(4);
  seqBytes.writeInt32BE(seq | 0, 0);
  return createHash('sha256').update(keys.sig).update(seqBytes).update(ciphertext).digest();
}

/**
 * The plaintext with its PKCS#7 padding, in one buffer: the cipher then makes
 * the whole ciphertext in one update(), with no final() and no concatenation
 * (this runs on every request; docs/performance.md).
 */
function padded(plaintext: string | Buffer): Buffer {
  const n = typeof plaintext === 'string' ? Buffer.byteLength(plaintext, 'utf8') : plaintext.length;
  const pad = 16 - (n % 16);
  const out = Buffer.allocUnsafe(n + pad);
  if (typeof plaintext === 'string') out.write(plaintext, 0, n, 'utf8');
  else plaintext.copy(out, 0);
  out.fill(pad, n);
  return out;
}

/** A body (request or reply): signature ‖ AES-128-CBC(key, iv_prefix ‖ seq, PKCS#7(plaintext)). */
export function klapSeal(keys: KlapSessionKeys, seq: number, plaintext: string | Buffer): Buffer {
  const c = createCipheriv('aes-128-cbc', keys.key, ivFor(keys, seq));
  c.setAutoPadding(false); // padded() did it
  const ct = c.update(padded(plaintext));
  const out = Buffer.allocUnsafe(32 + ct.length);
  klapSignature(keys, seq, ct).copy(out, 0);
  ct.copy(out, 32);
  return out;
}

/**
 * The plaintext of a body sealed under `seq`. Throws (a plain Error, callers map it)
 * when the body is too short, not whole blocks, or its padding is wrong. With
 * `checkSignature` a body whose signature does not match is refused too (the
 * server side does; clients, like the firmware's, don't need to).
 */
export function klapOpen(keys: KlapSessionKeys, seq: number, body: Buffer, checkSignature = false): Buffer {
  if (body.length < 48 || (body.length - 32) % 16 !== 0) throw new Error(`a KLAP body is 32 bytes of signature and whole 16-byte blocks, got ${body.length} bytes`);
  const ct = body.subarray(32);
  if (checkSignature && !klapSignature(keys, seq, ct).equals(body.subarray(0, 32))) throw new Error('KLAP body signature does not match');
  const d = createDecipheriv('aes-128-cbc', keys.key, ivFor(keys, seq));
  d.setAutoPadding(false); // checked below, as strictly as OpenSSL does, without a final() and a concatenation
  const pt = d.update(ct);
  const pad = pt[pt.length - 1];
  let ok = pad >= 1 && pad <= 16;
  for (let i = pt.length - pad; ok && i < pt.length; i++) ok = pt[i] === pad;
  if (!ok) throw new Error(PADDING_ERROR);
  return pt.subarray(0, pt.length - pad);
}

/** What klapOpen says of bad padding (a wrong key, or a corrupted body). */
export const PADDING_ERROR = 'bad padding (wrong session key, or a corrupted body)';
