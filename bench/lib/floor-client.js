'use strict';
// The floor: the least a correct client can do per request. Connect, write the
// length-framed encrypted request, read until 4 + length bytes, close, decrypt
// with a plain byte loop and JSON.parse. No queue, no timers, no error mapping.

const net = require('net');

/** Byte-loop autokey encryption with the 4-byte big-endian length header. */
function encryptFrame(text) {
  const plain = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(4 + plain.length);
  out.writeUInt32BE(plain.length, 0);
  let k = 171;
  for (let i = 0; i < plain.length; i++) {
    k ^= plain[i];
    out[4 + i] = k;
  }
  return out;
}

function decryptBody(buf, start, end) {
  const out = Buffer.allocUnsafe(end - start);
  let k = 171;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    out[i - start] = c ^ k;
    k = c;
  }
  return out.toString('utf8');
}

/** One request over a fresh connection; resolves with the parsed reply. */
function floorRequest(port, request) {
  return new Promise((resolve, reject) => {
    const frame = encryptFrame(JSON.stringify(request));
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    let buf = null;
    socket.on('connect', () => socket.write(frame));
    socket.on('data', (chunk) => {
      buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const len = buf.readUInt32BE(0);
      if (buf.length < 4 + len) return;
      socket.destroy();
      try {
        resolve(JSON.parse(decryptBody(buf, 4, 4 + len)));
      } catch (err) {
        reject(err);
      }
    });
    socket.on('error', reject);
  });
}

module.exports = { floorRequest, encryptFrame };
