// The device model over the IOT dialect (Kasa, legacy or over KLAP): exactly what the
// nodes do today, built from the same command builders, in the same units and shapes.
// Nothing is refused up front here: an IOT device answers for itself (emeter -1 …).

import { Command, JsonObject, isObject, resultOf } from '../commands/command';
import { listOutlets, resolveChildId, withContext } from '../commands/context';
import * as system from '../commands/system';
import * as emeter from '../commands/emeter';
import * as countdown from '../commands/countdown';
import * as schedule from '../commands/schedule';
import type { RuleInput } from '../commands/rules';
import { int, MAX_YEAR, MIN_YEAR, bool } from '../commands/validate';
import { DeviceError, UnsupportedError } from '../errors';
import type { DeviceHandle } from '../client';
import {
  COUNTDOWN_SHAPE, SCHEDULE_SHAPE, describedWithId, editStoredRule, listRules,
} from '../commands/rule-edit';
import {
  Answer, Capability, DayStats, DeviceInfo, DeviceModel, EnergySummary, FEATURE_NAMES, MonthStats, Outlet,
  OutletInfo, RelaySnapshot, RuleOut, ScheduleList,
} from './device-model';
import { explainNoMeter, totals, withoutErrCode, whPair } from './energy';

/** Sends one IOT command (to one outlet when given); the config node's run() has this shape. */
export type IotRequest = (cmd: Command, outlet?: Outlet) => Promise<{ result: JsonObject; reply: JsonObject }>;

export interface IotModelOptions {
  /** A fresh get_sysinfo (the config node's cached one keeps msg.device's alias current). */
  sysinfo?: () => Promise<JsonObject>;
}

const ALWAYS: Capability[] = [
  'relay', 'alias', 'countdown', 'schedule', 'schedule-next', 'schedule-enable-all', 'led', 'reboot', 'antitheft',
  'time', 'cloud', 'wifi-scan', 'location',
];
const METER: Capability[] = ['energy', 'energy-summary', 'energy-daystat', 'energy-monthstat', 'energy-gains', 'energy-erase'];

export class IotModel implements DeviceModel {
  readonly dialect = 'iot' as const;
  private caps: Set<Capability> | undefined;
  private model = '';

  constructor(private readonly request: IotRequest, private readonly opts: IotModelOptions = {}) {}

  private async sysinfo(): Promise<JsonObject> {
    return this.opts.sysinfo ? this.opts.sysinfo() : (await this.request(system.getSysinfo())).result;
  }

  async capabilities(): Promise<ReadonlySet<Capability>> {
    if (!this.caps) {
      const sys = await this.sysinfo();
      this.model = typeof sys.model === 'string' ? sys.model : 'unknown model';
      // "TIM:ENE" = energy meter (HS110, HS300, KP115 …).
      const meter = typeof sys.feature === 'string' && sys.feature.split(':').includes('ENE');
      this.caps = new Set([...ALWAYS, ...(meter ? METER : [])]);
    }
    return this.caps;
  }

  async require(cap: Capability): Promise<void> {
    const caps = await this.capabilities();
    if (!caps.has(cap)) throw new UnsupportedError(FEATURE_NAMES[cap], this.model, 'IOT');
  }

  async info(): Promise<Answer<DeviceInfo>> {
    const sys = await this.sysinfo();
    const str = (k: string) => (typeof sys[k] === 'string' ? (sys[k] as string) : '');
    const value: DeviceInfo = {
      dialect: 'iot',
      alias: str('alias'),
      model: str('model'),
      mac: str('mac').replace(/:/g, '-').toUpperCase(),
      deviceId: str('deviceId'),
      firmware: str('sw_ver'),
      hardware: str('hw_ver'),
      outlets: listOutlets(sys),
      raw: withoutErrCode(sys),
    };
    if (typeof sys.rssi === 'number') value.rssi = sys.rssi;
    if (sys.relay_state === 0 || sys.relay_state === 1) value.on = sys.relay_state === 1;
    if (sys.led_off === 0 || sys.led_off === 1) value.led = sys.led_off === 0;
    return { value, reply: { system: { get_sysinfo: sys } } };
  }

  async outlets(): Promise<OutletInfo[]> {
    return listOutlets(await this.sysinfo());
  }

