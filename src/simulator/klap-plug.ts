// A Kasa plug with KLAP firmware: the legacy device logic (IOT JSON) behind a
// KlapServer on HTTP, and a responder for the UDP 20002 probe. Nothing listens
// on 9999: that port is what this firmware closed.

import * as dgram from 'dgram';
import { frame20002 } from '../core/discovery-20002';
import { SimulatedDevice } from './device';
import { findKlapModel, KLAP_MODELS, KlapModelSpec } from './klap-models';
import { KlapFault, KlapFaultType, KlapServer } from './klap-server';
import { closeUdp } from './net-util';
import { bindDiscoverySocket, isDiscoveryProbe } from './probe-20002';
import { isPlainObject } from './replies';

export interface KlapPlugOptions {
  /** "kp115-klap", "hs100-klap", "hs300-klap", or a spec */
  model: string | KlapModelSpec;
  /** the owner's account; absent or blank = un-provisioned (blank account) */
  username?: string;
  password?: string;
  /** default 127.0.0.1 */
  host?: string;
  /** HTTP port; default 0 (ephemeral) */
  port?: number;
  /** UDP port answering the 20002 probe; default 0 (ephemeral), null = none */
  discoveryPort?: number | null;
  sessionTimeout?: number;
  alias?: string;
  deviceId?: string;
  mac?: string;
  allowLan?: boolean;
  /**
   * Firmware that opens its HTTP port only after hearing the UDP 20002 probe: the
   * port (fixed at start, see `port`) refuses connections until a probe arrives at
   * the discovery port, then listens for good. Needs a discovery port.
   */
  httpClosedUntilProbe?: boolean;
}

export function klapSpec(model: string | KlapModelSpec): KlapModelSpec {
  if (typeof model !== 'string') return model;
  const spec = findKlapModel(model);
  if (!spec) throw new Error(`unknown KLAP model "${model}"; known: ${KLAP_MODELS.map((m) => m.name).join(', ')}`);
  return spec;
}

export class KlapPlugSimulator {
  readonly device: SimulatedDevice;
  readonly server: KlapServer;
  readonly spec: KlapModelSpec;
  /** every decoded JSON request, in order */
  readonly requests: object[] = [];
  /** 20002 probes answered */
  probesAnswered = 0;
  /** 20002 probes heard (answered or not), with where each came from */
  readonly probesHeard: Array<{ address: string; port: number }> = [];
  private udp: dgram.Socket | null = null;
  private _discoveryPort: number | null;
  private readonly closedUntilProbe: boolean;
  private opening: Promise<void> | null = null;

  constructor(opts: KlapPlugOptions) {
    this.spec = klapSpec(opts.model);
    this.device = new SimulatedDevice({ model: this.spec, alias: opts.alias, deviceId: opts.deviceId, mac: opts.mac });
    this.server = new KlapServer({
      handle: (text) => this.handle(text),
      hashVersion: this.spec.klap.hashVersion,
      username: opts.username,
      password: opts.password,
      sessionTimeout: opts.sessionTimeout,
      host: opts.host,
      port: opts.port,
      allowLan: opts.allowLan,
    });
    this._discoveryPort = opts.discoveryPort === undefined ? 0 : opts.discoveryPort;
    this.closedUntilProbe = opts.httpClosedUntilProbe === true;
    if (this.closedUntilProbe && this._discoveryPort === null) throw new Error('httpClosedUntilProbe needs a discovery port (the probe opens HTTP)');
  }

  static async start(opts: KlapPlugOptions): Promise<KlapPlugSimulator> {
    const sim = new KlapPlugSimulator(opts);
    await sim.listen();
    return sim;
  }

  get host(): string {
    return this.server.host;
  }

  /** the HTTP port */
  get port(): number {
    return this.server.port;
  }

  get discoveryPort(): number | null {
    return this._discoveryPort;
  }

  setFault(f: KlapFault | KlapFaultType | null): void {
    this.server.setFault(f);
  }

  /** Whether the HTTP port is open (always, unless httpClosedUntilProbe and no probe yet). */
  get httpOpen(): boolean {
    return this.server.listening;
  }

  async listen(): Promise<void> {
    if (this.closedUntilProbe && !this.opening) await this.server.reservePort();
    else await this.server.listen();
    if (this._discoveryPort === null || this.udp) return;
    this.udp = await bindDiscoverySocket(this.host, this._discoveryPort, () => this.server.stop(), (msg, rinfo) => this.answerDatagram(msg, rinfo));
    this._discoveryPort = this.udp.address().port;
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    await Promise.all([this.server.stop(), udp ? closeUdp(udp) : undefined]);
  }

  /** The IOT request as JSON text in, the reply as JSON text out. */
  private handle(text: string): string {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      return JSON.stringify({ err_code: -1, err_msg: 'invalid JSON' });
    }
    this.requests.push(request as object);
    if (!isPlainObject(request)) return JSON.stringify({ err_code: -1, err_msg: 'invalid request' });
    return JSON.stringify(this.device.handle(request));
  }

  /** The discovery answer's result, in the recorded field layout. */
  discoveryResult(): Record<string, unknown> {
    return {
      device_id: this.device.deviceId,
      owner: '',
      device_type: 'IOT.SMARTPLUGSWITCH',
      device_model: this.spec.model,
      ip: this.host,
      mac: this.device.mac.replace(/:/g, '-'),
      factory_default: false,
      mgt_encrypt_schm: withPort(this.spec.klap.encryptScheme, this.port),
    };
  }

  /** Answers one 20002 datagram (also handed over by a UdpFanOut standing in for the broadcast). */
  answerDatagram(msg: Buffer, to: { address: string; port: number }): void {
    if (!isDiscoveryProbe(msg)) return; // like the firmware: silence
    this.probesHeard.push({ address: to.address, port: to.port });
    const answer = frame20002(Buffer.from(JSON.stringify({ error_code: 0, result: this.discoveryResult() })), 1);
    const reply = (): void => {
      this.probesAnswered++;
      this.udp?.send(answer, to.port, to.address, () => {});
    };
    if (!this.closedUntilProbe || this.server.listening) {
      reply();
      return;
    }
    // The probe opens the HTTP port (for good); the answer goes once it listens.
    this.opening ??= this.server.listen();
    this.opening.then(reply, () => {
      this.opening = null; // the port was taken meanwhile: stay closed, like a device that failed to open it
    });
  }
}

/** The scheme with http_port right after encrypt_type, where the devices put it. */
function withPort(scheme: Record<string, unknown>, port: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(scheme)) {
    out[k] = v;
    if (k === 'encrypt_type') out.http_port = port;
  }
  return out;
}
