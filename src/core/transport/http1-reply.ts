// A strict, bounded parser for one HTTP/1.x response, fed the bytes of a socket
// as they arrive. It is what the KLAP client reads devices with instead of
// node:http (whose per-request machinery cost more than the KLAP exchange
// itself; docs/performance.md). Bodies by Content-Length, by chunked transfer
// coding, or up to the connection's end (RFC 9112 §6.3); interim 1xx answers
// skipped; every size capped. Errors are plain Errors whose message completes
// "reply from <host>:<port> …"; the caller maps them.

/** Header names are lower case; Set-Cookie lines are kept apart, as a list. */
export interface HttpHeaders {
  'set-cookie'?: string[];
  [name: string]: string | string[] | undefined;
}

export interface ParsedReply {
  status: number;
  headers: HttpHeaders;
  body: Buffer;
  /** the connection may carry another request (HTTP/1.1, no Connection: close, body not ended by close) */
  keepAlive: boolean;
  /** bytes arrived after the reply: nothing a request/reply device should send; don't reuse the connection */
  extra: boolean;
}

/** Largest status line plus header block accepted. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADERS = 100;
const MAX_INTERIM = 8;
const MAX_CHUNK_LINE = 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const CRLF = Buffer.from('\r\n');
const DIGITS = /^\d{1,15}$/;
const HEAD_END = Buffer.from('\r\n\r\n');

type BodyMode = 'length' | 'chunked' | 'until-close' | 'none';

export class HttpReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private interim = 0;
  private head: { status: number; headers: HttpHeaders; keepAlive: boolean; mode: BodyMode; length: number } | null = null;
  private parts: Buffer[] = [];
  private bodySize = 0;
  /** chunked: bytes of the current chunk still to read, -1 = a size line is next, -2 = trailers */
  private chunkLeft = -1;
  private done = false;

  constructor(private readonly maxBody: number, private readonly maxHead = MAX_HEAD_BYTES) {}

  /** Bytes received so far, headers included. */
  received = 0;

  /** Feeds bytes; returns the reply once it is whole, else null. Throws on anything malformed or oversized. */
  push(chunk: Buffer): ParsedReply | null {
    if (this.done) throw new Error('parser used after its reply was complete');
    this.received += chunk.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.head === null) {
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0 || end + 4 > this.maxHead) {
        if (this.buf.length > this.maxHead || end >= 0) throw new Error(`has a status line and headers larger than ${this.maxHead} bytes`);
        return null;
      }
      const headText = this.buf.toString('latin1', 0, end);
      this.buf = this.buf.subarray(end + 4);
      const head = parseHead(headText, this.maxBody);
      if (head.status < 200) {
        if (head.status === 101) throw new Error('switches protocols (HTTP 101), which no device should do');
        if (++this.interim > MAX_INTERIM) throw new Error(`sent more than ${MAX_INTERIM} interim (1xx) answers`);
        continue;
      }
      this.head = head;
    }
    return this.readBody();
  }

  /**
   * The connection ended: the reply if its body was delimited by the close,
   * else throws (nothing at all, or a reply cut short).
   */
  end(): ParsedReply {
    if (!this.done && this.head?.mode === 'until-close') return this.complete(false);
    throw new Error(this.received === 0 ? 'closed the connection before a reply' : `closed the connection in the middle of a reply (${this.received} bytes received)`);
  }

  private readBody(): ParsedReply | null {
    const head = this.head!;
    switch (head.mode) {
      case 'none':
        return this.complete(head.keepAlive);
      case 'length': {
        const need = head.length - this.bodySize;
        if (this.buf.length < need) {
          this.take(this.buf.length);
          return null;
        }
        this.take(need);
        return this.complete(head.keepAlive);
      }
      case 'until-close':
        this.take(this.buf.length);
        return null;
      case 'chunked':
        return this.readChunks();
    }
  }

  private readChunks(): ParsedReply | null {
    for (;;) {
      if (this.chunkLeft > 0) {
        const n = Math.min(this.chunkLeft, this.buf.length);
        this.take(n);
        this.chunkLeft -= n;
        if (this.chunkLeft > 0) return null;
        this.chunkLeft = 0; // the CRLF after the data is next
      }
      const eol = this.buf.indexOf(CRLF);
      if (eol < 0) {
        if (this.buf.length > MAX_CHUNK_LINE) throw new Error(`has a chunk line longer than ${MAX_CHUNK_LINE} bytes`);
        return null;
      }
      if (eol > MAX_CHUNK_LINE) throw new Error(`has a chunk line longer than ${MAX_CHUNK_LINE} bytes`);
      const line = this.buf.toString('latin1', 0, eol);
      this.buf = this.buf.subarray(eol + 2);
      if (this.chunkLeft === 0) {
        if (line !== '') throw new Error('has chunk data longer than its declared size');
        this.chunkLeft = -1;
      } else if (this.chunkLeft === -1) {
        const m = /^([0-9A-Fa-f]{1,8})[\t ]*(?:;.*)?$/.exec(line);
        if (!m) throw new Error('has a bad chunk size line');
        const size = parseInt(m[1], 16);
        if (this.bodySize + size > this.maxBody) throw new Error(`is larger than ${this.maxBody} bytes`);
        if (size === 0) this.chunkLeft = -2;
        else this.chunkLeft = size;
      } else {
        // Trailer section: ignored, but bounded like a header block.
        if (line === '') return this.complete(this.head!.keepAlive);
        if (++this.interim > MAX_HEADERS) throw new Error(`has more than ${MAX_HEADERS} trailer lines`);
      }
    }
  }

  private take(n: number): void {
    if (n === 0) return;
    if (this.bodySize + n > this.maxBody) throw new Error(`is larger than ${this.maxBody} bytes`);
    this.parts.push(this.buf.subarray(0, n));
    this.bodySize += n;
    this.buf = this.buf.subarray(n);
  }

  private complete(keepAlive: boolean): ParsedReply {
    this.done = true;
    const head = this.head!;
    const body = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bodySize);
    return { status: head.status, headers: head.headers, body, keepAlive, extra: this.buf.length > 0 };
  }
}

