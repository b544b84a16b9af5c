// The device model over the SMART dialect (Tapo plugs and strips, SMART Kasa). It
// speaks through a request function that owns the envelope, control_child wrapping
// and error checks (src/core/smart/), and turns the answers into the package's
// shapes and units: nicknames decoded from base64, mW into W and mW, Wh into kWh and
// Wh, countdown and schedule rules into the IOT rule shape. What the device lacks
// (component_nego) is refused with an UnsupportedError before anything is sent for it.

import { isObject, JsonObject } from '../commands/command';
import * as system from '../commands/system';
import * as emeter from '../commands/emeter';
import * as countdown from '../commands/countdown';
import { buildRule } from '../commands/rules';
import { bool, ruleId } from '../commands/validate';
import { ProtocolError, UnsupportedError, ValidationError } from '../errors';
import {
  COUNTDOWN_SHAPE, SCHEDULE_SHAPE, describedWithId, findRule, mergeEdit,
} from '../commands/rule-edit';
import {
  Answer, Capability, DayStats, DeviceInfo, DeviceModel, EnergySummary, FEATURE_NAMES, MonthStats, Outlet,
  OutletInfo, RelaySnapshot, RuleOut, ScheduleList, outletKey,
} from './device-model';
import { whPair } from './energy';
import {
  UNKNOWN_METHOD, countdownFromSmart, countdownToSmart, decodeName, encodeName, readPaged, scheduleFromSmart,
  scheduleToSmart, smartCode,
} from './smart-fields';

/**
 * Sends one SMART request and resolves with its `result` (an empty object when the
 * device sends none); `childId` wraps it in control_child for that strip outlet.
 * Rejects on error_code != 0 with an error carrying the code (errCode or error_code).
 * `params` undefined = no params field.
 */
export type SmartRequest = (method: string, params?: JsonObject | null, childId?: string) => Promise<JsonObject>;

export interface SmartModelOptions {
  /** component_nego's component_list when already known (e.g. read at connect). */
  components?: JsonObject[];
}

/** component_nego ids -> capabilities (switching, renaming and rebooting every SMART device has). */
const COMPONENT_CAPS: Record<string, Capability[]> = {
  energy_monitoring: ['energy', 'energy-summary'],
  countdown: ['countdown'],
  schedule: ['schedule'],
  led: ['led'],
};
const BASE_CAPS: Capability[] = ['relay', 'alias', 'reboot'];
/** Components that say "this device has child outlets". */
const CHILD_COMPONENTS = ['control_child', 'child_device'];

export class SmartModel implements DeviceModel {
  readonly dialect = 'smart' as const;
  private components: Map<string, number> | undefined;
  private componentsAsked: Promise<Map<string, number>> | undefined;
  private caps: Set<Capability> | undefined;
  private modelName: string | undefined;
  private children: OutletInfo[] | undefined;
  /** get_emeter_data answered -1002 once: use the older methods from then on. */
  private noEmeterData = false;

  constructor(private readonly request: SmartRequest, opts: SmartModelOptions = {}) {
    if (opts.components) this.components = componentMap(opts.components);
  }

  // ---- what the device has ----------------------------------------------------------

  /** component_nego once; callers arriving while it is asked share the answer (a failure is asked again later). */
  private componentMap(): Promise<Map<string, number>> {
    if (this.components) return Promise.resolve(this.components);
    this.componentsAsked ??= this.request('component_nego').then(
      (res) => {
        if (!Array.isArray(res.component_list)) throw new ProtocolError('component_nego answered without a component_list');
        this.components = componentMap(res.component_list.filter(isObject) as JsonObject[]);
        return this.components;
      },
    ).finally(() => { this.componentsAsked = undefined; });
    return this.componentsAsked;
  }

  /** component_nego's list as read (asking once if needed), to build another model for the same device. */
  async componentList(): Promise<JsonObject[]> {
    const comps = await this.componentMap();
    return [...comps].map(([id, ver_code]) => ({ id, ver_code }));
  }

  async capabilities(): Promise<ReadonlySet<Capability>> {
    if (!this.caps) {
      const comps = await this.componentMap();
      const caps = new Set<Capability>(BASE_CAPS);
      for (const id of comps.keys()) for (const c of COMPONENT_CAPS[id] ?? []) caps.add(c);
      this.caps = caps;
    }
    return this.caps;
  }

