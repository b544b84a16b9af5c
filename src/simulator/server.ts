// PlugSimulator: a SimulatedDevice behind real sockets on one port number,
// TCP (length-framed) and, optionally, UDP (one datagram each way), with a
// request log, connection counters and switchable wire faults.

import * as dgram from 'dgram';
import * as net from 'net';
import { decrypt } from '../core/cipher';
import { DeviceOptions, SimulatedDevice } from './device';
import { Fault, FaultPlan, FaultType } from './faults';
import { ModelSpec } from './models';
import { assertAllowedHost, bindUdp, closeServer, closeUdp, listenTcp, normalizeHost } from './net-util';
import { isPlainObject, mirrorError } from './replies';
import { serveConnection } from './tcp-connection';
import { Timers } from './timers';
import { replyBody } from './wire';

export interface StartOptions {
  model: string | ModelSpec;
  /** Default 127.0.0.1. Non-loopback addresses need allowLan. */
  host?: string;
  /** Default 0: an ephemeral port (read .port). */
  port?: number;
  /** UDP responder on the same port number. Default true. */
  udp?: boolean;
  /** Close the TCP connection after each reply, like some firmware. Default false. */
  closeAfterReply?: boolean;
  alias?: string;
  deviceId?: string;
  mac?: string;
  allowLan?: boolean;
  /** Oldest entries of `requests` are dropped beyond this many (long demo runs). Default 10000. */
  requestLogLimit?: number;
}

export type DatagramTap = (msg: Buffer, from: { address: string; port: number }) => void;

export class PlugSimulator {
  readonly host: string;
  readonly device: SimulatedDevice;
  /** Every decoded JSON request received, over TCP or UDP, in order. */
  readonly requests: object[] = [];
  connectionsOpened = 0;
  activeConnections = 0;
  peakConnections = 0;
  closeAfterReply: boolean;
  readonly udpEnabled: boolean;
  private _port: number;
  private server: net.Server | null = null;
  private udp: dgram.Socket | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly faults = new FaultPlan();
  private readonly timers = new Timers();
  private readonly taps = new Set<DatagramTap>();
  private readonly requestLogLimit: number;

  constructor(opts: StartOptions) {
    this.host = normalizeHost(opts.host ?? '127.0.0.1');
    assertAllowedHost(this.host, opts.allowLan);
    const devOpts: DeviceOptions = { model: opts.model, alias: opts.alias, deviceId: opts.deviceId, mac: opts.mac };
    this.device = new SimulatedDevice(devOpts);
    this._port = opts.port ?? 0;
    this.udpEnabled = opts.udp ?? true;
    this.closeAfterReply = opts.closeAfterReply ?? false;
    this.requestLogLimit = opts.requestLogLimit ?? 10_000;
  }

  static async start(opts: StartOptions): Promise<PlugSimulator> {
    const sim = new PlugSimulator(opts);
    await sim.listen();
    return sim;
  }

  /** The port in use (the ephemeral one once listening). */
  get port(): number {
    return this._port;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** Faults apply to the following requests; null clears. A bare type works for parameterless faults. */
  setFault(fault: Fault | FaultType | null): void {
    this.faults.set(fault);
  }

  get fault(): Fault | null {
    return this.faults.current;
  }

  /** Opens the listeners (again, after stop(), on the same port with the same state). */
  async listen(): Promise<void> {
    if (this.server) return;
    const ephemeral = this._port === 0;
    for (let attempt = 0; ; attempt++) {
      const server = net.createServer((s) => this.accept(s));
      const port = await listenTcp(server, this.host, this._port);
      if (!this.udpEnabled) {
        this.server = server;
        this._port = port;
        return;
      }
      try {
        this.udp = await bindUdp(this.host, port);
      } catch (e) {
        await closeServer(server);
        // The ephemeral TCP port may be taken on UDP; pick another pair.
        if (ephemeral && attempt < 10 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw e;
      }
      this.server = server;
      this._port = port;
      this.udp.on('message', (msg, rinfo) => {
        this.answerDatagram(msg, rinfo);
        for (const tap of this.taps) tap(msg, rinfo);
      });
      this.udp.on('error', () => {});
      return;
    }
  }

  /** Closes the listeners and every open connection; pending delayed replies are dropped. */
  async stop(): Promise<void> {
    this.timers.clear();
    const server = this.server;
    const udp = this.udp;
    this.server = null;
    this.udp = null;
    for (const s of this.sockets) s.destroy();
    await Promise.all([server ? closeServer(server) : undefined, udp ? closeUdp(udp) : undefined]);
  }

  /** stop() then listen(): a device reboot as a client sees it. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  /**
   * Answers one UDP datagram from this simulator's own UDP socket (the network
   * hands every discovery datagram to each member this way).
   */
  answerDatagram(msg: Buffer, to: { address: string; port: number }): void {
    if (!this.udp) return; // stopped: a switched-off plug hears nothing
    let request: unknown;
    try {
      request = JSON.parse(decrypt(msg));
    } catch {
      return; // like the firmware: silence
    }
    this.record(request);
    if (!isPlainObject(request)) return;
    const fault = this.faults.take('udp');
    const reply = fault?.type === 'err-code' ? mirrorError(request, fault.code, fault.msg) : this.device.handle(request);
    if (fault?.type === 'stall') return;
    const send = (): void => {
      const sock = this.udp;
      if (!sock) return;
      try {
        sock.send(replyBody(reply, fault), to.port, to.address);
      } catch {
        // closed meanwhile
      }
    };
    if (fault?.type === 'delay') this.timers.after(fault.ms, send);
    else send();
  }

  /**
   * Also hands every datagram arriving on this simulator's UDP port to `tap`
   * (how a network shares a member's port as its discovery port). Returns an undo.
   */
  tapDatagrams(tap: DatagramTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  private record(request: unknown): void {
    this.requests.push(request as object);
    if (this.requests.length > this.requestLogLimit) this.requests.splice(0, this.requests.length - this.requestLogLimit);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    this.connectionsOpened++;
    this.activeConnections++;
    this.peakConnections = Math.max(this.peakConnections, this.activeConnections);
    // A connection stops counting once either side has ended it ('finish': our own
    // end after a reply has been sent), not when the kernel finally reports 'close':
    // otherwise close-after-reply firmware would seem to hold two at once.
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      this.activeConnections--;
    };
    socket.on('finish', release);
    socket.on('end', release);
    socket.on('close', () => {
      this.sockets.delete(socket);
      release();
    });
    serveConnection(socket, {
      device: this.device,
      faults: this.faults,
      timers: this.timers,
      closeAfterReply: () => this.closeAfterReply,
      record: (r) => this.record(r),
    });
  }
}
