// A device session: everything one physical device needs above its client. It
// owns the device's single client (opened at first use, closed when the last
// user lets go), caches get_sysinfo and the alias, turns outlets into child ids,
// and, for a device bound by MAC or deviceId, finds its address by discovery and
// looks again after a connection failure (DHCP may have moved it). The
// tplink-device config node, the admin routes, the CLI and the monitor all work
// through it. No Node-RED here.

import type { DeviceClient, DeviceHandle } from './client';
import type { AddressResolver } from './address-resolver';
import type { ProtocolFound } from './connection';
import { ClientClosedError, TplinkError, ValidationError } from './errors';
import { Command, JsonObject, isObject, resultOf, timeoutFor } from './commands/command';
import { listOutlets, OutletInfo, resolveChildId, withContext } from './commands/context';
import * as system from './commands/system';
import type { Dialect, DeviceModel } from './model/device-model';
import { IotModel } from './model/iot-model';
import { SmartModel } from './model/smart-model';
import { smartRequestOver, SmartRequestFn } from './smart/request';
import { decodeName } from './model/smart-fields';
import { dialectOfReply } from './dialect';

export const SYSINFO_TTL_MS = 60_000;

export interface SessionOptions {
  /** the device's address; '' when it is found by `resolver` */
  host: string;
  port: number;
  /** default reply timeout, ms (a command may stretch it, see timeoutFor) */
  timeout: number;
  /** builds the client for an address: the one place that knows transports and protocols */
  createClient: (host: string, port: number) => DeviceClient;
  /** finds the address of a device bound by MAC or deviceId */
  resolver?: AddressResolver | null;
  /** a binding that can't work (bad MAC …): thrown on every use, as a missing host is */
  bindError?: unknown;
  /** how long a cached get_sysinfo serves outlet lookups (default 60 s) */
  sysinfoTtlMs?: number;
  /** what protocol answered (core/connection.ts Connector.found), for the editor */
  protocolFound?: () => ProtocolFound | null;
  /**
   * the JSON the device speaks: 'iot' (Kasa, default), 'smart' (Tapo, SMART Kasa), or
   * 'auto': told by the device's answer to the first get_sysinfo (./dialect.ts), for
   * transports that carry both (KLAP)
   */
  dialect?: Dialect | 'auto';
}

export interface RunResult {
  /** the command's own method result */
  result: JsonObject;
  /** the device's whole reply */
  reply: JsonObject;
  /** what was sent (with the outlet's context, if any) */
  command: Command;
}

/** The relay of a single plug (outlet null) or of one strip outlet. */
export interface RelayState {
  /** strip outlet index, or null for a single plug */
  outlet: number | null;
  /** strip child id */
  id?: string;
  alias: string;
  on: boolean;
}

/**
 * Relay states from get_sysinfo: the plug's own, or every outlet's of a strip
 * (only `outlet`'s when given; an outlet on a single plug or an unknown one throws).
 */
export function relayStates(sys: JsonObject, outlet?: unknown): RelayState[] {
  const children = Array.isArray(sys.children) ? sys.children : [];
  if (children.length === 0) {
    if (given(outlet)) resolveChildId(sys, outlet); // throws "not a strip"
    return [{ outlet: null, alias: String(sys.alias ?? ''), on: sys.relay_state === 1 }];
  }
  const wanted = given(outlet) ? resolveChildId(sys, outlet).toUpperCase() : undefined;
  return listOutlets(sys)
    .filter((o) => wanted === undefined || o.id.toUpperCase() === wanted)
    .map((o) => ({ outlet: o.index, id: o.id, alias: o.alias, on: o.on }));
}

/** Failures after which a bound device may have moved. */
function isConnectionFailure(err: unknown): boolean {
  const kind = err instanceof TplinkError ? err.kind : undefined;
  return kind === 'refused' || kind === 'unreachable' || kind === 'timeout';
}

function given(outlet: unknown): boolean {
  return outlet !== undefined && outlet !== null && outlet !== '';
}

export class DeviceSession {
  private _host: string;
  private _port: number;
  private readonly timeout: number;
  private readonly createClient: (host: string, port: number) => DeviceClient;
  private readonly resolver: AddressResolver | null;
  private readonly bindError: unknown;
  private readonly ttl: number;
  private readonly protocolFound: () => ProtocolFound | null;
  private readonly users = new Set<object>();
  private client: DeviceClient | null = null;
  private cached: { at: number; sysinfo: JsonObject } | null = null;
  private probing: Promise<JsonObject> | null = null;
  private closed = false;
  /** the device's own name, as last seen or set */
  private _alias: string | undefined;
  /** the dialect, once known (set, or told by the device) */
  private resolved: Dialect | null;
  private detecting: Promise<Dialect> | null = null;
  private _model: DeviceModel | null = null;