  async require(cap: Capability): Promise<void> {
    const caps = await this.capabilities();
    if (!caps.has(cap)) throw new UnsupportedError(FEATURE_NAMES[cap], await this.model(), 'SMART');
  }

  private async model(): Promise<string> {
    if (this.modelName === undefined) {
      const res = await this.request('get_device_info');
      this.modelName = typeof res.model === 'string' && res.model ? res.model : 'unknown model';
    }
    return this.modelName;
  }

  private async isStrip(): Promise<boolean> {
    const comps = await this.componentMap();
    return CHILD_COMPONENTS.some((c) => comps.has(c));
  }

  // ---- outlets ------------------------------------------------------------------------

  /** Strip outlets from get_child_device_list (paged), ordered by position. */
  async outlets(): Promise<OutletInfo[]> {
    if (!(await this.isStrip())) return [];
    const { entries } = await readPaged((start) => this.request('get_child_device_list', { start_index: start }), 'child_device_list');
    const list = entries
      .filter((c) => typeof c.device_id === 'string' && c.device_id !== '')
      .map((c, i) => ({
        index: typeof c.position === 'number' && Number.isInteger(c.position) && c.position >= 1 ? c.position - 1 : i,
        id: c.device_id as string,
        alias: decodeName(c.nickname),
        on: c.device_on === true,
      }))
      .sort((a, b) => a.index - b.index);
    this.children = list;
    return list;
  }

  /** The child id of an outlet; undefined for the whole device. Re-reads the list once on a miss. */
  private async childOf(outlet: Outlet): Promise<string | undefined> {
    const key = outletKey(outlet);
    if (key === undefined) return undefined;
    const find = (list: OutletInfo[]) =>
      'index' in key ? list.find((o) => o.index === key.index) : list.find((o) => o.id.toUpperCase() === key.id.toUpperCase());
    let list = this.children ?? (await this.outlets());
    let hit = find(list);
    if (!hit && this.children) {
      list = await this.outlets(); // the strip may have changed; look again once
      hit = find(list);
    }
    if (list.length === 0) {
      throw new ValidationError('outlet', 'no outlet, because this device has no outlets (it is not a multi-outlet strip)', outlet);
    }
    if (!hit) {
      const last = Math.max(...list.map((o) => o.index));
      throw new ValidationError('outlet', `an outlet index from 0 to ${last} (this strip has ${list.length}) or a child id`, outlet);
    }
    return hit.id;
  }

  private async call(method: string, params?: JsonObject | null, childId?: string): Promise<{ result: JsonObject; reply: JsonObject }> {
    const result = await this.request(method, params, childId);
    return { result, reply: { method, result } };
  }

  // ---- info and relay -------------------------------------------------------------------

  async info(): Promise<Answer<DeviceInfo>> {
    const { result, reply } = await this.call('get_device_info');
    const str = (k: string) => (typeof result[k] === 'string' ? (result[k] as string) : '');
    this.modelName = str('model') || this.modelName;
    const raw: JsonObject = { ...result };
    if (typeof result.nickname === 'string') raw.nickname = decodeName(result.nickname);
    if (typeof result.ssid === 'string') raw.ssid = decodeName(result.ssid);
    const outlets = await this.outlets();
    const value: DeviceInfo = {
      dialect: 'smart',
      alias: decodeName(result.nickname),
      model: str('model'),
      mac: str('mac').replace(/:/g, '-').toUpperCase(),
      deviceId: str('device_id'),
      firmware: str('fw_ver'),
      hardware: str('hw_ver'),
      outlets,
      raw,
    };
    if (typeof result.rssi === 'number') value.rssi = result.rssi;
    if (typeof result.signal_level === 'number') value.signalLevel = result.signal_level;
    if (outlets.length === 0 && typeof result.device_on === 'boolean') value.on = result.device_on;
    return { value, reply };
  }

