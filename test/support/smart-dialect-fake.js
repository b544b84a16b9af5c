'use strict';
// A fake of the SMART *dialect* (methods, params, results, error codes), NOT of the
// wire: no envelope, no KLAP/AES, no sockets. It stands in for the request function
// src/core/smart/ will provide, `(method, params, childId) => result`, so the SMART
// device model can be tested before the real SMART simulator exists. It enforces the
// command table the project works from: params checked field by field (-1008), unknown
// methods -1002, get_countdown_rules refusing params:null as a P110 does, one countdown
// at most, paged child and schedule lists (page size 2 here, to make paging happen).

class SmartCodeError extends Error {
  constructor(method, code) {
    super(`SMART ${method}: error_code ${code}`);
    this.errorCode = code;
  }
}

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v) => typeof v === 'number' && Number.isInteger(v);

function onlyKeys(method, p, allowed) {
  for (const k of Object.keys(p)) if (!allowed.includes(k)) throw new SmartCodeError(method, -1008);
}

/** Checks a schedule rule as add/edit_schedule_rule take it (fields of the command table). */
function checkScheduleRule(method, p, withId) {
  onlyKeys(method, p, ['id', 'enable', 'mode', 's_type', 's_min', 'time_offset', 'e_type', 'e_min', 'e_action', 'week_day', 'day', 'month', 'year', 'desired_states']);
  const ok = typeof p.enable === 'boolean' && ['repeat', 'once'].includes(p.mode) && ['normal', 'sunrise', 'sunset'].includes(p.s_type) &&
    isInt(p.s_min) && p.s_min >= 0 && p.s_min < 1440 && isInt(p.time_offset) && isInt(p.week_day) && p.week_day >= 0 && p.week_day <= 127 &&
    isInt(p.day) && isInt(p.month) && isInt(p.year) && isObj(p.desired_states) && typeof p.desired_states.on === 'boolean' &&
    (withId ? typeof p.id === 'string' : p.id === undefined);
  if (!ok) throw new SmartCodeError(method, -1008);
}

function countdownTable() {
  return { max: 1, rules: [] };
}

/**
 * opts: model, components (ids), outlets (n children, 0 = plug), emeterData (knows
 * get_emeter_data), childPower (children list current_power in get_energy_usage).
 */
class SmartDialectFake {
  constructor(opts = {}) {
    this.model = opts.model || 'P110';
    this.components = opts.components || ['device', 'firmware', 'energy_monitoring', 'countdown', 'schedule', 'led'];
    this.emeterData = opts.emeterData === true;
    this.pageSize = 2;
    this.log = [];
    this.nickname = b64(opts.alias || 'Living room');
    this.on = false;
    this.led = { led_rule: 'always', led_status: true, night_mode: { night_mode_type: 'sunrise_sunset' } };
    this.reboots = [];
    this.power = { mw: 12345, mv: 231500, ma: 98, wh: 4321, today: 1234, month: 56789 };
    this.countdown = countdownTable();
    this.schedule = { enable: true, rules: [], next: 1 };
    this.children = [];
    for (let i = 0; i < (opts.outlets || 0); i++) {
      this.children.push({
        device_id: `80223C9D2B3C4B1E5A6F7081923A4B5C6D7E8F90${String(i).padStart(2, '0')}`,
        position: i + 1, slot_number: opts.outlets, nickname: b64(`Outlet ${i + 1}`), device_on: false,
        countdown: countdownTable(), hasPower: opts.childPower !== undefined, childPower: opts.childPower,
      });
    }
    this.request = this.request.bind(this);
  }

  child(id) {
    const c = this.children.find((x) => x.device_id === id);
    if (!c) throw new SmartCodeError('control_child', -1008);
    return c;
  }

  async request(method, params, childId) {
    this.log.push(childId === undefined ? { method, params } : { method, params, childId });
    if (childId !== undefined) {
      if (this.children.length === 0) throw new SmartCodeError('control_child', -1002);
      return this.childMethod(this.child(childId), method, params);
    }
    return this.deviceMethod(method, params);
  }

  /** params that must be absent or {} (the table's "–"). */
  none(method, params) {
    if (params !== undefined && !(isObj(params) && Object.keys(params).length === 0)) throw new SmartCodeError(method, -1008);
  }

