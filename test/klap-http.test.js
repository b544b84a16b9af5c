'use strict';
// The KLAP transport's own HTTP/1.1 client (src/core/transport/klap-http.ts and
// http1-reply.ts) against hostile servers: raw `net` servers on 127.0.0.1 that
// answer with exactly the bytes each case needs. Each bad answer must give a
// protocol error or a timeout naming what was wrong, never a hang or a crash;
// good but unusual answers (chunked, 1xx, body until close) are read right.
const assert = require('assert');
const net = require('net');
const { HttpPoster } = require('../nodes/core/transport/klap-http');
const { HttpReplyParser, MAX_HEAD_BYTES } = require('../nodes/core/transport/http1-reply');

const HOST = '127.0.0.1';
const post = (poster, timeout = 1000, body = Buffer.from('seed-0123456789a')) => poster.post({ path: '/app/handshake1', body, cookie: null, timeout, what: 'reply' });

/** A server that answers each complete request (head + Content-Length body) with answer(n, socket). */
async function rawServer(answer) {
  const sockets = new Set();
  const seen = { connections: 0, requests: [] };
  const server = net.createServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number((/content-length: (\d+)/i.exec(head) || [0, 0])[1]);
        if (buf.length < end + 4 + len) return;
        seen.requests.push({ head, body: buf.subarray(end + 4, end + 4 + len) });
        buf = buf.subarray(end + 4 + len);
        answer(seen.requests.length, socket);
      }
    });
  });
  await new Promise((r) => server.listen(0, HOST, r));
  return {
    port: server.address().port,
    seen,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

const ok = (body, extra = '') => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${extra}Content-Length: ${body.length}\r\n\r\n`), body]);

describe('KLAP HTTP client against hostile servers (raw sockets, loopback)', () => {
  let srv;
  let poster;
  const start = async (answer, max = 65536) => {
    srv = await rawServer(answer);
    poster = new HttpPoster(HOST, srv.port, max, true);
  };
  afterEach(async () => {
    if (poster) poster.close();
    if (srv) await srv.close();
    srv = poster = null;
  });

  it('sends one well-formed POST: Host, Content-Length, the cookie only when given', async () => {
    await start((n, s) => s.write(ok(Buffer.from('r'))));
    await post(poster);
    await poster.post({ path: '/app/request?seq=7', body: Buffer.from('xyz'), cookie: 'ABC', timeout: 1000, what: 'reply' });
    const [a, b] = srv.seen.requests;
    assert.match(a.head, /^POST \/app\/handshake1 HTTP\/1\.1\r\n/);
    assert.match(a.head, new RegExp(`\\r\\nHost: 127\\.0\\.0\\.1:${srv.port}\\r\\n`));
    assert.match(a.head, /\r\nContent-Length: 16(\r\n|$)/);
    assert.doesNotMatch(a.head, /Cookie/i);
    assert.match(b.head, /\r\nCookie: TP_SESSIONID=ABC(\r\n|$)/);
    assert.strictEqual(b.body.toString(), 'xyz');
    assert.strictEqual(srv.seen.connections, 1, 'kept alive');
  });

  it('oversized headers: protocol error, the socket dropped', async () => {
    await start((n, s) => s.write(`HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(MAX_HEAD_BYTES + 10)}\r\nContent-Length: 0\r\n\r\n`));
    await assert.rejects(post(poster), { kind: 'protocol', message: /headers larger than 16384 bytes/ });
  });

  it('headers that never end (a slow drip within the cap): timeout, not a hang', async () => {
    await start((n, s) => s.write('HTTP/1.1 200 OK\r\nX-A: b\r\n'));
    await assert.rejects(post(poster, 200), { kind: 'timeout' });
  });

  for (const [name, line] of [
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['HTTP/2 text', 'HTTP/2 200\r\n\r\n'],
    ['a status of two digits', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['a status with letters', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a control byte in the reason', 'HTTP/1.1 200 O\x00K\r\n\r\n'],
  ]) {
    it(`bad status line (${name}): protocol error`, async () => {
      await start((n, s) => s.write(line));
      await assert.rejects(post(poster), { kind: 'protocol', message: /bad status line/ });
    });
  }

  it('a malformed or folded header line: protocol error', async () => {
    await start((n, s) => s.write(n === 1 ? 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n' : 'HTTP/1.1 200 OK\r\nX-A: b\r\n  folded\r\nContent-Length: 0\r\n\r\n'));
    await assert.rejects(post(poster), { kind: 'protocol', message: /malformed header line/ });
    await assert.rejects(post(poster), { kind: 'protocol', message: /malformed header line/ });
  });

  it('missing Content-Length, connection closed after the body: the body is read up to the close', async () => {
    await start((n, s) => s.end('HTTP/1.1 200 OK\r\n\r\nwhole body'));
    const r = await post(poster);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.body.toString(), 'whole body');
    await post(poster); // a new connection: a close-delimited one is never reused
    assert.strictEqual(srv.seen.connections, 2);
  });

  it('missing Content-Length and the connection kept open: timeout', async () => {
    await start((n, s) => s.write('HTTP/1.1 200 OK\r\n\r\npartial'));
    await assert.rejects(post(poster, 200), { kind: 'timeout' });
  });

  it('Content-Length above the reply cap: protocol error before the body arrives', async () => {
    await start((n, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n'), 4096);
    await assert.rejects(post(poster), { kind: 'protocol', message: /larger than 4096 bytes/ });
  });

  it('a body longer than the cap without Content-Length: protocol error once past the cap', async () => {
    await start((n, s) => s.write(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(5000)}`), 4096);
    await assert.rejects(post(poster), { kind: 'protocol', message: /larger than 4096 bytes/ });
  });

  for (const [name, value] of [['negative', '-1'], ['not a number', 'abc'], ['two different values', '3, 4'], ['hex', '0x10']]) {
    it(`bad Content-Length (${name}): protocol error`, async () => {
      await start((n, s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nabcd`));
      await assert.rejects(post(poster), { kind: 'protocol', message: /bad Content-Length/ });
    });
  }

  it('a repeated identical Content-Length is accepted', async () => {
    await start((n, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc'));
    assert.strictEqual((await post(poster)).body.toString(), 'abc');
  });

  it('chunked: decoded (extensions and trailers ignored), the connection kept', async () => {
    await start((n, s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n');
      setTimeout(() => s.write('6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'), 20);
    });
    assert.strictEqual((await post(poster)).body.toString(), 'hello world');
    assert.strictEqual((await post(poster)).body.toString(), 'hello world');
    assert.strictEqual(srv.seen.connections, 1);
  });

  it('chunked past the reply cap, a bad chunk size, data longer than its size: protocol errors', async () => {
    const answers = [
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFF\r\n${'x'.repeat(100)}`,
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'1'.repeat(2000)}`,
    ];
    await start((n, s) => s.write(answers[n - 1]), 4096);
    await assert.rejects(post(poster), { kind: 'protocol', message: /larger than 4096 bytes/ });
    await assert.rejects(post(poster), { kind: 'protocol', message: /bad chunk size/ });
    await assert.rejects(post(poster), { kind: 'protocol', message: /longer than its declared size/ });
    await assert.rejects(post(poster), { kind: 'protocol', message: /chunk line longer than 1024 bytes/ });
  });

  it('a Transfer-Encoding other than chunked: protocol error naming it', async () => {
    await start((n, s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'));
    await assert.rejects(post(poster), { kind: 'protocol', message: /unsupported Transfer-Encoding \("gzip, chunked"\)/ });
  });

  it('early close in the middle of the body: protocol error with the bytes received', async () => {
    await start((n, s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'));
    await assert.rejects(post(poster), { kind: 'protocol', message: /in the middle of a reply \(\d+ bytes received\)/ });
  });

  it('close before any byte on a fresh connection: protocol error, not retried', async () => {
    await start((n, s) => s.destroy());
    await assert.rejects(post(poster), { kind: 'protocol', message: /closed by 127\.0\.0\.1:\d+ before a reply/ });
    assert.strictEqual(srv.seen.requests.length, 1);
  });

  it('interim 100 Continue answers are skipped; 101 and endless 1xx are refused', async () => {
    const answers = ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'HTTP/1.1 102 Processing\r\n\r\n'.repeat(9)];
    await start((n, s) => s.write(n === 1 ? answers[0] + ok(Buffer.from('fine')).toString() : answers[n - 1]));
    assert.strictEqual((await post(poster)).body.toString(), 'fine');
    await assert.rejects(post(poster), { kind: 'protocol', message: /HTTP 101/ });
    await assert.rejects(post(poster), { kind: 'protocol', message: /more than 8 interim/ });
  });

  it('Connection: close and HTTP/1.0: the reply is read, the connection not reused', async () => {
    await start((n, s) => s.write(n % 2 ? ok(Buffer.from('a'), 'Connection: close\r\n') : Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb')));
    assert.strictEqual((await post(poster)).body.toString(), 'a');
    assert.strictEqual((await post(poster)).body.toString(), 'b');
    await post(poster);
    assert.strictEqual(srv.seen.connections, 3);
  });

  it('bytes after the reply: the reply is used, the connection is not', async () => {
    await start((n, s) => s.write(Buffer.concat([ok(Buffer.from('a')), Buffer.from('HTTP/1.1 200 OK\r\n')])));
    assert.strictEqual((await post(poster)).body.toString(), 'a');
    assert.strictEqual((await post(poster)).body.toString(), 'a');
    assert.strictEqual(srv.seen.connections, 2);
  });

  it('unasked-for bytes on an idle connection: it is dropped, the next request uses a fresh one', async () => {
    let first = null;
    await start((n, s) => { if (n === 1) first = s; s.write(ok(Buffer.from(String(n)))); });
    await post(poster);
    await post(poster); // two replies: the poster now reuses without waiting
    first.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforge');
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual((await post(poster)).body.toString(), '3');
    assert.strictEqual(srv.seen.connections, 2);
  });

  it('a kept-open socket the device ended while idle: the next request goes on a fresh one, no error', async () => {
    let sock = null;
    await start((n, s) => { sock = s; s.write(ok(Buffer.from(String(n)))); });
    await post(poster);
    await post(poster);
    sock.destroy(); // the device ends the idle connection
    await new Promise((r) => setTimeout(r, 50));
    // The poster saw the end while idle: a fresh socket, no error at all.
    assert.strictEqual((await post(poster)).body.toString(), '3');
    assert.strictEqual(srv.seen.connections, 2);
  });

  it('connection refused: refused naming the HTTP port', async () => {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, HOST, r));
    const port = s.address().port;
    await new Promise((r) => s.close(r));
    poster = new HttpPoster(HOST, port, 65536, true);
    await assert.rejects(post(poster), (e) => e.kind === 'refused' && /HTTP port is closed/.test(e.message));
  });

  it('close() while waiting: rejects with closed; afterwards nothing is sent', async () => {
    await start(() => {});
    const p = post(poster, 5000);
    await new Promise((r) => setTimeout(r, 50));
    poster.close();
    await assert.rejects(p, { kind: 'closed' });
    await assert.rejects(post(poster), { kind: 'closed' });
    assert.strictEqual(srv.seen.requests.length, 1);
  });
});

describe('HttpReplyParser (bytes one at a time)', () => {
  const feed = (text, max = 65536) => {
    const p = new HttpReplyParser(max);
    const b = Buffer.from(text, 'latin1');
    let r = null;
    for (let i = 0; i < b.length && !r; i++) r = p.push(b.subarray(i, i + 1));
    return r;
  };

  it('a Content-Length reply split into single bytes', () => {
    const r = feed('HTTP/1.1 200 OK\r\nSet-Cookie: TP_SESSIONID=A;TIMEOUT=5\r\nSet-Cookie: b=c\r\nContent-Length: 4\r\n\r\nbody');
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(r.headers['set-cookie'], ['TP_SESSIONID=A;TIMEOUT=5', 'b=c']);
    assert.strictEqual(r.body.toString(), 'body');
    assert.strictEqual(r.keepAlive, true);
  });

  it('a chunked reply split into single bytes', () => {
    assert.strictEqual(feed('HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n').body.toString(), 'abcd');
  });

  it('204 and Content-Length 0: complete with an empty body at the end of the head', () => {
    assert.strictEqual(feed('HTTP/1.1 204 No Content\r\n\r\n').body.length, 0);
    assert.strictEqual(feed('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n').status, 403);
  });

  it('end() completes a body delimited by the close and refuses a cut reply', () => {
    const p = new HttpReplyParser(100);
    assert.strictEqual(p.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\nab')), null);
    assert.strictEqual(p.end().body.toString(), 'ab');
    const q = new HttpReplyParser(100);
    q.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab'));
    assert.throws(() => q.end(), /in the middle of a reply/);
    assert.throws(() => new HttpReplyParser(100).end(), /before a reply/);
  });

  it('more than 100 header lines: refused', () => {
    assert.throws(() => feed(`HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(101)}\r\n`), /more than 100 header lines/);
  });
});

describe('KLAP HTTP client: callers that do not wait for each other', () => {
  it('concurrent posts go one after another on the one connection; close() ends the waiting ones too', async () => {
    const srv = await rawServer((n, s) => setTimeout(() => s.write(ok(Buffer.from(`r${n}`))), 20));
    const poster = new HttpPoster(HOST, srv.port, 65536, true);
    try {
      const bodies = await Promise.all([1, 2, 3].map(() => post(poster).then((r) => r.body.toString())));
      assert.deepStrictEqual(bodies, ['r1', 'r2', 'r3']);
      assert.strictEqual(srv.seen.connections, 1);
      const p = [post(poster, 5000), post(poster, 5000), post(poster, 5000)];
      await new Promise((r) => setTimeout(r, 5));
      poster.close();
      for (const x of p) await assert.rejects(x, { kind: 'closed' });
    } finally {
      poster.close();
      await srv.close();
    }
  });
});

describe('KLAP HTTP client: one reply timer, re-armed per request', () => {
  it('each request gets its own full timeout, whatever came before; a silent device still times out', async () => {
    // Answers 1-3 after 120 ms each, 4 after 150 ms, 5 never; 6 and on at once.
    const srv = await rawServer((n, s) => {
      if (n <= 4) setTimeout(() => s.write(ok(Buffer.from(`r${n}`))), n === 4 ? 150 : 120);
      else if (n !== 5) s.write(ok(Buffer.from(`r${n}`)));
    });
    const poster = new HttpPoster(HOST, srv.port, 65536, true);
    try {
      // Together longer than one timeout: each counts from its own request.
      for (let i = 1; i <= 3; i++) assert.strictEqual((await post(poster, 300)).body.toString(), `r${i}`);
      // A longer timeout than the last one: the 150 ms wait fits in it.
      assert.strictEqual((await post(poster, 2000)).body.toString(), 'r4');
      // The silent one: a timeout naming the wait, the socket dropped.
      await assert.rejects(post(poster, 120), { kind: 'timeout' });
      // Left idle past a short timeout (the timer may fire while idle): the next request is unharmed.
      assert.strictEqual((await post(poster, 30)).body.toString(), 'r6');
      await new Promise((r) => setTimeout(r, 80));
      assert.strictEqual((await post(poster, 2000)).body.toString(), 'r7');
      assert.strictEqual(srv.seen.connections, 2);
    } finally {
      poster.close();
      await srv.close();
    }
  });
});

describe('KLAP HTTP client without connection reuse', () => {
  it('reuse off: "Connection: close" asked, a new connection per request, each closed after its reply', async () => {
    const srv = await rawServer((n, s) => s.write(ok(Buffer.from(`r${n}`))));
    const poster = new HttpPoster(HOST, srv.port, 65536, false);
    try {
      for (let i = 1; i <= 3; i++) assert.strictEqual((await post(poster)).body.toString(), `r${i}`);
      assert.strictEqual(srv.seen.connections, 3);
      for (const r of srv.seen.requests) assert.match(r.head, /\r\nConnection: close\r\n/);
      assert.strictEqual(poster.connects, 3);
    } finally {
      poster.close();
      await srv.close();
    }
  });
});