  async relays(outlet?: Outlet): Promise<RelaySnapshot> {
    const dev = await this.request('get_device_info');
    const alias = decodeName(dev.nickname);
    const outlets = await this.outlets();
    if (outlets.length === 0) {
      if (outletKey(outlet) !== undefined) await this.childOf(outlet); // throws "not a strip"
      return { alias, outlets: [{ outlet: null, alias, on: dev.device_on === true }] };
    }
    const wanted = await this.childOf(outlet);
    return {
      alias,
      outlets: outlets.filter((o) => wanted === undefined || o.id === wanted).map((o) => ({ outlet: o.index, id: o.id, alias: o.alias, on: o.on })),
    };
  }

  /** A strip without an outlet is "on" when every outlet is on. */
  async getState(outlet?: Outlet): Promise<Answer<boolean>> {
    if (outletKey(outlet) === undefined && !(await this.isStrip())) {
      const { result, reply } = await this.call('get_device_info');
      return { value: result.device_on === true, reply };
    }
    const list = await this.outlets(); // fresh states; childOf then looks in this list
    const id = await this.childOf(outlet);
    const value = id === undefined ? list.length > 0 && list.every((o) => o.on) : list.some((o) => o.id === id && o.on);
    return { value, reply: { method: 'get_child_device_list', result: { child_device_list: list.map((o) => ({ device_id: o.id, device_on: o.on })) } } };
  }

  /** A strip without an outlet switches every outlet, one after the other (as IOT strips do). */
  async setState(on: boolean, outlet?: Outlet): Promise<Answer<boolean>> {
    const value = bool('on', on);
    if (outletKey(outlet) === undefined && (await this.isStrip())) {
      let reply: unknown;
      for (const o of await this.outlets()) reply = (await this.call('set_device_info', { device_on: value }, o.id)).reply;
      return { value, reply };
    }
    const { reply } = await this.call('set_device_info', { device_on: value }, await this.childOf(outlet));
    return { value, reply };
  }

  async toggle(outlet?: Outlet): Promise<Answer<boolean>> {
    const { value: on } = await this.getState(outlet);
    return this.setState(!on, outlet);
  }

  async setAlias(alias: string, outlet?: Outlet): Promise<Answer<{ alias: string }>> {
    system.setAlias(alias); // the package's alias rules (1 to 31 bytes, no control characters)
    const { reply } = await this.call('set_device_info', { nickname: encodeName(alias) }, await this.childOf(outlet));
    return { value: { alias }, reply };
  }

  /** get_led_info / set_led_info (not in the command table: method names from public clients). */
  async setLed(on: boolean): Promise<Answer<{ led: boolean }>> {
    const led = bool('on', on);
    await this.require('led');
    const current = await this.request('get_led_info');
    const params: JsonObject = { ...current, led_rule: led ? 'always' : 'never', led_status: led };
    const { reply } = await this.call('set_led_info', params);
    return { value: { led }, reply };
  }

  /** device_reboot {delay} (not in the command table: method name from public clients). */
  async reboot(delay?: number): Promise<Answer<{ delay: number }>> {
    const sent = ((system.reboot(delay).request.system as JsonObject).reboot as JsonObject).delay as number;
    await this.require('reboot');
    const { reply } = await this.call('device_reboot', { delay: sent });
    return { value: { delay: sent }, reply };
  }

  // ---- energy ---------------------------------------------------------------------------

  /**
   * get_emeter_data (power, voltage, current, energy) where the device knows it, else
   * get_energy_usage's current_power (mW), else get_current_power (W).
   */
  async realtime(outlet?: Outlet): Promise<Answer<emeter.RealtimeReading>> {
    await this.require('energy');
    const child = await this.childOf(outlet);
    if (!this.noEmeterData) {
      try {
        const { result, reply } = await this.call('get_emeter_data', undefined, child);
        const raw: JsonObject = {};
        for (const k of ['power_mw', 'voltage_mv', 'current_ma']) if (typeof result[k] === 'number') raw[k] = result[k];
        if (typeof result.energy_wh === 'number') raw.total_wh = result.energy_wh;
        return { value: emeter.normalizeRealtime(raw), reply };
      } catch (err) {
        if (smartCode(err) !== UNKNOWN_METHOD) throw err;
        this.noEmeterData = true;
      }
    }
    const usage = await this.call('get_energy_usage', undefined, child);
    if (typeof usage.result.current_power === 'number') {
      return { value: emeter.normalizeRealtime({ power_mw: usage.result.current_power }), reply: usage.reply };
    }
    // P304M outlets leave current_power out of get_energy_usage.
    const { result, reply } = await this.call('get_current_power', undefined, child);
    if (typeof result.current_power !== 'number') throw new ProtocolError('get_current_power answered without current_power');
    return { value: emeter.normalizeRealtime({ power: result.current_power }), reply };
  }

