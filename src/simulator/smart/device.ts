// SmartDevice: the state of one SMART plug or strip and handleSmartRequest(),
// which answers a request text the way the firmware does:
// {"error_code":0,"result":{…}} or {"error_code":<code>}. Transport-agnostic:
// the AES server here and the KLAP server carry it unchanged.

import { randomBytes } from 'crypto';
import { SimClock } from '../clock';
import { EnergyMeter } from './energy';
import { Endpoint } from './endpoint';
import { SmartModelSpec, findSmartModel } from './models';
import { SmartFail, isObj, own } from './replies';

export interface SmartDeviceOptions {
  model: string | SmartModelSpec;
  /** Plain text; sent base64 as the firmware does. */
  nickname?: string;
  /** 40 hex digits. */
  deviceId?: string;
  /** "AA-BB-CC-DD-EE-FF" (colons accepted). */
  mac?: string;
  /** What get_device_info reports as `ip`. Default 127.0.0.1. */
  ip?: string;
  /** Items per page of child and schedule lists. Default 10. */
  pageSize?: number;
}

type Handler = (ep: Endpoint, params: unknown, depth: number) => Record<string, unknown>;

/** multipleRequest and control_child nest this deep at most (a batch of control_child, a control_child of a batch). */
const MAX_DEPTH = 2;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

export class SmartDevice {
  readonly spec: SmartModelSpec;
  readonly clock = new SimClock();
  readonly deviceId: string;
  readonly mac: string;
  readonly ip: string;
  /** The plug itself (on strips: holds the strip's nickname only). */
  readonly main: Endpoint;
  readonly children: Endpoint[];
  readonly energy: EnergyMeter | null;
  /** Every parsed request, in order (login and handshake are the transport's, not here). */
  readonly requests: Array<Record<string, unknown>> = [];
  ledRule: 'always' | 'never' | 'auto' = 'always';
  reboots = 0;
  private readonly pageSize: number;

  constructor(opts: SmartDeviceOptions) {
    this.spec = typeof opts.model === 'string' ? findSmartModel(opts.model) : opts.model;
    this.deviceId = (opts.deviceId ?? randomHex(20)).toUpperCase();
    if (!/^[0-9A-F]{40}$/.test(this.deviceId)) throw new Error(`deviceId must be 40 hex digits, got "${opts.deviceId}"`);
    const mac = (opts.mac ?? `3C-52-A1-${randomHex(3).replace(/(..)(?=.)/g, '$1-')}`).toUpperCase().replace(/:/g, '-');
    if (!/^([0-9A-F]{2}-){5}[0-9A-F]{2}$/.test(mac)) throw new Error(`bad MAC address "${opts.mac}"`);
    this.mac = mac;
    this.ip = opts.ip ?? '127.0.0.1';
    this.pageSize = opts.pageSize ?? 10;
    this.main = new Endpoint(this.deviceId, opts.nickname ?? `${this.spec.model} plug`, this.spec.loads[0] ?? 0, 0);
    this.children = [];
    for (let i = 0; i < this.spec.children; i++) {
      this.children.push(new Endpoint(`${this.deviceId}${String(i).padStart(2, '0')}`, `Outlet ${i + 1}`, this.spec.loads[i + 1] ?? 0, i + 1));
    }
    this.energy = this.spec.energy ? new EnergyMeter(this.clock, this.deviceId, this.main.load) : null;
  }

  get isStrip(): boolean {
    return this.children.length > 0;
  }

