// TCP length framing: every message is a 4-byte big-endian length, then that
// many bytes of ciphertext. FrameDecoder reassembles replies from arbitrary
// chunks without trusting the peer's claimed length for allocation.

import { ProtocolError } from './errors';

export const DEFAULT_MAX_FRAME = 1024 * 1024; // 1 MiB; real replies are < 20 KB

export class FrameTooLargeError extends ProtocolError {
  constructor(readonly claimed: number, readonly limit: number) {
    super(`reply length header claims ${claimed} bytes, over the ${limit}-byte cap; connection dropped`);
    this.name = 'FrameTooLargeError';
  }
}

/** Prepends the length header to an already-encrypted payload. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/**
 * Stream decoder. push() takes any chunk and returns the whole frame payloads
 * (ciphertext without header) completed by it, in order. Chunks are kept as a
 * list and joined once per frame, so memory grows only with bytes actually received.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1; // payload length of the frame in progress, -1 = header not yet read

  constructor(readonly maxFrame: number = DEFAULT_MAX_FRAME) {}

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const len = this.peekHeader();
        if (len > this.maxFrame) {
          this.reset();
          throw new FrameTooLargeError(len, this.maxFrame);
        }
        this.consume(4);
        this.expected = len;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.consume(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.expected = -1;
  }

  private peekHeader(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    return head.readUInt32BE(0);
  }

  /** Removes and returns the next n bytes. */
  private consume(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0];
        const take = Math.min(c.length, n - off);
        c.copy(out, off, 0, take);
        off += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}