  deviceMethod(method, p) {
    switch (method) {
      case 'component_nego':
        this.none(method, p);
        return { component_list: this.components.map((id) => ({ id, ver_code: 1 })) };
      case 'get_device_info': {
        this.none(method, p);
        const info = {
          device_id: '8022A1B2C3D4E5F60718293A4B5C6D7E8F901234', model: this.model, type: 'SMART.TAPOPLUG',
          fw_ver: '1.3.0 Build 230905 Rel.152200', hw_ver: '1.0', mac: 'AA-BB-CC-DD-EE-FF', ip: '127.0.0.1',
          rssi: -47, signal_level: 3, nickname: this.nickname, ssid: b64('Home Wi-Fi'), on_time: 0,
          default_states: { type: 'last_states', state: {} }, overheat_status: 'normal', region: 'Europe/London',
        };
        if (this.children.length === 0) info.device_on = this.on;
        return info;
      }
      case 'set_device_info':
        return this.setInfo(method, p, this);
      case 'get_child_device_list': {
        if (!isObj(p)) throw new SmartCodeError(method, -1008);
        onlyKeys(method, p, ['start_index']);
        if (!isInt(p.start_index) || p.start_index < 0) throw new SmartCodeError(method, -1008);
        const page = this.children.slice(p.start_index, p.start_index + this.pageSize)
          .map((c) => ({ device_id: c.device_id, position: c.position, slot_number: c.slot_number, nickname: c.nickname, device_on: c.device_on }));
        return { child_device_list: page, start_index: p.start_index, sum: this.children.length };
      }
      case 'get_energy_usage':
        this.needComponent(method, 'energy_monitoring');
        this.none(method, p);
        return { today_energy: this.power.today, month_energy: this.power.month, today_runtime: 30, month_runtime: 900, current_power: this.power.mw, local_time: '2026-12-02 17:00:00' };
      case 'get_current_power':
        this.needComponent(method, 'energy_monitoring');
        this.none(method, p);
        return { current_power: Math.round(this.power.mw / 1000) };
      case 'get_emeter_data':
        this.needComponent(method, 'energy_monitoring');
        if (!this.emeterData) throw new SmartCodeError(method, -1002);
        this.none(method, p);
        return { power_mw: this.power.mw, voltage_mv: this.power.mv, current_ma: this.power.ma, energy_wh: this.power.wh };
      case 'get_countdown_rules':
      case 'add_countdown_rule':
      case 'edit_countdown_rule':
      case 'remove_countdown_rules':
        this.needComponent(method, 'countdown');
        return this.countdownMethod(this.countdown, method, p);
      case 'get_schedule_rules': {
        this.needComponent(method, 'schedule');
        if (!isObj(p)) throw new SmartCodeError(method, -1008);
        onlyKeys(method, p, ['start_index', 'schedule_mode']);
        if (!isInt(p.start_index) || p.start_index < 0 || typeof p.schedule_mode !== 'string') throw new SmartCodeError(method, -1008);
        const page = this.schedule.rules.slice(p.start_index, p.start_index + this.pageSize).map((r) => ({ ...r, desired_states: { ...r.desired_states } }));
        return { enable: this.schedule.enable, schedule_rule_max_count: 32, start_index: p.start_index, sum: this.schedule.rules.length, rule_list: page };
      }
      case 'add_schedule_rule': {
        this.needComponent(method, 'schedule');
        if (!isObj(p)) throw new SmartCodeError(method, -1008);
        checkScheduleRule(method, p, false);
        if (this.schedule.rules.length >= 32) throw new SmartCodeError(method, -1);
        const id = `S${this.schedule.next++}`;
        this.schedule.rules.push({ id, ...p });
        return { id };
      }
      case 'edit_schedule_rule': {
        this.needComponent(method, 'schedule');
        if (!isObj(p)) throw new SmartCodeError(method, -1008);
        checkScheduleRule(method, p, true);
        const i = this.schedule.rules.findIndex((r) => r.id === p.id);
        if (i < 0) throw new SmartCodeError(method, -1008);
        this.schedule.rules[i] = { ...p };
        return {};
      }
      case 'remove_schedule_rules':
        this.needComponent(method, 'schedule');
        this.schedule.rules = removeRules(method, p, this.schedule.rules);
        return {};
      case 'get_led_info':
        this.needComponent(method, 'led');
        this.none(method, p);
        return { ...this.led, night_mode: { ...this.led.night_mode } };
      case 'set_led_info':
        this.needComponent(method, 'led');
        if (!isObj(p) || !['always', 'never', 'night_mode'].includes(p.led_rule)) throw new SmartCodeError(method, -1008);
        this.led = { ...this.led, ...p };
        return {};
      case 'device_reboot':
        if (!isObj(p) || !isInt(p.delay) || p.delay < 0) throw new SmartCodeError(method, -1008);
        this.reboots.push(p.delay);
        return {};
      default:
        throw new SmartCodeError(method, -1002);
    }
  }

