// SimulatedDevice: the state of one plug/switch/strip and handle(request),
// which answers a decoded request object the way the firmware does: the
// reply mirrors the request's modules and methods, each with its err_code.

import { randomBytes } from 'crypto';
import { SimClock, WallTime } from './clock';
import { findModel, ModelSpec } from './models';
import { Outlet, RuleSet } from './outlet';
import { ArgError, ERR, fail, isPlainObject, Reply, setOwn } from './replies';
import { Rule, RuleKind } from './rules';
import { buildSysinfo } from './sysinfo';
import { ModuleHandlers, Target } from './handlers/types';
import { system } from './handlers/system';
import { netif } from './handlers/netif';
import { cnCloud } from './handlers/cloud';
import { time } from './handlers/time';
import { emeter } from './handlers/emeter';
import { anti_theft, count_down, schedule } from './handlers/rules';

const MODULES: Record<string, ModuleHandlers> = { system, netif, cnCloud, time, emeter, schedule, count_down, anti_theft };

export interface DeviceOptions {
  /** Model short name ("HS110", "hs300", …) or a spec. */
  model: string | ModelSpec;
  alias?: string;
  /** 40 hex digits. */
  deviceId?: string;
  /** "50:C7:BF:01:02:03" (dashes also accepted). */
  mac?: string;
}

/** Mutable state the handlers work on. Tests should prefer the getters. */
export interface DeviceState {
  alias: string;
  mac: string;
  deviceId: string;
  hwId: string;
  oemId: string;
  ledOff: 0 | 1;
  latitude: number;
  longitude: number;
  icon: { icon: string; hash: string };
  testMode: 0 | 1;
  cloud: { username: string; server: string; binded: 0 | 1 };
  wifi: { ssid: string; key_type: number } | null;
  firmware: { url: string; status: number; ratio: number; flashed: number };
  gains: { vgain: number; igain: number };
  /** null: the voltage wobbles around the model's mains voltage. */
  fixedVolts: number | null;
  reboots: number;
  resets: number;
  calibrations: number;
  /** Rules without context: the plug's own, or the whole strip's. */
  rules: RuleSet;
}

const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