  /** tplink-monitor's relays(): every outlet of a strip, the one asked for, or the plug. */
  async relays(outlet?: Outlet): Promise<RelaySnapshot> {
    const sys = await this.sysinfo();
    const alias = String(sys.alias ?? '');
    const children = Array.isArray(sys.children) ? sys.children : [];
    if (children.length === 0) {
      if (outlet !== undefined) resolveChildId(sys, outlet); // throws "not a strip"
      return { alias, outlets: [{ outlet: null, alias, on: sys.relay_state === 1 }] };
    }
    const wanted = outlet === undefined ? undefined : resolveChildId(sys, outlet).toUpperCase();
    const outlets = listOutlets(sys)
      .filter((o) => wanted === undefined || o.id.toUpperCase() === wanted)
      .map((o) => ({ outlet: o.index, id: o.id, alias: o.alias, on: o.on }));
    return { alias, outlets };
  }

  async getState(outlet?: Outlet): Promise<Answer<boolean>> {
    const sys = await this.sysinfo();
    return { value: relayState(sys, outlet), reply: { system: { get_sysinfo: sys } } };
  }

  async setState(on: boolean, outlet?: Outlet): Promise<Answer<boolean>> {
    const { reply } = await this.request(system.setRelayState(on), outlet);
    return { value: bool('on', on), reply };
  }

  async toggle(outlet?: Outlet): Promise<Answer<boolean>> {
    const sys = await this.sysinfo();
    const on = relayState(sys, outlet);
    const { reply } = await this.request(system.setRelayState(!on), outlet);
    return { value: !on, reply };
  }

  async setAlias(alias: string, outlet?: Outlet): Promise<Answer<{ alias: string }>> {
    const cmd = system.setAlias(alias);
    const { reply } = await this.request(cmd, outlet);
    return { value: { alias }, reply };
  }

  async setLed(on: boolean): Promise<Answer<{ led: boolean }>> {
    const led = bool('on', on);
    const { reply } = await this.request(system.setLedOff(!led));
    return { value: { led }, reply };
  }

  async reboot(delay?: number): Promise<Answer<{ delay: number }>> {
    const cmd = system.reboot(delay);
    const { reply } = await this.request(cmd);
    const sent = (cmd.request.system as JsonObject).reboot as JsonObject;
    return { value: { delay: sent.delay as number }, reply };
  }

  async realtime(outlet?: Outlet): Promise<Answer<emeter.RealtimeReading>> {
    const { result, reply } = await this.request(emeter.getRealtime(), outlet).catch(explainNoMeter);
    return { value: withoutErrCode(emeter.normalizeRealtime(result)) as emeter.RealtimeReading, reply };
  }

  async dayStats(period: { year: number; month: number }, outlet?: Outlet): Promise<Answer<DayStats>> {
    const { year, month } = period;
    const { result, reply } = await this.request(emeter.getDayStat({ year, month }), outlet).catch(explainNoMeter);
    const stats = withoutErrCode(emeter.normalizeStats(result));
    const list = (stats.day_list ?? []) as emeter.EnergyEntry[];
    return { value: { year, month, ...totals(list), day_list: list }, reply };
  }

  async monthStats(period: { year: number }, outlet?: Outlet): Promise<Answer<MonthStats>> {
    const { year } = period;
    const { result, reply } = await this.request(emeter.getMonthStat({ year }), outlet).catch(explainNoMeter);
    const stats = withoutErrCode(emeter.normalizeStats(result));
    const list = (stats.month_list ?? []) as emeter.EnergyEntry[];
    return { value: { year, ...totals(list), month_list: list }, reply };
  }

  /** From the month's daystat, dated by `now` (the host clock, as the emeter node's defaults). */
  async energySummary(outlet?: Outlet, now: Date = new Date()): Promise<Answer<EnergySummary>> {
    const year = int('year', now.getFullYear(), MIN_YEAR, MAX_YEAR);
    const month = now.getMonth() + 1;
    const { value, reply } = await this.dayStats({ year, month }, outlet);
    const today = value.day_list.find((e) => e.day === now.getDate());
    const t = whPair(today ? today.energy_wh : 0);
    return { value: { today: t.kwh, today_wh: t.wh, month: value.energy, month_wh: value.energy_wh }, reply };
  }