  constructor(opts: SessionOptions) {
    this._host = opts.host;
    this._port = opts.port;
    this.timeout = opts.timeout;
    this.createClient = opts.createClient;
    this.resolver = opts.resolver ?? null;
    this.bindError = opts.bindError ?? null;
    this.ttl = opts.sysinfoTtlMs ?? SYSINFO_TTL_MS;
    this.protocolFound = opts.protocolFound ?? (() => null);
    const d = opts.dialect ?? 'iot';
    this.resolved = d === 'auto' ? null : d;
  }

  /** The protocol that answered (auto: learned for the life of the session), or null before an answer. */
  get protocol(): ProtocolFound | null {
    return this.protocolFound();
  }

  /** 'iot' or 'smart' once known; 'auto' while a device set to auto has not answered yet. */
  get dialect(): Dialect | 'auto' {
    return this.resolved ?? 'auto';
  }

  /** The dialect: the one set, or the device's, asked once (callers meanwhile share the question). */
  async knownDialect(): Promise<Dialect> {
    if (this.resolved) return this.resolved;
    this.detecting ??= this.exchange((c) => c.send(system.getSysinfo().request)).then((reply) => {
      this.resolved = dialectOfReply(reply);
      return this.resolved;
    }).finally(() => { this.detecting = null; });
    return this.detecting;
  }

  /** True for a Tapo / SMART Kasa device (the nodes branch on it). */
  async isSmart(): Promise<boolean> {
    return (await this.knownDialect()) === 'smart';
  }

  /**
   * The device model the nodes talk to (docs/smart-model.md): IotModel over run()
   * and a fresh get_sysinfo (today's behaviour), or SmartModel over the SMART
   * envelope on this session's client. Built once; it remembers what it learnt.
   */
  async model(): Promise<DeviceModel> {
    const dialect = await this.knownDialect();
    if (!this._model) {
      this._model = dialect === 'smart'
        ? new SmartModel(this.aliasWatching(smartRequestOver((req) => this.exchange((c) => c.send(req)))))
        : new IotModel((cmd, outlet) => this.run(cmd, outlet), { sysinfo: () => this.sysinfo(true) });
    }
    return this._model;
  }

  /** An IOT command must never reach a SMART device: a caller that missed model() learns it here, nothing sent. */
  private async iotOnly(what: string): Promise<void> {
    if (this.resolved === 'iot') return;
    if ((await this.knownDialect()) === 'smart') throw this.notIot(what);
  }

  private notIot(what: string): TplinkError {
    return new TplinkError('not-allowed', `${what} is a Kasa (IOT) command; this device speaks SMART: ask it through session.model()`);
  }

  /** The plug's own nickname, as read or set through the SMART model, keeps `alias` (msg.device) current. */
  private aliasWatching(request: SmartRequestFn): SmartRequestFn {
    return async (method, params, childId) => {
      const result = await request(method, params, childId);
      if (childId === undefined) {
        const nick = method === 'get_device_info' ? result.nickname : method === 'set_device_info' && params ? params.nickname : undefined;
        if (typeof nick === 'string') this._alias = decodeName(nick);
      }
      return result;
    };
  }

  /**
   * Runs `fn` with a model that holds the device: nothing else queued for it runs
   * until `fn` settles (a toggle's read and write). IOT: over the held handle's
   * commands; SMART: a SmartModel over the held handle, knowing the shared
   * model's components so it asks nothing extra.
   */
  async heldModel<T>(fn: (m: DeviceModel) => Promise<T>): Promise<T> {
    if ((await this.knownDialect()) !== 'smart') {
      // Everything through the held handle: asking the session (its queue) here would wait on ourselves.
      return this.exclusive((d) => {
        const sysinfo = (): Promise<JsonObject> => d.run(system.getSysinfo());
        return fn(new IotModel(async (cmd, outlet) => {
          const sent = given(outlet) ? withContext(cmd, [resolveChildId(await sysinfo(), outlet)]) : cmd;
          const reply = (await d.send(sent.request, { timeout: timeoutFor(sent, this.timeout) })) as JsonObject;
          return { result: resultOf(sent, reply), reply };
        }, { sysinfo }));
      });
    }
    const components = await ((await this.model()) as SmartModel).componentList();
    return this.exclusive((d) => fn(new SmartModel(smartRequestOver((req) => d.send(req), { batch: false }), { components })));
  }