function normalizeMac(mac: string): string {
  const hex = mac.replace(/[-:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) throw new Error(`bad MAC address "${mac}"`);
  return hex.match(/../g)!.join(':');
}

export class SimulatedDevice {
  readonly spec: ModelSpec;
  readonly clock = new SimClock();
  readonly outlets: Outlet[];
  readonly state: DeviceState;

  constructor(opts: DeviceOptions) {
    this.spec = typeof opts.model === 'string' ? findModel(opts.model) : opts.model;
    const mac = normalizeMac(opts.mac ?? `50:C7:BF:${randomHex(3)}`);
    const deviceId = (opts.deviceId ?? randomHex(20)).toUpperCase();
    if (!/^[0-9A-F]{40}$/.test(deviceId)) throw new Error(`deviceId must be 40 hex digits, got "${opts.deviceId}"`);
    this.outlets = Array.from({ length: this.spec.outlets }, (_, i) =>
      new Outlet(i, { alias: `Plug ${i + 1}`, load: this.spec.loads[i] ?? 0, seed: `${deviceId}:${i}` }, this.clock));
    // A plug's own tables are its single outlet's; a strip has strip-wide ones too.
    const rules = this.isStrip ? new RuleSet(this.outlets) : this.outlets[0].rules;
    this.state = {
      alias: opts.alias ?? '',
      mac,
      deviceId,
      hwId: this.spec.hwId,
      oemId: this.spec.oemId,
      ledOff: 0,
      latitude: 0,
      longitude: 0,
      icon: { icon: '', hash: '' },
      testMode: 0,
      cloud: { username: '', server: 'devs.tplinkcloud.com', binded: 0 },
      wifi: null,
      firmware: { url: '', status: 0, ratio: 0, flashed: 0 },
      gains: { vgain: 13462, igain: 16835 },
      fixedVolts: null,
      reboots: 0,
      resets: 0,
      calibrations: 0,
      rules,
    };
    if (opts.alias === undefined) this.state.alias = this.factoryAlias;
  }

  /** What a factory-fresh plug calls itself: a prefix and the MAC's last 4 hex digits. */
  private get factoryAlias(): string {
    return `${this.spec.aliasPrefix}${this.state.mac.replace(/:/g, '').slice(-4)}`;
  }

  /** The short model name the device was created with, e.g. "HS110v2" (sysinfo().model has "HS110(EU)"). */
  get model(): string {
    return this.spec.name;
  }

  get isStrip(): boolean {
    return this.spec.outlets > 1;
  }

  /** "<deviceId>00" … "<deviceId>05". */
  childId(index: number): string {
    return `${this.state.deviceId}${String(index).padStart(2, '0')}`;
  }

  get childIds(): string[] {
    return this.outlets.map((o) => this.childId(o.index));
  }

  // ---- the wire entry point ------------------------------------------------

  /** Answers one decoded request object (several modules/methods allowed). */
  handle(request: object): Reply {
    this.tick();
    const req = request as Record<string, unknown>;
    const target = this.resolve(req.context);
    const reply: Reply = {};
    for (const [mod, methods] of Object.entries(req)) {
      if (mod === 'context') continue;
      const handlers = Object.prototype.hasOwnProperty.call(MODULES, mod) ? MODULES[mod] : undefined;
      if (!handlers || (mod === 'emeter' && !this.spec.emeter)) {
        setOwn(reply, mod, fail(ERR.MODULE));
        continue;
      }
      if (!isPlainObject(methods)) {
        setOwn(reply, mod, fail(ERR.INVALID));
        continue;
      }
      const out: Reply = {};
      for (const [method, args] of Object.entries(methods)) {
        setOwn(out, method, this.call(handlers, method, target, args));
      }
      setOwn(reply, mod, out);
    }
    return reply;
  }

  private call(handlers: ModuleHandlers, method: string, target: Target | number, args: unknown): Reply {
    if (!Object.prototype.hasOwnProperty.call(handlers, method)) return fail(ERR.MEMBER);
    if (typeof target === 'number') return fail(target);
    try {
      return handlers[method](this, target, args);
    } catch (e) {
      if (e instanceof ArgError) return fail(e.code, e.message);
      throw e;
    }
  }

  /** The outlets a request's context addresses, or an error code for every method. */
  private resolve(context: unknown): Target | number {
    const all: Target = { outlets: this.outlets, rules: this.state.rules, byContext: false };
    // Single-outlet firmware ignores context.
    if (!this.isStrip || context === undefined || context === null) return all;
    if (!isPlainObject(context)) return ERR.INVALID;
    const ids = context.child_ids;
    if (ids === undefined || ids === null || (Array.isArray(ids) && ids.length === 0)) return all;
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) return ERR.INVALID;
    const picked: Outlet[] = [];
    for (const raw of ids as string[]) {
      const id = raw.toUpperCase();
      const o = this.outlets.find((x) => id === this.childId(x.index) || id === String(x.index).padStart(2, '0'));
      if (!o) return ERR.NO_ENTRY;
      if (!picked.includes(o)) picked.push(o);
    }
    return { outlets: picked, rules: picked[0].rules, byContext: true };
  }

  /** Fires due countdowns and books energy up to now; runs before every request. */
  tick(): void {
    const now = this.clock.now();
    const sets = new Set<RuleSet>([this.state.rules, ...this.outlets.map((o) => o.rules)]);
    const due: Array<{ at: number; act: 0 | 1; scope: Outlet[] }> = [];
    for (const set of sets) {
      for (const d of set.countdown.takeDue(now)) due.push({ at: d.at, act: d.rule.act as 0 | 1, scope: set.scope });
    }
    due.sort((a, b) => a.at - b.at);
    for (const d of due) for (const o of d.scope) o.setRelay(d.act, d.at);
    for (const o of this.outlets) o.sample(now);
  }

  sysinfo(): Reply {
    return buildSysinfo(this);
  }

  /** Mains voltage now: a slow wobble around the nominal value unless fixed by setVoltage. */
  voltage(at: number = this.clock.now()): number {
    if (this.state.fixedVolts !== null) return this.state.fixedVolts;
    const base = this.spec.mainsVolts;
    return base * (1 + 0.006 * Math.sin((2 * Math.PI * at) / 97_000) + 0.002 * Math.sin((2 * Math.PI * at) / 13_000));
  }

  // ---- effects of commands ---------------------------------------------------

  rebootNow(): void {
    this.tick();
    this.state.reboots++;
    const now = this.clock.now();
    // After a reboot the relay comes back as it was, but on_time restarts.
    for (const o of this.outlets) {
      if (o.relay === 1) {
        o.setRelay(0, now);
        o.setRelay(1, now);
      }
    }
  }

  factoryReset(): void {
    this.tick();
    const s = this.state;
    s.resets++;
    s.alias = this.factoryAlias;
    s.ledOff = 0;
    s.latitude = 0;
    s.longitude = 0;
    s.icon = { icon: '', hash: '' };
    s.testMode = 0;
    s.cloud = { username: '', server: 'devs.tplinkcloud.com', binded: 0 };
    s.wifi = null;
    s.rules.clear();
    for (const o of this.outlets) {
      o.setRelay(0);
      o.alias = `Plug ${o.index + 1}`;
      o.rules.clear();
    }
  }

  setWallClock(t: Omit<WallTime, 'wday'>): void {
    this.tick();
    this.clock.setWall(t);
    for (const o of this.outlets) o.resync();
  }

  // ---- for tests -------------------------------------------------------------

  private outlet(index: number | undefined): Outlet {
    const i = index ?? 0;
    const o = this.outlets[i];
    if (!o) throw new RangeError(`outlet ${index} does not exist on ${this.spec.name} (${this.outlets.length} outlet(s))`);
    return o;
  }

  private outletsFor(index: number | undefined): Outlet[] {
    return index === undefined ? this.outlets : [this.outlet(index)];
  }

  /** Whether an outlet's relay is on (default outlet 0); on a strip without an index: any outlet on. */
  relay(outlet?: number): boolean {
    this.tick();
    if (outlet === undefined) return this.outlets.some((o) => o.relay === 1);
    return this.outlet(outlet).relay === 1;
  }

  /** Switches outlet(s) directly, as the button on the plug would. */
  setRelay(state: 0 | 1 | boolean, outlet?: number): void {
    this.tick();
    const s: 0 | 1 = state === true || state === 1 ? 1 : 0;
    for (const o of this.outletsFor(outlet)) o.setRelay(s);
  }

  /** The device alias, or an outlet's alias on a strip. */
  alias(outlet?: number): string {
    if (outlet === undefined || !this.isStrip) return this.state.alias;
    return this.outlet(outlet).alias;
  }

  onTime(outlet?: number): number {
    return this.outlet(outlet).onTime();
  }

  /** Exact watts drawn while on (the reading stops wobbling); all outlets when none given. */
  setLoad(watts: number, outlet?: number): void {
    if (!Number.isFinite(watts) || watts < 0) throw new RangeError(`load must be >= 0 W, got ${watts}`);
    this.tick();
    for (const o of this.outletsFor(outlet)) {
      o.load = watts;
      o.variation = 0;
    }
  }

  /** Fixes the voltage reading (null: back to the wobble). */
  setVoltage(volts: number | null): void {
    this.state.fixedVolts = volts;
  }

  /** Watts being drawn now: one outlet, or the sum. */
  power(outlet?: number): number {
    const now = this.clock.now();
    return this.outletsFor(outlet).reduce((s, o) => s + o.power(now), 0);
  }

  /** Copies of a rule table (outlet: a strip child's table; none: the device's). */
  rules(kind: RuleKind, outlet?: number): Rule[] {
    this.tick();
    const set = outlet === undefined ? this.state.rules : this.outlet(outlet).rules;
    const table = kind === 'schedule' ? set.schedule : kind === 'count_down' ? set.countdown : set.antiTheft;
    return table.list(this.clock.now());
  }

  /** Fast-forwards the device clock: due countdowns fire, energy accrues. */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
    this.tick();
  }

  get ledOff(): 0 | 1 {
    return this.state.ledOff;
  }

  get mac(): string {
    return this.state.mac;
  }

  get deviceId(): string {
    return this.state.deviceId;
  }

  get hwId(): string {
    return this.state.hwId;
  }

  get location(): { latitude: number; longitude: number } {
    return { latitude: this.state.latitude, longitude: this.state.longitude };
  }

  get cloud(): { username: string; server: string; binded: 0 | 1 } {
    return { ...this.state.cloud };
  }

  get wifi(): { ssid: string; key_type: number } | null {
    return this.state.wifi ? { ...this.state.wifi } : null;
  }

  get timezoneIndex(): number {
    return this.clock.tzIndex;
  }

  get reboots(): number {
    return this.state.reboots;
  }

  get resets(): number {
    return this.state.resets;
  }
}
