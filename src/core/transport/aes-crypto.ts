// Crypto of the AES securePassthrough handshake and messages, on node:crypto only.
//
// The device sends its AES key and IV RSA-encrypted with PKCS#1 v1.5 padding.
// Current Node refuses privateDecrypt with that padding (the Marvin attack fix,
// CVE-2023-46809), so we decrypt raw (RSA_NO_PADDING) and check and strip the
// padding here. The key pair is fresh per handshake and a failed unpadding only
// ends this handshake, so the client is no decryption oracle.

import * as crypto from 'crypto';
import { ProtocolError } from '../errors';

export interface RsaKeyPair {
  /** SPKI PEM, as the handshake sends it. */
  publicPem: string;
  privateKey: crypto.KeyObject;
}

export function generateRsaKeyPair(bits = 1024): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    crypto.generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolve({ publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey });
    });
  });
}

/** Strips PKCS#1 v1.5 type-2 padding: 00 02 PS(>= 8 non-zero bytes) 00 M. */
export function unpadPkcs1v15(em: Buffer): Buffer {
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) throw new ProtocolError('handshake key: bad RSA padding');
  const sep = em.indexOf(0x00, 2);
  if (sep < 0 || sep < 10) throw new ProtocolError('handshake key: bad RSA padding');
  return em.subarray(sep + 1);
}

/** RSA PKCS#1 v1.5 decryption without the Node API that refuses it. */
export function rsaDecryptPkcs1v15(privateKey: crypto.KeyObject, data: Buffer): Buffer {
  const k = ((privateKey.asymmetricKeyDetails?.modulusLength ?? 1024) + 7) >> 3;
  if (data.length === 0 || data.length > k) throw new ProtocolError(`handshake key: ${data.length} bytes, expected ${k}`);
  // A device may drop leading zero bytes of the ciphertext; put them back.
  const c = data.length === k ? data : Buffer.concat([Buffer.alloc(k - data.length), data]);
  let em: Buffer;
  try {
    em = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, c);
  } catch (err) {
    throw new ProtocolError('handshake key does not decrypt', err);
  }
  return unpadPkcs1v15(em);
}

/** Encrypts with PKCS#1 v1.5 padding (the simulator's side; publicEncrypt still allows it). */
export function rsaEncryptPkcs1v15(publicPem: string, data: Buffer): Buffer {
  return crypto.publicEncrypt({ key: publicPem, padding: crypto.constants.RSA_PKCS1_PADDING }, data);
}

export interface AesKey {
  key: Buffer;
  iv: Buffer;
}

/** The 32 bytes of the handshake: AES-128 key then IV, used for every message. */
export function splitAesKey(material: Buffer): AesKey {
  if (material.length !== 32) throw new ProtocolError(`handshake key holds ${material.length} bytes, expected 32`);
  return { key: Buffer.from(material.subarray(0, 16)), iv: Buffer.from(material.subarray(16, 32)) };
}

export function aesEncryptBase64(k: AesKey, plaintext: string): string {
  const c = crypto.createCipheriv('aes-128-cbc', k.key, k.iv);
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

/** Decrypts a base64 message; anything that does not decrypt to UTF-8 is a protocol error. */
export function aesDecryptBase64(k: AesKey, b64: string): string {
  const ct = Buffer.from(b64, 'base64');
  if (ct.length === 0 || ct.length % 16 !== 0) throw new ProtocolError(`reply does not decrypt (${ct.length} bytes, not whole AES blocks)`);
  try {
    const d = crypto.createDecipheriv('aes-128-cbc', k.key, k.iv);
    const pt = Buffer.concat([d.update(ct), d.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(pt);
  } catch (err) {
    throw new ProtocolError('reply does not decrypt (wrong key or corrupted)', err);
  }
}

/** login_device params: v1 sends base64(password), v2 base64(hex SHA1(password)). */
export function loginParams(username: string, password: string, version: 1 | 2): Record<string, string> {
  const sha1hex = (s: string): string => crypto.createHash('sha1').update(s, 'utf8').digest('hex');
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const params: Record<string, string> = { username: b64(sha1hex(username)) };
  if (version === 2) params.password2 = b64(sha1hex(password));
  else params.password = b64(password);
  return params;
}