  async countdownRules(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    const { result, reply } = await this.request(countdown.getRules(), outlet);
    return { value: listRules(result), reply };
  }

  async addCountdown(rule: object, opts: { replace?: boolean } = {}, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const cmd = countdown.addRule(rule as countdown.CountdownInput); // validates before anything is sent
    if (opts.replace) await this.request(countdown.deleteAllRules(), outlet);
    let res;
    try {
      res = await this.request(cmd, outlet);
    } catch (err) {
      if (err instanceof DeviceError && err.errCode === -10) {
        err.message += ' (the device holds one countdown: delete it first, or tick "replace existing" / set msg.replace = true)';
      }
      throw err;
    }
    const built = (cmd.request.count_down as JsonObject).add_rule as JsonObject;
    return { value: describedWithId(res.result.id, built), reply: res.reply };
  }

  async editCountdown(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const edit = (ruleId: string, r: Record<string, unknown>) => countdown.editRule(ruleId, r as unknown as countdown.CountdownInput);
    const { command, reply } = await editStoredRule(this.request, outlet, id, patch, COUNTDOWN_SHAPE, countdown.getRules(), edit);
    const built = (command.request.count_down as JsonObject).edit_rule as JsonObject;
    return { value: describedWithId(built.id, built), reply };
  }

  async deleteCountdown(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>> {
    const { reply } = await this.request(countdown.deleteRule(id), outlet);
    return { value: { id }, reply };
  }

  async deleteAllCountdowns(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    const { reply } = await this.request(countdown.deleteAllRules(), outlet);
    return { value: [], reply };
  }

  async scheduleRules(outlet?: Outlet): Promise<Answer<ScheduleList>> {
    const { result, reply } = await this.request(schedule.getRules(), outlet);
    return { value: { enabled: result.enable === 1, rules: listRules(result) }, reply };
  }

  async addSchedule(rule: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const cmd = schedule.addRule(rule as RuleInput); // validates before anything is sent
    const { result, reply } = await this.request(cmd, outlet);
    const built = (cmd.request.schedule as JsonObject).add_rule as JsonObject;
    return { value: describedWithId(result.id, built), reply };
  }

  async editSchedule(id: string, patch: object, outlet?: Outlet): Promise<Answer<RuleOut>> {
    const { command, reply } = await editStoredRule(this.request, outlet, id, patch, SCHEDULE_SHAPE, schedule.getRules(), schedule.editRule);
    const built = (command.request.schedule as JsonObject).edit_rule as JsonObject;
    return { value: describedWithId(built.id, built), reply };
  }

  async deleteSchedule(id: string, outlet?: Outlet): Promise<Answer<{ id: string }>> {
    const { reply } = await this.request(schedule.deleteRule(id), outlet);
    return { value: { id }, reply };
  }

  async deleteAllSchedules(outlet?: Outlet): Promise<Answer<RuleOut[]>> {
    const { reply } = await this.request(schedule.deleteAllRules(), outlet);
    return { value: [], reply };
  }
}

/** Relay state of the device, or of one outlet, from get_sysinfo (tplink-relay's rule). */
function relayState(sys: JsonObject, outlet: Outlet): boolean {
  if (outlet === undefined) return sys.relay_state === 1;
  const childId = resolveChildId(sys, outlet);
  const child = listOutlets(sys).find((o) => o.id === childId);
  return child !== undefined && child.on;
}

/**
 * An IotRequest over a DeviceClient (or an exclusive() handle), for the CLI and tests:
 * outlets are resolved from a fresh get_sysinfo, as the config node does.
 */
export function iotRequestOver(client: Pick<DeviceHandle, 'send'>): IotRequest {
  return async (cmd, outlet) => {
    let command = cmd;
    if (outlet !== undefined && outlet !== null && outlet !== '') {
      const sys = await client.send(system.getSysinfo().request);
      const info = isObject(sys) && isObject(sys.system) ? sys.system.get_sysinfo : undefined;
      command = withContext(cmd, [resolveChildId(info, outlet)]);
    }
    const reply = await client.send(command.request);
    return { result: resultOf(command, reply), reply: reply as JsonObject };
  };
}