  /** Answers one request text with a reply text. Never throws. */
  handleSmartRequest(text: string): string {
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      return JSON.stringify({ error_code: -1003 });
    }
    if (!isObj(req)) return JSON.stringify({ error_code: -1003 });
    if (this.requests.length >= 10_000) this.requests.shift();
    this.requests.push(req);
    this.sync();
    return JSON.stringify(this.run(this.main, req, 0));
  }

  /** Switches an endpoint (energy accrued up to now first). */
  setOn(ep: Endpoint, on: boolean): void {
    this.sync();
    if (ep.on === on) return;
    this.energy?.accrue(this.watts());
    ep.on = on;
    if (on) ep.onSince = this.clock.now();
  }

  /** Fires due countdowns and brings the meter up to now. */
  sync(): void {
    const now = this.clock.now();
    for (const ep of [this.main, ...this.children]) {
      const fire = ep.countdown.due(now);
      if (fire !== null && ep.on !== fire) {
        this.energy?.accrue(this.watts());
        ep.on = fire;
        if (fire) ep.onSince = ep.countdown.rule ? ep.countdown.rule.deadline : now;
      }
    }
    this.energy?.accrue(this.watts());
  }

  /** Watts drawn now by the plug (the sum of outlets on a strip). */
  watts(): number {
    return [this.main, ...this.children].reduce((s, ep) => s + (ep.on ? ep.load : 0), 0);
  }

  private run(ep: Endpoint, req: Record<string, unknown>, depth: number): Record<string, unknown> {
    const method = own(req, 'method');
    if (typeof method !== 'string') return { error_code: -1008 };
    const table = ep === this.main ? this.mainHandlers() : this.childHandlers();
    const handler = Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
    if (!handler) return { error_code: -1002 };
    if ((method === 'multipleRequest' || method === 'control_child') && depth >= MAX_DEPTH) return { error_code: -1008 };
    try {
      return { error_code: 0, result: handler(ep, own(req, 'params'), depth + 1) };
    } catch (err) {
      if (err instanceof SmartFail) return { error_code: err.code };
      return { error_code: -1001 };
    }
  }

  private mainHandlers(): Record<string, Handler> {
    const common: Record<string, Handler> = {
      get_device_info: () => this.deviceInfo(),
      set_device_info: (ep, p) => this.setInfo(ep, p),
      component_nego: () => ({ component_list: this.components() }),
      get_device_time: () => ({ timestamp: Math.floor(this.clock.now() / 1000), time_diff: this.clock.offsetMin, region: this.spec.region }),
      get_led_info: () => ({ led_rule: this.ledRule, led_status: this.ledRule !== 'never' }),
      set_led_info: (_ep, p) => {
        if (!isObj(p) || !['always', 'never', 'auto'].includes(p.led_rule as string)) throw new SmartFail(-1008);
        this.ledRule = p.led_rule as 'always' | 'never' | 'auto';
        return {};
      },
      device_reboot: () => {
        this.reboots++;
        return {};
      },
      multipleRequest: (ep, p, depth) => this.multiple(ep, p, depth),
    };
    if (this.isStrip) {
      common.get_child_device_list = (_ep, p) => this.childList(p);
      common.control_child = (_ep, p, depth) => this.controlChild(p, depth);
    } else {
      Object.assign(common, this.ruleHandlers());
    }
    if (this.energy) {
      common.get_energy_usage = () => ({ ...this.energy!.usage(), current_power: this.watts() * 1000, local_time: this.localTime(), electricity_charge: [0, 0, 0] });
      common.get_current_power = () => ({ current_power: this.watts() });
      common.get_emeter_data = () => {
        const mw = this.watts() * 1000;
        const mv = this.spec.mainsVolts * 1000;
        return { power_mw: mw, voltage_mv: mv, current_ma: Math.round((mw / mv) * 1000), energy_wh: this.energy!.totalWh() };
      };
    }
    return common;
  }

  private childHandlers(): Record<string, Handler> {
    return {
      get_device_info: (ep) => this.childInfo(ep),
      set_device_info: (ep, p) => this.setInfo(ep, p),
      multipleRequest: (ep, p, depth) => this.multiple(ep, p, depth),
      ...this.ruleHandlers(),
    };
  }

  private ruleHandlers(): Record<string, Handler> {
    const now = (): number => this.clock.now();
    return {
      get_countdown_rules: (ep, p) => {
        if (p === null && this.spec.nullParamsRefused) throw new SmartFail(-1008);
        return ep.countdown.list(now());
      },
      add_countdown_rule: (ep, p) => ep.countdown.add(p, now()),
      edit_countdown_rule: (ep, p) => {
        ep.countdown.edit(p, now());
        return {};
      },
      remove_countdown_rules: (ep, p) => {
        ep.countdown.remove(p);
        return {};
      },
      get_schedule_rules: (ep, p) => ep.schedule.page(startIndex(p), this.pageSize),
      add_schedule_rule: (ep, p) => ep.schedule.add(p),
      edit_schedule_rule: (ep, p) => {
        ep.schedule.edit(p);
        return {};
      },
      remove_schedule_rules: (ep, p) => {
        ep.schedule.remove(p);
        return {};
      },
    };
  }

  private setInfo(ep: Endpoint, p: unknown): Record<string, unknown> {
    if (!isObj(p)) throw new SmartFail(-1008);
    const on = own(p, 'device_on');
    const nick = own(p, 'nickname');
    if (on !== undefined && (typeof on !== 'boolean' || (ep === this.main && this.isStrip))) throw new SmartFail(-1008);
    let name: string | undefined;
    if (nick !== undefined) {
      if (typeof nick !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(nick) || nick.length % 4 !== 0) throw new SmartFail(-1008);
      name = Buffer.from(nick, 'base64').toString('utf8');
      if (name.length === 0 || Buffer.byteLength(name) > 64) throw new SmartFail(-1008);
    }
    if (typeof on === 'boolean') this.setOn(ep, on);
    if (name !== undefined) ep.nickname = name;
    return {};
  }

  private deviceInfo(): Record<string, unknown> {
    const s = this.spec;
    const now = this.clock.now();
    const info: Record<string, unknown> = {
      device_id: this.deviceId, fw_ver: s.fwVer, hw_ver: s.hwVer, type: s.type, model: s.model, mac: this.mac,
      hw_id: '0000000000000000000000000000000A', fw_id: '00000000000000000000000000000000', oem_id: '0000000000000000000000000000000B',
      ip: this.ip, time_diff: this.clock.offsetMin, ssid: b64('SimNet'), rssi: -45, signal_level: 3,
      latitude: 0, longitude: 0, lang: 'en_US', avatar: 'plug', region: s.region, specs: '', nickname: b64(this.main.nickname),
      has_set_location_info: false, overheated: false, overheat_status: 'normal',
    };
    if (!this.isStrip) {
      Object.assign(info, {
        device_on: this.main.on, on_time: this.main.onTime(now), default_states: { type: 'last_states', state: {} },
        auto_off_status: 'off', auto_off_remain_time: 0,
      });
      if (s.energy) info.power_protection_status = 'normal';
    }
    return info;
  }

  private childInfo(ep: Endpoint): Record<string, unknown> {
    const s = this.spec;
    return {
      device_id: ep.deviceId, position: ep.position, slot_number: this.children.length, nickname: b64(ep.nickname),
      device_on: ep.on, on_time: ep.onTime(this.clock.now()), model: s.model, type: s.type, fw_ver: s.fwVer, hw_ver: s.hwVer,
      mac: this.mac.replace(/-/g, ''), category: 'plug.powerstrip.sub-plug', original_device_on: ep.on,
      overheat_status: 'normal', default_states: { type: 'last_states', state: {} }, auto_off_status: 'off', auto_off_remain_time: 0,
    };
  }

  private childList(p: unknown): Record<string, unknown> {
    const start = startIndex(p);
    return {
      start_index: start, sum: this.children.length,
      child_device_list: this.children.slice(start, start + this.pageSize).map((ep) => this.childInfo(ep)),
    };
  }

  private controlChild(p: unknown, depth: number): Record<string, unknown> {
    if (!isObj(p)) throw new SmartFail(-1008);
    const ep = this.children.find((c) => c.deviceId === own(p, 'device_id'));
    const inner = own(p, 'requestData');
    if (!ep || !isObj(inner)) throw new SmartFail(-1008);
    return { responseData: this.run(ep, inner, depth) };
  }

  private multiple(ep: Endpoint, p: unknown, depth: number): Record<string, unknown> {
    const list = isObj(p) ? own(p, 'requests') : undefined;
    if (!Array.isArray(list)) throw new SmartFail(-1008);
    const responses: Array<Record<string, unknown>> = [];
    for (const r of list) {
      const one = isObj(r) ? this.run(ep, r, depth) : { error_code: -1008 };
      responses.push({ method: isObj(r) ? r.method : undefined, ...one });
      if (one.error_code !== 0) break; // the firmware stops at the first error
    }
    return { responses };
  }

  private components(): Array<{ id: string; ver_code: number }> {
    const ids = ['device', 'firmware', 'quick_setup', 'inherit', 'time', 'wireless', 'account', 'synchronize', 'sunrise_sunset', 'led', 'cloud_connect', 'iot_cloud', 'device_local_time', 'default_states', 'auto_off', 'localSmart', 'schedule', 'countdown'];
    if (this.spec.energy) ids.push('energy_monitoring', 'power_protection', 'current_protection');
    if (this.isStrip) ids.push('control_child', 'child_device');
    return ids.map((id) => ({ id, ver_code: id === 'schedule' || id === 'countdown' ? 2 : 1 }));
  }

  private localTime(): string {
    const w = this.clock.wall();
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${w.year}-${p(w.month)}-${p(w.mday)} ${p(w.hour)}:${p(w.min)}:${p(w.sec)}`;
  }
}

function startIndex(p: unknown): number {
  if (p === null || p === undefined) return 0;
  if (!isObj(p)) throw new SmartFail(-1008);
  const s = own(p, 'start_index') ?? 0;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new SmartFail(-1008);
  return s;
}
