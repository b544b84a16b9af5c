'use strict';
// The fixed-reply KLAP device: the KLAP counterpart of ./fixed-device.js. Real
// HTTP/1.1 on a raw `net` server (node:http's server costs more per request than
// the client being measured) and real KLAP: handshake1 (seed, v2 proof, cookie),
// handshake2 (the client's proof checked), then every /app/request body is
// checked (signature) and opened, and answered with the same get_sysinfo JSON
// (an HS110's, as the legacy fixed device) sealed under the request's seq. No
// JSON work, no device logic: what a benchmark measures is the client.
//
// In-process: const dev = await startFixedKlapDevice(); dev.port; await dev.close()
// As a child process (node bench/lib/fixed-klap-device.js [iot|smart]): sends {port} over IPC.

const net = require('net');
const { forkDevice, listenLocal } = require('./child-device');
const path = require('path');
const { randomBytes } = require('crypto');
const { REPLY_JSON: IOT_REPLY } = require('./fixed-device');

const ROOT = path.resolve(__dirname, '..', '..');
const K = require(path.join(ROOT, 'nodes/core/transport/klap-crypto'));

/** The bench account (v2 hash, like KP115 1.1.x firmware). */
const ACCOUNT = { username: 'bench@example.com', password: 'bench-password' };
const HASH = K.klapAuthHash(2, ACCOUNT.username, ACCOUNT.password);
const MAX_HEAD = 8192;

/**
 * The JSON every request is answered with: the HS110 get_sysinfo of the legacy
 * fixed device, or with dialect 'smart' a simulated P110's get_device_info
 * answer (a Tapo plug on KLAP, issue 13).
 */
function replyFor(dialect) {
  if (dialect !== 'smart') return IOT_REPLY;
  const { SmartDevice } = require(path.join(ROOT, 'nodes/simulator/smart/device'));
  return new SmartDevice({ model: 'P110', nickname: 'bench plug' }).handleSmartRequest(JSON.stringify({ method: 'get_device_info' }));
}
const MAX_BODY = 65536;

function reply(socket, status, body, extraHeaders = '') {
  const reason = status === 200 ? 'OK' : status === 403 ? 'Forbidden' : 'Bad Request';
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/octet-stream\r\n${extraHeaders}Content-Length: ${body.length}\r\n\r\n`;
  socket.write(body.length ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1'));
}

function startFixedKlapDevice({ port = 0, dialect = 'iot' } = {}) {
  const REPLY_JSON = replyFor(dialect);
  const sockets = new Set();
  const sessions = new Map();
  const stats = { connections: 0, handshakes: 0, requests: 0 };

  function route(socket, target, cookie, body) {
    if (target === '/app/handshake1') {
      if (body.length !== 16) return reply(socket, 400, Buffer.alloc(0));
      const remoteSeed = randomBytes(16);
      const id = randomBytes(16).toString('hex').toUpperCase();
      sessions.set(id, { local: body, remote: remoteSeed, confirmed: false, keys: K.klapSessionKeys(body, remoteSeed, HASH) });
      if (sessions.size > 1024) sessions.delete(sessions.keys().next().value);
      return reply(socket, 200, Buffer.concat([remoteSeed, K.klapServerProof(2, body, remoteSeed, HASH)]), `Set-Cookie: TP_SESSIONID=${id};TIMEOUT=86400\r\n`);
    }
    const m = /TP_SESSIONID=([0-9A-F]+)/.exec(cookie);
    const s = m && sessions.get(m[1]);
    if (!s) return reply(socket, 403, Buffer.alloc(0));
    if (target === '/app/handshake2') {
      if (!K.klapClientProof(2, s.local, s.remote, HASH).equals(body)) return reply(socket, 403, Buffer.alloc(0));
      s.confirmed = true;
      stats.handshakes++;
      return reply(socket, 200, Buffer.alloc(0));
    }
    if (!s.confirmed || !target.startsWith('/app/request?seq=')) return reply(socket, 403, Buffer.alloc(0));
    const seq = Number(target.slice('/app/request?seq='.length));
    try {
      K.klapOpen(s.keys, seq, body, true);
    } catch {
      return reply(socket, 400, Buffer.alloc(0));
    }
    stats.requests++;
    return reply(socket, 200, K.klapSeal(s.keys, seq, REPLY_JSON));
  }

  const server = net.createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEAD) socket.destroy();
          return;
        }
        const head = buf.toString('latin1', 0, end);
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = cl ? Number(cl[1]) : 0;
        if (len > MAX_BODY) { socket.destroy(); return; }
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len);
        buf = buf.subarray(end + 4 + len);
        const line = head.slice(0, head.indexOf('\r\n') >>> 0);
        const target = line.split(' ')[1] || '';
        const cookie = (/\r\ncookie:\s*([^\r]*)/i.exec(head) || [])[1] || '';
        route(socket, target, cookie, body);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return listenLocal(server, port, sockets, stats);
}

/** Starts the device in a child process; resolves with {port, pid, close()}. */
function spawnFixedKlapDevice({ dialect = 'iot' } = {}) {
  return forkDevice(__filename, [dialect], 'fixed KLAP device');
}

module.exports = { startFixedKlapDevice, spawnFixedKlapDevice, replyFor, ACCOUNT };

if (require.main === module) {
  startFixedKlapDevice({ dialect: process.argv[2] || 'iot' }).then((dev) => {
    process.send({ port: dev.port });
    process.on('disconnect', () => process.exit(0));
  });
}
