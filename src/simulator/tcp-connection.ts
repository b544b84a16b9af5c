// One accepted TCP connection: reassembles length-framed requests (split or
// pipelined), answers them strictly in order, and applies stream faults.

import * as net from 'net';
import { decrypt } from '../core/cipher';
import { FrameDecoder } from '../core/framing';
import type { SimulatedDevice } from './device';
import { Fault, FaultPlan } from './faults';
import { isPlainObject, mirrorError, Reply } from './replies';
import { Timers } from './timers';
import { header, replyBody } from './wire';

export interface ConnectionHost {
  device: SimulatedDevice;
  faults: FaultPlan;
  timers: Timers;
  closeAfterReply(): boolean;
  record(request: unknown): void;
}

/** Lets the partial bytes reach the peer before the RST discards the send queue. */
const RESET_GRACE_MS = 20;

function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export function serveConnection(socket: net.Socket, host: ConnectionHost): void {
  const decoder = new FrameDecoder();
  let chain: Promise<void> = Promise.resolve();
  // Set once the stream can't go on (closed, stalled, desynchronised): later bytes are ignored.
  let done = false;

  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch {
      done = true; // a length header beyond any real request
      socket.destroy();
      return;
    }
    for (const payload of frames) {
      chain = chain
        .then(() => (done ? undefined : serve(payload)))
        .catch(() => {
          done = true;
          socket.destroy();
        });
    }
  });

  async function serve(payload: Buffer): Promise<void> {
    let request: unknown;
    try {
      request = JSON.parse(decrypt(payload));
    } catch {
      request = undefined;
    }
    if (request !== undefined) host.record(request);
    if (!isPlainObject(request)) {
      // Like the firmware: no answer to something that isn't a JSON object, just a close.
      done = true;
      socket.end();
      return;
    }
    const fault = host.faults.take('tcp');
    const reply = fault?.type === 'err-code' ? mirrorError(request, fault.code, fault.msg) : host.device.handle(request);
    if (fault?.type === 'delay') await host.timers.sleep(fault.ms);
    if (socket.destroyed || done) return;
    send(reply, fault);
  }

  function send(reply: Reply, fault: Fault | null): void {
    const body = replyBody(reply, fault);
    switch (fault?.type) {
      case 'stall':
        done = true;
        return;
      case 'reset-mid-header':
        done = true;
        socket.write(header(body.length).subarray(0, 2), () => host.timers.after(RESET_GRACE_MS, () => reset(socket)));
        return;
      case 'reset-mid-body':
        done = true;
        socket.write(Buffer.concat([header(body.length), body.subarray(0, Math.ceil(body.length / 2))]), () =>
          host.timers.after(RESET_GRACE_MS, () => reset(socket)));
        return;
      case 'huge-length':
        done = true;
        socket.write(Buffer.concat([header(fault.length ?? 0x8000_0000), body.subarray(0, 8)]));
        return;
      case 'lying-length':
        done = true;
        socket.end(Buffer.concat([header(body.length + (fault.extra ?? 64)), body]));
        return;
      default: {
        const framed = Buffer.concat([header(body.length), body]);
        if (host.closeAfterReply() || fault?.type === 'close-after-reply') {
          done = true;
          socket.end(framed);
        } else {
          socket.write(framed);
        }
      }
    }
  }
}