  async energySummary(outlet?: Outlet): Promise<Answer<EnergySummary>> {
    await this.require('energy-summary');
    const { result, reply } = await this.call('get_energy_usage', undefined, await this.childOf(outlet));
    const num = (k: string) => (typeof result[k] === 'number' ? (result[k] as number) : 0);
    const today = whPair(num('today_energy'));
    const month = whPair(num('month_energy'));
    const value: EnergySummary = { today: today.kwh, today_wh: today.wh, month: month.kwh, month_wh: month.wh };
    if (typeof result.today_runtime === 'number') value.today_runtime = result.today_runtime;
    if (typeof result.month_runtime === 'number') value.month_runtime = result.month_runtime;
    return { value, reply };
  }

  async dayStats(): Promise<Answer<DayStats>> {
    await this.require('energy-daystat');
    throw new Error('unreachable: SMART devices have no energy-daystat capability');
  }

  async monthStats(): Promise<Answer<MonthStats>> {
    await this.require('energy-monthstat');
    throw new Error('unreachable: SMART devices have no energy-monthstat capability');
  }

  // ---- countdown ------------------------------------------------------------------------

  private async countdownList(child: string | undefined): Promise<{ rules: JsonObject[]; max: number; reply: JsonObject }> {
    const { entries, first } = await readPaged((start) => this.request('get_countdown_rules', { start_index: start }, child), 'rule_list');
    const max = typeof first.countdown_rule_max_count === 'number' ? first.countdown_rule_max_count : 1;
    return { rules: entries.map(countdownFromSmart), max, reply: { method: 'get_countdown_rules', result: { ...first, rule_list: entries } } };
  }

  async countdownRules(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    await this.require('countdown');
    const { rules, reply } = await this.countdownList(await this.childOf(outlet));
    return { value: rules.map((r) => describedWithId(r.id, r)), reply };
  }

  /** SMART countdowns have no name: a name is checked like on IOT devices, and not stored. */
  async addCountdown(rule: object, opts: { replace?: boolean } = {}, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const built = (countdown.addRule(rule as countdown.CountdownInput).request.count_down as JsonObject).add_rule as JsonObject;
    await this.require('countdown');
    const child = await this.childOf(outlet);
    if (opts.replace) {
      await this.request('remove_countdown_rules', { remove_all: true }, child);
    } else {
      const { rules, max } = await this.countdownList(child);
      if (rules.length >= max) {
        const ids = rules.map((r) => r.id).join(', ');
        throw new ValidationError('replace', `true, because the device holds ${rules.length} countdown(s) (${ids}) and keeps at most ${max}: delete it first, or tick "replace existing" / set msg.replace = true`, false);
      }
    }
    const { result, reply } = await this.call('add_countdown_rule', countdownToSmart(built), child);
    const stored = { enable: built.enable, delay: built.delay, act: built.act };
    return { value: describedWithId(result.id, stored), reply };
  }

  async editCountdown(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const checkedId = ruleId('payload.id', id);
    countdown.editRule(checkedId, mergeEdit(COUNTDOWN_SHAPE, patch) as unknown as countdown.CountdownInput); // nothing sent if bad
    await this.require('countdown');
    const child = await this.childOf(outlet);
    const { rules } = await this.countdownList(child);
    const stored = findRule({ rule_list: rules }, checkedId);
    if (!stored) throw notListed(checkedId, rules.length, 'countdown');
    const cmd = countdown.editRule(String(stored.id), mergeEdit(COUNTDOWN_SHAPE, patch, stored) as unknown as countdown.CountdownInput);
    const built = (cmd.request.count_down as JsonObject).edit_rule as JsonObject;
    const { reply } = await this.call('edit_countdown_rule', { id: built.id, ...countdownToSmart(built) }, child);
    return { value: describedWithId(built.id, { enable: built.enable, delay: built.delay, act: built.act }), reply };
  }

