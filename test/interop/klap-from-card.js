'use strict';
// An independent KLAP client, written from the wire description alone (the
// reference card, mirrored in docs/klap.md), importing nothing from src/ or
// nodes/: handshake1, handshake2 and one request. Run against our simulator it
// checks that the server and our client don't share a mistake.
//   node test/interop/klap-from-card.js <port> <v1|v2> <user> <password> [json]
const crypto = require('crypto');
const http = require('http');

const H = (algo, ...parts) => parts.reduce((h, p) => h.update(p), crypto.createHash(algo)).digest();

function post(host, port, path, body, cookie) {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Length': body.length };
    if (cookie) headers.Cookie = cookie;
    const req = http.request({ host, port, path, method: 'POST', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** One request over a fresh KLAP session; resolves with the reply text. */
async function klapRequest({ host = '127.0.0.1', port, version, username, password, json }) {
  const user = Buffer.from(username, 'utf8');
  const pass = Buffer.from(password, 'utf8');
  const auth = version === 1 ? H('md5', H('md5', user), H('md5', pass)) : H('sha256', H('sha1', user), H('sha1', pass));

  const local = crypto.randomBytes(16);
  const h1 = await post(host, port, '/app/handshake1', local);
  if (h1.status !== 200 || h1.body.length !== 48) throw new Error(`handshake1: HTTP ${h1.status}, ${h1.body.length} bytes`);
  const remote = h1.body.subarray(0, 16);
  const proof = h1.body.subarray(16);
  const expected = version === 1 ? H('sha256', local, auth) : H('sha256', local, remote, auth);
  if (!expected.equals(proof)) throw new Error('handshake1: server proof does not match');
  const cookie = String(h1.headers['set-cookie'][0]).split(';')[0]; // TP_SESSIONID=<id>

  const h2 = await post(host, port, '/app/handshake2', version === 1 ? H('sha256', remote, auth) : H('sha256', remote, local, auth), cookie);
  if (h2.status !== 200) throw new Error(`handshake2: HTTP ${h2.status}`);

  const L = Buffer.concat([local, remote, auth]);
  const key = H('sha256', Buffer.from('lsk'), L).subarray(0, 16);
  const t = H('sha256', Buffer.from('iv'), L);
  const sig = H('sha256', Buffer.from('ldk'), L).subarray(0, 28);
  const seq = (t.readInt32BE(28) + 1) | 0;
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeInt32BE(seq);
  const iv = Buffer.concat([t.subarray(0, 12), seqBytes]);
  const c = crypto.createCipheriv('aes-128-cbc', key, iv);
  const ct = Buffer.concat([c.update(json, 'utf8'), c.final()]);
  const r = await post(host, port, `/app/request?seq=${seq}`, Buffer.concat([H('sha256', sig, seqBytes, ct), ct]), cookie);
  if (r.status !== 200) throw new Error(`request: HTTP ${r.status}`);
  const d = crypto.createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([d.update(r.body.subarray(32)), d.final()]).toString('utf8');
}

module.exports = { klapRequest };

if (require.main === module) {
  const [port, v, username = '', password = '', json = '{"system":{"get_sysinfo":{}}}'] = process.argv.slice(2);
  klapRequest({ port: Number(port), version: v === 'v1' ? 1 : 2, username, password, json }).then(
    (text) => process.stdout.write(`${text}\n`),
    (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}
