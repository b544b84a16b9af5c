// One HTTP POST on a keep-alive agent, with the limits a hostile device must not
// get past: a deadline over the whole exchange, a cap on the reply body, and
// errors mapped to the package's kinds. `stale` marks a failure on a reused
// socket before any reply byte: the device closed an idle connection and never
// saw the request, so one resend on a fresh socket is safe.

import * as http from 'http';
import { ConnectionRefusedError, ProtocolError, TimeoutError, TplinkError, UnreachableError } from '../errors';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface PostOptions {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  timeout: number;
  maxBytes: number;
  /** Word for the timeout message: "reply", "handshake". */
  what: string;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export class StaleSocketError extends Error {
  constructor(readonly real: Error) {
    super(real.message);
  }
}

export interface PostHandle {
  promise: Promise<HttpReply>;
  /** Ends the exchange now, rejecting with `err`. */
  abort(err: Error): void;
}

export function httpPost(agent: http.Agent, o: PostOptions, onConnect: () => void): PostHandle {
  let abort: (err: Error) => void = () => undefined;
  const promise = new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    let gotReply = false;
    const req = http.request({
      agent, host: o.host, port: o.port, path: o.path, method: 'POST',
      headers: { ...o.headers, 'Content-Length': String(o.body.length) },
    });
    const finish = (err: Error | null, reply?: HttpReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(reply as HttpReply);
    };
    abort = (err) => finish(err);
    const timer = setTimeout(() => finish(new TimeoutError(o.host, o.port, o.timeout, o.what)), o.timeout);
    req.on('socket', (s) => {
      if (s.connecting) s.once('connect', onConnect);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      const mapped = mapError(o, err);
      finish(req.reusedSocket && !gotReply && (err.code === 'ECONNRESET' || err.code === 'EPIPE') ? new StaleSocketError(mapped) : mapped);
    });
    req.on('response', (res) => {
      gotReply = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          finish(new ProtocolError(`reply from ${o.host}:${o.port} exceeds ${o.maxBytes} bytes`));
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(new ProtocolError(`reply from ${o.host}:${o.port} cut off: ${err.message}`, err)));
      res.on('aborted', () => finish(new ProtocolError(`reply from ${o.host}:${o.port} cut off`)));
    });
    req.end(o.body);
  });
  return { promise, abort: (err) => abort(err) };
}

function mapError(o: PostOptions, err: NodeJS.ErrnoException): TplinkError {
  if (err instanceof TplinkError) return err;
  if (err.code === 'ECONNREFUSED') return new ConnectionRefusedError(o.host, o.port, err);
  if (err.code && UNREACHABLE.has(err.code)) return new UnreachableError(o.host, o.port, err.code, err);
  return new ProtocolError(`connection to ${o.host}:${o.port} failed: ${err.code ?? err.message}`, err);
}