  /**
   * remove_countdown_rules takes {remove_all:true}; with the one rule a device keeps that
   * removes exactly it. A device listing more gets {rule_list:[{id}]} (docs/smart-model.md).
   */
  async deleteCountdown(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>> {
    const checkedId = ruleId('payload.id', id);
    await this.require('countdown');
    const child = await this.childOf(outlet);
    const { rules } = await this.countdownList(child);
    const stored = findRule({ rule_list: rules }, checkedId);
    if (!stored) throw notListed(checkedId, rules.length, 'countdown');
    const params: JsonObject = rules.length === 1 ? { remove_all: true } : { rule_list: [{ id: stored.id }] };
    const { reply } = await this.call('remove_countdown_rules', params, child);
    return { value: { id: checkedId }, reply };
  }

  async deleteAllCountdowns(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    await this.require('countdown');
    const { reply } = await this.call('remove_countdown_rules', { remove_all: true }, await this.childOf(outlet));
    return { value: [], reply };
  }

  // ---- schedule -------------------------------------------------------------------------

  private async scheduleList(child: string | undefined): Promise<{ enabled: boolean; rules: JsonObject[]; reply: JsonObject }> {
    const fetch = (start: number) => this.request('get_schedule_rules', { start_index: start, schedule_mode: '' }, child);
    const { entries, first } = await readPaged(fetch, 'rule_list');
    return {
      enabled: first.enable === true || first.enable === 1,
      rules: entries.map(scheduleFromSmart),
      reply: { method: 'get_schedule_rules', result: { ...first, rule_list: entries } },
    };
  }

  async scheduleRules(outlet?: Outlet): Promise<Answer<ScheduleList>> {
    await this.require('schedule');
    const { enabled, rules, reply } = await this.scheduleList(await this.childOf(outlet));
    return { value: { enabled, rules: rules.map((r) => describedWithId(r.id, r)) }, reply };
  }

  /** Rule names are checked like on IOT devices and not stored (SMART rules have none). */
  async addSchedule(rule: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const params = scheduleToSmart(buildRule('schedule', rule)); // nothing sent if bad
    await this.require('schedule');
    const { result, reply } = await this.call('add_schedule_rule', params, await this.childOf(outlet));
    const id = result.id;
    return { value: describedWithId(id, scheduleFromSmart(params)), reply };
  }

  async editSchedule(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const checkedId = ruleId('payload.id', id);
    buildRule('schedule', mergeEdit(SCHEDULE_SHAPE, patch)); // the patch's own fields, before anything is sent
    await this.require('schedule');
    const child = await this.childOf(outlet);
    const { rules } = await this.scheduleList(child);
    const stored = findRule({ rule_list: rules }, checkedId);
    if (!stored) throw notListed(checkedId, rules.length, 'schedule');
    const params = scheduleToSmart(buildRule('schedule', mergeEdit(SCHEDULE_SHAPE, patch, stored)));
    const { reply } = await this.call('edit_schedule_rule', { id: stored.id, ...params }, child);
    return { value: describedWithId(stored.id, scheduleFromSmart(params)), reply };
  }

  /** remove_schedule_rules {rule_list:[{id}]} (decided, docs/smart-model.md). */
  async deleteSchedule(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>> {
    const checkedId = ruleId('payload.id', id);
    await this.require('schedule');
    const { reply } = await this.call('remove_schedule_rules', { rule_list: [{ id: checkedId }] }, await this.childOf(outlet));
    return { value: { id: checkedId }, reply };
  }

  async deleteAllSchedules(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    await this.require('schedule');
    const { reply } = await this.call('remove_schedule_rules', { remove_all: true }, await this.childOf(outlet));
    return { value: [], reply };
  }
}

function componentMap(list: JsonObject[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of list) if (typeof c.id === 'string') out.set(c.id, typeof c.ver_code === 'number' ? c.ver_code : 0);
  return out;
}

function notListed(id: string, n: number, what: string): ValidationError {
  return new ValidationError('payload.id', `the id of one of the ${n} ${what} rule(s) on the device`, id);
}