  childMethod(c, method, p) {
    switch (method) {
      case 'get_device_info':
        this.none(method, p);
        return { device_id: c.device_id, model: this.model, nickname: c.nickname, device_on: c.device_on, position: c.position };
      case 'set_device_info':
        return this.setInfo(method, p, c);
      case 'get_countdown_rules':
      case 'add_countdown_rule':
      case 'edit_countdown_rule':
      case 'remove_countdown_rules':
        return this.countdownMethod(c.countdown, method, p);
      case 'get_energy_usage':
        if (!c.hasPower) throw new SmartCodeError(method, -1002);
        this.none(method, p);
        // P304M children leave current_power out.
        return c.childPower === null ? { today_energy: 10, month_energy: 20 } : { today_energy: 10, month_energy: 20, current_power: c.childPower };
      case 'get_current_power':
        if (!c.hasPower) throw new SmartCodeError(method, -1002);
        this.none(method, p);
        return { current_power: 7 };
      default:
        throw new SmartCodeError(method, -1002);
    }
  }

  needComponent(method, id) {
    if (!this.components.includes(id)) throw new SmartCodeError(method, -1002);
  }

  setInfo(method, p, target) {
    if (!isObj(p) || Object.keys(p).length === 0) throw new SmartCodeError(method, -1008);
    onlyKeys(method, p, ['device_on', 'nickname']);
    if (p.device_on !== undefined && typeof p.device_on !== 'boolean') throw new SmartCodeError(method, -1008);
    if (p.nickname !== undefined && (typeof p.nickname !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(p.nickname))) throw new SmartCodeError(method, -1008);
    if (p.device_on !== undefined) {
      if (target === this) this.on = p.device_on;
      else target.device_on = p.device_on;
    }
    if (p.nickname !== undefined) target.nickname = p.nickname;
    return {};
  }

  countdownMethod(table, method, p) {
    if (method === 'get_countdown_rules') {
      // A P110 answers -1008 to params:null; {start_index} is what it takes.
      if (!isObj(p)) throw new SmartCodeError(method, -1008);
      onlyKeys(method, p, ['start_index']);
      if (!isInt(p.start_index) || p.start_index < 0) throw new SmartCodeError(method, -1008);
      return { countdown_rule_max_count: table.max, enable: table.rules.some((r) => r.enable), rule_list: table.rules.slice(p.start_index).map((r) => ({ ...r, desired_states: { ...r.desired_states } })) };
    }
    if (method === 'remove_countdown_rules') {
      table.rules = removeRules(method, p, table.rules);
      return {};
    }
    if (!isObj(p)) throw new SmartCodeError(method, -1008);
    onlyKeys(method, p, ['id', 'delay', 'desired_states', 'enable']);
    const ok = isInt(p.delay) && p.delay > 0 && isObj(p.desired_states) && typeof p.desired_states.on === 'boolean' && typeof p.enable === 'boolean';
    if (!ok) throw new SmartCodeError(method, -1008);
    if (method === 'add_countdown_rule') {
      if (p.id !== undefined) throw new SmartCodeError(method, -1008);
      // One timer at most (the code a device gives is not recorded; any non-zero one).
      if (table.rules.length >= table.max) throw new SmartCodeError(method, -1);
      table.rules.push({ id: 'C1', delay: p.delay, remain: p.delay, enable: p.enable, desired_states: { on: p.desired_states.on } });
      return { id: 'C1' };
    }
    const r = table.rules.find((x) => x.id === p.id);
    if (!r) throw new SmartCodeError(method, -1008);
    Object.assign(r, { delay: p.delay, remain: p.delay, enable: p.enable, desired_states: { on: p.desired_states.on } });
    return {};
  }
}

function removeRules(method, p, rules) {
  if (!isObj(p)) throw new SmartCodeError(method, -1008);
  if (p.remove_all === true && Object.keys(p).length === 1) return [];
  if (Array.isArray(p.rule_list) && Object.keys(p).length === 1 && p.rule_list.every((x) => isObj(x) && typeof x.id === 'string')) {
    const ids = p.rule_list.map((x) => x.id);
    if (!ids.every((id) => rules.some((r) => r.id === id))) throw new SmartCodeError(method, -1008);
    return rules.filter((r) => !ids.includes(r.id));
  }
  throw new SmartCodeError(method, -1008);
}

module.exports = { SmartDialectFake, SmartCodeError, b64 };