  /**
   * What the editor shows of the device: dialect, alias, model, outlets and the
   * features it has. Like probe(), it leaves no connection open when no node uses it.
   */
  async describe(): Promise<JsonObject> {
    if (this.resolved === 'iot') {
      const sys = await this.probe();
      const meter = typeof sys.feature === 'string' && sys.feature.split(':').includes('ENE');
      return { dialect: 'iot', alias: String(sys.alias ?? ''), model: String(sys.model ?? ''), outlets: listOutlets(sys) as unknown as JsonObject[], energy: meter };
    }
    const holding = this.inUse;
    try {
      if ((await this.knownDialect()) === 'iot') return await this.describe();
      const m = await this.model();
      const [info, caps] = await Promise.all([m.info(), m.capabilities()]);
      return {
        dialect: 'smart',
        alias: info.value.alias,
        model: info.value.model,
        outlets: info.value.outlets as unknown as JsonObject[],
        energy: caps.has('energy'),
        features: [...caps],
      };
    } finally {
      if (!holding && this.client) this.dropClient(this.client);
    }
  }

  /** The address in use, or last found ('' before a bound device has been found). */
  get host(): string {
    return this._host;
  }

  get port(): number {
    return this._port;
  }

  /** The device's alias as last read or set, undefined before the first get_sysinfo. */
  get alias(): string | undefined {
    return this._alias;
  }

  /** True while a user holds the session or its client is open. */
  get inUse(): boolean {
    return this.users.size > 0 || this.client !== null;
  }

  /** A flow node starts using the device. */
  attach(user: object): void {
    this.users.add(user);
  }

  /** A user stops; the last one closes the connection (the session stays usable). */
  detach(user: object): void {
    this.users.delete(user);
    if (this.users.size === 0 && this.client) this.dropClient(this.client);
  }

  /** Ends the session for good: the client closes, later calls fail with `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    this.users.clear();
    this.cached = null;
    const c = this.client;
    this.client = null;
    if (c) await c.close();
  }

  /** Sends a raw request (already checked, see raw-request.ts); resolves with the whole reply. */
  async request(request: JsonObject, opts: { timeout?: number } = {}): Promise<JsonObject> {
    const timeout = opts.timeout ?? this.timeout;
    const reply = (await this.exchange((c) => c.send(request, { timeout }))) as JsonObject;
    this.forgetChangedSysinfo(request);
    return reply;
  }

  /** Sends a command (to one outlet of a strip when `outlet` is given); throws DeviceError on err_code. */
  async run(cmd: Command, outlet?: unknown): Promise<RunResult> {
    await this.iotOnly(`${cmd.module}.${cmd.method}`);
    const sent = given(outlet) ? withContext(cmd, [await this.childId(outlet)]) : cmd;
    const reply = await this.request(sent.request, { timeout: timeoutFor(sent, this.timeout) });
    return { result: resultOf(sent, reply), reply, command: sent };
  }

  /**
   * Holds the device for a read-modify-write (toggle): nothing else queued for it
   * runs between the steps. Whatever `fn` changed makes the cached sysinfo stale.
   */
  async exclusive<T>(fn: (device: DeviceHandle) => Promise<T>): Promise<T> {
    try {
      return await this.exchange((c) => c.exclusive(fn));
    } finally {
      this.cached = null;
    }
  }

  /** get_sysinfo, cached for outlet lookups unless `fresh`. */
  async sysinfo(fresh = false): Promise<JsonObject> {
    await this.iotOnly('system.get_sysinfo');
    const c = this.cached;
    if (!fresh && c && Date.now() - c.at < this.ttl) return c.sysinfo;
    const result = await this.exchange((client) => client.run(system.getSysinfo()));
    this.cached = { at: Date.now(), sysinfo: result };
    if (typeof result.alias === 'string') this._alias = result.alias;
    return result;
  }

  /** The outlets of a strip (empty for a single plug). */
  async outlets(fresh = false): Promise<OutletInfo[]> {
    return listOutlets(await this.sysinfo(fresh));
  }

  /** A fresh get_sysinfo and the relay states in it (of `outlet` only, when given). */
  async relays(outlet?: unknown): Promise<{ sysinfo: JsonObject; relays: RelayState[] }> {
    const sysinfo = await this.sysinfo(true);
    return { sysinfo, relays: relayStates(sysinfo, outlet) };
  }

