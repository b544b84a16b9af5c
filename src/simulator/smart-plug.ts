// A SMART plug (Tapo P110, P300 strip, KP125M, P100) on 127.0.0.1 with its real
// transport: current firmware carries SmartDevice inside a KlapServer (KLAP v2),
// older firmware (P100) behind the AES securePassthrough server. Both answer
// the UDP 20002 probe with buildDiscoveryAnswer. Misbehaviour: the KLAP
// server's faults (403 on handshake1 = TPAP / Third-Party Compatibility off,
// stall, undecryptable …), "403 after N requests", and the AES server's
// (9999 session timeout, 1003, stall, garbage …). -1008 on `params: null` is the
// model's own (P110).

import * as dgram from 'dgram';
import { KlapFault, KlapFaultType, KlapServer } from './klap-server';
import { closeUdp } from './net-util';
import { bindDiscoverySocket, isDiscoveryProbe } from './probe-20002';
import { SmartDevice } from './smart/device';
import { AesSmartServer } from './smart/aes-server';
import type { AesFault } from './smart/aes-faults';
import { buildDiscoveryAnswer } from './smart/discovery-answer';
import { findSmartModel } from './smart/models';

/** Short names of the SMART models and the transport each is served on. */
export const SMART_SIM_MODELS: Readonly<Record<string, { model: string; transport: 'klap' | 'aes' }>> = {
  p110: { model: 'P110', transport: 'klap' },
  p300: { model: 'P300', transport: 'klap' },
  kp125m: { model: 'KP125M', transport: 'klap' },
  p100: { model: 'P100', transport: 'aes' },
};

export function isSmartSimModel(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(SMART_SIM_MODELS, String(name).trim().toLowerCase());
}

export interface SmartPlugOptions {
  /** p110 | p300 | kp125m (KLAP v2) | p100 (AES) */
  model: string;
  /** the owner's account (KLAP: blank = un-provisioned; AES: default test@tp-link.net/test) */
  username?: string;
  password?: string;
  /** override the model's transport (e.g. a P110 on old AES firmware) */
  transport?: 'klap' | 'aes';
  nickname?: string;
  deviceId?: string;
  mac?: string;
  host?: string;
  /** HTTP port; default 0 (ephemeral) */
  port?: number;
  /** UDP port answering the 20002 probe; default 0 (ephemeral), null = none */
  discoveryPort?: number | null;
  sessionTimeout?: number;
  pageSize?: number;
  allowLan?: boolean;
}

/** Misbehaviour of the simulated SMART plug (see the file comment). */
export type SmartPlugFault =
  | KlapFault
  | KlapFaultType
  | { type: 'forbidden-after'; requests: number }
  | { type: 'aes'; fault: AesFault };

export class SmartPlugSimulator {
  readonly device: SmartDevice;
  readonly transport: 'klap' | 'aes';
  readonly klap: KlapServer | null = null;
  readonly aes: AesSmartServer | null = null;
  probesAnswered = 0;
  private udp: dgram.Socket | null = null;
  private _discoveryPort: number | null;
  private forbidAfter: number | null = null;
  private handledSinceFault = 0;

  constructor(opts: SmartPlugOptions) {
    const entry = SMART_SIM_MODELS[String(opts.model).trim().toLowerCase()];
    if (!entry) throw new Error(`unknown SMART model "${opts.model}"; known: ${Object.keys(SMART_SIM_MODELS).join(', ')}`);
    const spec = findSmartModel(entry.model);
    this.transport = opts.transport ?? entry.transport;
    this.device = new SmartDevice({ model: spec, nickname: opts.nickname, deviceId: opts.deviceId, mac: opts.mac, pageSize: opts.pageSize });
    const host = opts.host ?? '127.0.0.1';
    if (this.transport === 'klap') {
      this.klap = new KlapServer({
        handle: (text) => this.handleKlap(text),
        hashVersion: 2,
        username: opts.username,
        password: opts.password,
        sessionTimeout: opts.sessionTimeout,
        host,
        port: opts.port,
        allowLan: opts.allowLan,
      });
    } else {
      this.aes = new AesSmartServer({
        model: spec, device: this.device, host, port: opts.port, allowLan: opts.allowLan,
        username: opts.username || undefined, password: opts.username ? opts.password : undefined, sessionTimeout: opts.sessionTimeout,
      });
    }
    this._discoveryPort = opts.discoveryPort === undefined ? 0 : opts.discoveryPort;
  }

  static async start(opts: SmartPlugOptions): Promise<SmartPlugSimulator> {
    const sim = new SmartPlugSimulator(opts);
    await sim.listen();
    return sim;
  }

  get host(): string {
    return (this.klap ?? this.aes)!.host;
  }

  /** the HTTP port */
  get port(): number {
    return (this.klap ?? this.aes)!.port;
  }

  get discoveryPort(): number | null {
    return this._discoveryPort;
  }

  get model(): string {
    return this.device.spec.model;
  }

  /** Requests the device ran (parsed), in order. */
  get requests(): Array<Record<string, unknown>> {
    return this.device.requests;
  }

  setFault(f: SmartPlugFault | null): void {
    this.forbidAfter = null;
    if (f === null) {
      this.klap?.setFault(null);
      this.aes?.setFault(null);
      return;
    }
    if (typeof f === 'object' && f.type === 'aes') {
      if (!this.aes) throw new Error('an AES fault needs the AES transport');
      this.aes.setFault(f.fault);
      return;
    }
    if (typeof f === 'object' && f.type === 'forbidden-after') {
      if (this.aes) this.aes.setFault({ type: 'forbidden-after', requests: f.requests, times: 1 });
      else {
        this.forbidAfter = f.requests;
        this.handledSinceFault = 0;
      }
      return;
    }
    if (!this.klap) throw new Error('a KLAP fault needs the KLAP transport');
    this.klap.setFault(f as KlapFault | KlapFaultType);
  }

  async listen(): Promise<void> {
    if (this.klap) await this.klap.listen();
    else await this.aes!.listen();
    if (this._discoveryPort === null || this.udp) return;
    this.udp = await bindDiscoverySocket(this.host, this._discoveryPort, () => this.stopHttp(), (msg, rinfo) => this.answerProbe(msg, rinfo));
    this._discoveryPort = this.udp.address().port;
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    await Promise.all([this.stopHttp(), udp ? closeUdp(udp) : undefined]);
  }

  private stopHttp(): Promise<void> {
    return this.klap ? this.klap.stop() : this.aes!.stop();
  }

  private handleKlap(text: string): string {
    const reply = this.device.handleSmartRequest(text);
    // "403 after N requests": the request after the Nth is refused unread and the session dropped.
    if (this.forbidAfter !== null && ++this.handledSinceFault >= this.forbidAfter) {
      this.forbidAfter = null;
      this.klap!.setFault({ type: 'forbid-request', times: 1 });
    }
    return reply;
  }

  private answerProbe(msg: Buffer, to: dgram.RemoteInfo): void {
    if (!isDiscoveryProbe(msg)) return; // like the firmware: silence
    const answer = buildDiscoveryAnswer(this.device, { httpPort: this.port, serial: msg.subarray(8, 12), encrypt: this.transport === 'klap' ? 'KLAP' : 'AES' });
    this.probesAnswered++;
    this.udp?.send(answer, to.port, to.address, () => {});
  }
}
