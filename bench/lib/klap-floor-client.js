'use strict';
// The KLAP floor: the least a correct KLAP client can do per request on an
// established session. One kept-open socket, the request head and sealed body
// in one write, the reply read by Content-Length, opened, JSON.parse. No queue,
// no timers, no limits, no error mapping: what KLAP itself costs (AES-CBC and
// SHA-256 on both ends, HTTP framing), for comparison with our transport.
//
// const c = await klapFloorSession(port, account); await c.request(json); c.close()

const net = require('net');
const path = require('path');
const { randomBytes } = require('crypto');

const ROOT = path.resolve(__dirname, '..', '..');
const K = require(path.join(ROOT, 'nodes/core/transport/klap-crypto'));

async function klapFloorSession(port, { username, password }, version = 2) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let pending = null;
  let buf = Buffer.alloc(0);
  socket.on('data', (c) => {
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buf.toString('latin1', 0, end);
    const len = Number(/content-length: *(\d+)/i.exec(head)[1]);
    if (buf.length < end + 4 + len) return;
    const body = buf.subarray(end + 4, end + 4 + len);
    buf = buf.subarray(end + 4 + len);
    const p = pending;
    pending = null;
    p({ head, body });
  });
  const post = (target, body, cookie) => new Promise((resolve) => {
    pending = resolve;
    const c = cookie ? `Cookie: TP_SESSIONID=${cookie}\r\n` : '';
    socket.write(Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${body.length}\r\n${c}\r\n`, 'latin1'), body]));
  });
  const hash = K.klapAuthHash(version, username, password);
  const local = randomBytes(16);
  const h1 = await post('/app/handshake1', local, null);
  const cookie = /TP_SESSIONID=([^;\r]+)/.exec(h1.head)[1];
  const remote = h1.body.subarray(0, 16);
  await post('/app/handshake2', K.klapClientProof(version, local, remote, hash), cookie);
  const keys = K.klapSessionKeys(local, remote, hash);
  let seq = keys.seq0;
  return {
    async request(json) {
      seq = (seq + 1) | 0;
      const r = await post(`/app/request?seq=${seq}`, K.klapSeal(keys, seq, json), cookie);
      return JSON.parse(K.klapOpen(keys, seq, r.body).toString('utf8'));
    },
    close: () => socket.destroy(),
  };
}

module.exports = { klapFloorSession };