  /**
   * The full child id of an outlet (index, two-digit id or child id). An unknown one
   * is looked up once more in a fresh get_sysinfo: the strip may have been swapped.
   */
  async childId(outlet: unknown): Promise<string> {
    try {
      return resolveChildId(await this.sysinfo(), outlet);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return resolveChildId(await this.sysinfo(true), outlet);
    }
  }

  /** A raw request addressed to one outlet of a strip. */
  async forOutlet(request: JsonObject, outlet: unknown): Promise<JsonObject> {
    if (Object.prototype.hasOwnProperty.call(request, 'context')) {
      throw new ValidationError('outlet', 'no outlet when the request carries its own "context"', outlet);
    }
    return withContext({ module: '', method: '', request, destructive: false }, [await this.childId(outlet)]).request;
  }

  /**
   * A fresh get_sysinfo for the editor. Callers arriving while one runs share it.
   * When no flow node uses the device, no connection is left open afterwards.
   */
  probe(): Promise<JsonObject> {
    if (this.resolved === 'smart') return Promise.reject(this.notIot('system.get_sysinfo'));
    if (!this.probing) {
      this.probing = this.probeOnce().finally(() => {
        this.probing = null;
      });
    }
    return this.probing;
  }

  private async probeOnce(): Promise<JsonObject> {
    if (this.inUse) return this.sysinfo(true);
    const a = await this.address();
    if (this.closed) throw new ClientClosedError(a.host, a.port);
    const once = this.createClient(a.host, a.port);
    try {
      let sys: JsonObject;
      if (this.resolved === null) {
        // Not known yet: the one answer tells the dialect too (./dialect.ts).
        const cmd = system.getSysinfo();
        const reply = await once.send(cmd.request);
        this.resolved = dialectOfReply(reply);
        if (this.resolved === 'smart') throw this.notIot('system.get_sysinfo');
        sys = resultOf(cmd, reply);
      } else sys = await once.run(system.getSysinfo());
      if (typeof sys.alias === 'string') this._alias = sys.alias;
      return sys;
    } catch (err) {
      if (this.resolver && isConnectionFailure(err)) this.resolver.invalidate();
      throw err;
    } finally {
      void once.close();
    }
  }

  /** Where the device is now: the configured address, or the bound device's discovered one. */
  private async address(): Promise<{ host: string; port: number }> {
    if (this.bindError) throw this.bindError;
    if (this.resolver) {
      const a = await this.resolver.resolve();
      if (!this.client) {
        this._host = a.host;
        this._port = a.port;
      }
      return { host: a.host, port: a.port };
    }
    if (!this._host) throw new ValidationError('host', 'the device address set in the tplink-device config node');
    return { host: this._host, port: this._port };
  }

  private async getClient(): Promise<DeviceClient> {
    if (this.client) return this.client;
    const a = await this.address();
    // Closed while discovery ran: don't open a client nobody will close.
    if (this.closed) throw new ClientClosedError(a.host, a.port);
    if (!this.client) {
      this._host = a.host;
      this._port = a.port;
      this.client = this.createClient(a.host, a.port);
    }
    return this.client;
  }

  /** The one place a client is let go. */
  private dropClient(c: DeviceClient): void {
    if (this.client === c) this.client = null;
    void c.close();
  }

  /**
   * Runs one exchange on the shared client. For a bound device a connection failure
   * forgets the address; when nothing was delivered (refused/unreachable) and the
   * device answers discovery somewhere else, the exchange is tried there once.
   */
  private async exchange<T>(fn: (c: DeviceClient) => Promise<T>): Promise<T> {
    const c = await this.getClient();
    const was = `${this._host}:${this._port}`;
    try {
      return await fn(c);
    } catch (err) {
      if (!this.resolver || !isConnectionFailure(err)) throw err;
      this.resolver.invalidate();
      this.dropClient(c);
      // A timed-out request may have reached the device: never repeat it.
      if ((err as TplinkError).kind === 'timeout') throw err;
      let moved: DeviceClient;
      try {
        moved = await this.getClient();
      } catch {
        throw err; // the device answers nowhere: report the original failure
      }
      if (`${this._host}:${this._port}` === was) throw err; // found where it was: nothing to gain
      return fn(moved);
    }
  }

  /** A changed setting (alias, relay, LED …) makes the cached sysinfo stale. */
  private forgetChangedSysinfo(request: JsonObject): void {
    const sys = request.system;
    if (!isObject(sys) || !Object.keys(sys).some((m) => m.startsWith('set_'))) return;
    this.cached = null;
    const set = sys.set_dev_alias;
    if (!request.context && isObject(set) && typeof set.alias === 'string') this._alias = set.alias;
  }
}