function parseHead(text: string, maxBody: number): { status: number; headers: HttpHeaders; keepAlive: boolean; mode: BodyMode; length: number } {
  const lines = text.split('\r\n');
  const m = STATUS_LINE.exec(lines[0]);
  if (!m) throw new Error(`has a bad status line (${JSON.stringify(lines[0].slice(0, 40))})`);
  const http10 = m[1] === '0';
  const status = Number(m[2]);
  if (lines.length - 1 > MAX_HEADERS) throw new Error(`has more than ${MAX_HEADERS} header lines`);
  const headers: HttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    // A folded line (leading space) or a line with no name: refused, as RFC 9112 allows.
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) throw new Error(`has a malformed header line (${JSON.stringify(line.slice(0, 40))})`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') (headers['set-cookie'] ??= []).push(value);
    else {
      const prev = headers[name];
      headers[name] = prev === undefined ? value : `${prev as string}, ${value}`;
    }
  }
  const conn = String(headers.connection ?? '').toLowerCase();
  let keepAlive = http10 ? /\bkeep-alive\b/.test(conn) : !/\bclose\b/.test(conn);
  if (status === 204 || status === 304) return { status, headers, keepAlive, mode: 'none', length: 0 };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    // Only chunked alone: any other coding would need a decoder no device needs.
    if (String(te).trim().toLowerCase() !== 'chunked') throw new Error(`has an unsupported Transfer-Encoding (${JSON.stringify(String(te).slice(0, 40))})`);
    return { status, headers, keepAlive, mode: 'chunked', length: 0 };
  }
  const cl = headers['content-length'];
  if (cl === undefined) {
    keepAlive = false;
    return { status, headers, keepAlive, mode: 'until-close', length: 0 };
  }
  // Repeated identical values are allowed (RFC 9110 §8.6); anything else is refused.
  // One value (every reply seen) needs no splitting.
  const clText = String(cl);
  const values = clText.includes(',') ? new Set(clText.split(',').map((v) => v.trim())) : new Set([clText]);
  const [only] = values;
  if (values.size !== 1 || !DIGITS.test(only)) throw new Error(`has a bad Content-Length (${JSON.stringify(clText.slice(0, 40))})`);
  const length = Number(only);
  if (length > maxBody) throw new Error(`is larger than ${maxBody} bytes`);
  return { status, headers, keepAlive, mode: length === 0 ? 'none' : 'length', length };
}
