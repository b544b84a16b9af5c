'use strict';
// Unit tests of the command catalogue (src/core/commands, compiled to nodes/core/commands).

const assert = require('assert');
const c = require('../nodes/core/commands');
const { ValidationError, DeviceError, ProtocolError } = require('../nodes/core/errors');
const { system, netif, cloud, time, emeter, schedule, countdown, antitheft } = c;

/** Asserts that fn throws a ValidationError naming `field` (and matching `re` if given). */
function invalid(fn, field, re) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${err && err.name}: ${err && err.message}`);
    assert.strictEqual(err.kind, 'invalid-input');
    assert.strictEqual(err.field, field, `field of: ${err.message}`);
    assert.ok(err.message.startsWith(`invalid ${field}: expected `), err.message);
    if (re) assert.match(err.message, re);
    return true;
  });
}

// The reference examples of docs/protocol.md, verbatim.
const SCHEDULE_ADD = JSON.parse('{"schedule":{"add_rule":{"stime_opt":0,"wday":[1,0,0,1,1,0,0],"smin":1014,"enable":1,"repeat":1,"etime_opt":-1,"name":"lights on","eact":-1,"month":0,"sact":1,"year":0,"longitude":0,"day":0,"force":0,"latitude":0,"emin":0},"set_overall_enable":{"enable":1}}}');
const ANTITHEFT_ADD = JSON.parse('{"anti_theft":{"add_rule":{"stime_opt":0,"wday":[0,0,0,1,0,1,0],"smin":987,"enable":1,"frequency":5,"repeat":1,"etime_opt":0,"duration":2,"name":"test","lastfor":1,"month":0,"year":0,"longitude":0,"day":0,"latitude":0,"force":0,"emin":1047},"set_overall_enable":1}}');
const SCHED_ID = '4B44932DFC09780B554A740BC1798CBC';
const CD_ID = '7C90311A1CD3227F25C6001D88F7FC13';
const AT_ID = 'E36B1F4466B135C1FD481F0B4BFC9C30';

// [label, () => Command, expected request (docs/protocol.md), destructive]
const CATALOGUE = [
  ['system.getSysinfo', () => system.getSysinfo(), { system: { get_sysinfo: {} } }, false],
  ['system.reset', () => system.reset(), { system: { reset: { delay: 1 } } }, true],
  ['system.reboot', () => system.reboot(), { system: { reboot: { delay: 1 } } }, false],
  ['system.reboot(5)', () => system.reboot(5), { system: { reboot: { delay: 5 } } }, false],
  ['system.setRelayState(true)', () => system.setRelayState(true), { system: { set_relay_state: { state: 1 } } }, false],
  ['system.setRelayState(false)', () => system.setRelayState(false), { system: { set_relay_state: { state: 0 } } }, false],
  ['system.setLedOff(true)', () => system.setLedOff(true), { system: { set_led_off: { off: 1 } } }, false],
  ['system.setLedOff(false)', () => system.setLedOff(false), { system: { set_led_off: { off: 0 } } }, false],
  ['system.setAlias', () => system.setAlias('supercool plug'), { system: { set_dev_alias: { alias: 'supercool plug' } } }, false],
  ['system.setMac', () => system.setMac('50-C7-BF-01-02-03'), { system: { set_mac_addr: { mac: '50-C7-BF-01-02-03' } } }, true],
  ['system.setDeviceId', () => system.setDeviceId('0123456789ABCDEF0123456789ABCDEF01234567'), { system: { set_device_id: { deviceId: '0123456789ABCDEF0123456789ABCDEF01234567' } } }, true],
  ['system.setHwId', () => system.setHwId('0123456789ABCDEF0123456789ABCDEF'), { system: { set_hw_id: { hwId: '0123456789ABCDEF0123456789ABCDEF' } } }, true],
  ['system.setLocation', () => system.setLocation({ longitude: 6.9582814, latitude: 50.9412784 }),
    { system: { set_dev_location: { longitude: 6.9582814, latitude: 50.9412784, latitude_i: 509413, longitude_i: 69583 } } }, false],
  ['system.testCheckUboot', () => system.testCheckUboot(), { system: { test_check_uboot: null } }, false],
  ['system.getDevIcon', () => system.getDevIcon(), { system: { get_dev_icon: null } }, false],
  ['system.setDevIcon', () => system.setDevIcon({ icon: 'xxxx', hash: 'ABCD' }), { system: { set_dev_icon: { icon: 'xxxx', hash: 'ABCD' } } }, false],
  ['system.setTestMode', () => system.setTestMode(true), { system: { set_test_mode: { enable: 1 } } }, true],
  ['system.downloadFirmware', () => system.downloadFirmware('http://example.invalid/fw.bin'), { system: { download_firmware: { url: 'http://example.invalid/fw.bin' } } }, true],
  ['system.getDownloadState', () => system.getDownloadState(), { system: { get_download_state: {} } }, false],
  ['system.flashFirmware', () => system.flashFirmware(), { system: { flash_firmware: {} } }, true],
  ['system.checkNewConfig', () => system.checkNewConfig(), { system: { check_new_config: null } }, false],

  ['netif.getScanInfo', () => netif.getScanInfo(), { netif: { get_scaninfo: { refresh: 1 } } }, false],
  ['netif.getScanInfo(timeout)', () => netif.getScanInfo({ refresh: false, timeout: 10 }), { netif: { get_scaninfo: { refresh: 0, timeout: 10 } } }, false],
  ['netif.setStaInfo', () => netif.setStaInfo({ ssid: 'WiFi', password: 'secret12', keyType: 3 }), { netif: { set_stainfo: { ssid: 'WiFi', password: 'secret12', key_type: 3 } } }, true],

  ['cloud.getInfo', () => cloud.getInfo(), { cnCloud: { get_info: null } }, false],
  ['cloud.getFirmwareList', () => cloud.getFirmwareList(), { cnCloud: { get_intl_fw_list: {} } }, false],
  ['cloud.setServerUrl', () => cloud.setServerUrl('devs.tplinkcloud.com'), { cnCloud: { set_server_url: { server: 'devs.tplinkcloud.com' } } }, true],
  ['cloud.bind', () => cloud.bind({ username: 'your@email.com', password: 'secret' }), { cnCloud: { bind: { username: 'your@email.com', password: 'secret' } } }, true],
  ['cloud.unbind', () => cloud.unbind(), { cnCloud: { unbind: null } }, true],

  ['time.getTime', () => time.getTime(), { time: { get_time: null } }, false],
  ['time.getTimezone', () => time.getTimezone(), { time: { get_timezone: null } }, false],
  ['time.setTimezone', () => time.setTimezone({ index: 42, date: { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10 } }),
    { time: { set_timezone: { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, index: 42 } } }, false],
  ['time.setTimezone(Date)', () => time.setTimezone({ index: 42, date: new Date(2016, 0, 1, 10, 10, 10) }),
    { time: { set_timezone: { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, index: 42 } } }, false],

  ['emeter.getRealtime', () => emeter.getRealtime(), { emeter: { get_realtime: {} } }, false],
  ['emeter.getVgainIgain', () => emeter.getVgainIgain(), { emeter: { get_vgain_igain: {} } }, false],
  ['emeter.setVgainIgain', () => emeter.setVgainIgain({ vgain: 13462, igain: 16835 }), { emeter: { set_vgain_igain: { vgain: 13462, igain: 16835 } } }, true],
  ['emeter.startCalibration', () => emeter.startCalibration({ vtarget: 13462, itarget: 16835 }), { emeter: { start_calibration: { vtarget: 13462, itarget: 16835 } } }, true],
  ['emeter.getDayStat', () => emeter.getDayStat({ year: 2016, month: 1 }), { emeter: { get_daystat: { month: 1, year: 2016 } } }, false],
  ['emeter.getMonthStat', () => emeter.getMonthStat({ year: 2016 }), { emeter: { get_monthstat: { year: 2016 } } }, false],
  ['emeter.eraseStats', () => emeter.eraseStats(), { emeter: { erase_emeter_stat: null } }, false],

  ['schedule.getNextAction', () => schedule.getNextAction(), { schedule: { get_next_action: null } }, false],
  ['schedule.getRules', () => schedule.getRules(), { schedule: { get_rules: null } }, false],
  ['schedule.addRule (raw)', () => schedule.addRule(SCHEDULE_ADD.schedule.add_rule), SCHEDULE_ADD, false],
  ['schedule.addRule (friendly)', () => schedule.addRule({ days: ['sun', 'wed', 'thu'], time: '16:54', action: 'on', name: 'lights on' }), SCHEDULE_ADD, false],
  ['schedule.editRule', () => schedule.editRule(SCHED_ID, SCHEDULE_ADD.schedule.add_rule),
    { schedule: { edit_rule: { ...SCHEDULE_ADD.schedule.add_rule, id: SCHED_ID } } }, false],
  ['schedule.deleteRule', () => schedule.deleteRule(SCHED_ID), { schedule: { delete_rule: { id: SCHED_ID } } }, false],
  ['schedule.deleteAllRules', () => schedule.deleteAllRules(), { schedule: { delete_all_rules: null, erase_runtime_stat: null } }, false],
  ['schedule.setOverallEnable', () => schedule.setOverallEnable(true), { schedule: { set_overall_enable: { enable: 1 } } }, false],

  ['countdown.getRules', () => countdown.getRules(), { count_down: { get_rules: null } }, false],
  ['countdown.addRule', () => countdown.addRule({ delay: 1800, on: true, name: 'turn on' }), { count_down: { add_rule: { enable: 1, delay: 1800, act: 1, name: 'turn on' } } }, false],
  ['countdown.editRule', () => countdown.editRule(CD_ID, { enable: true, delay: 1800, on: true, name: 'turn on' }),
    { count_down: { edit_rule: { enable: 1, id: CD_ID, delay: 1800, act: 1, name: 'turn on' } } }, false],
  ['countdown.deleteRule', () => countdown.deleteRule(CD_ID), { count_down: { delete_rule: { id: CD_ID } } }, false],
  ['countdown.deleteAllRules', () => countdown.deleteAllRules(), { count_down: { delete_all_rules: null } }, false],

  ['antitheft.getRules', () => antitheft.getRules(), { anti_theft: { get_rules: null } }, false],
  ['antitheft.addRule (raw)', () => antitheft.addRule(ANTITHEFT_ADD.anti_theft.add_rule), ANTITHEFT_ADD, false],
  ['antitheft.addRule (friendly)', () => antitheft.addRule({ days: ['wed', 'fri'], time: '16:27', end: '17:27', name: 'test' }), ANTITHEFT_ADD, false],
  ['antitheft.editRule', () => antitheft.editRule(AT_ID, ANTITHEFT_ADD.anti_theft.add_rule),
    { anti_theft: { edit_rule: { ...ANTITHEFT_ADD.anti_theft.add_rule, id: AT_ID } } }, false],
  ['antitheft.deleteRule', () => antitheft.deleteRule(AT_ID), { anti_theft: { delete_rule: { id: AT_ID } } }, false],
  ['antitheft.deleteAllRules', () => antitheft.deleteAllRules(), { anti_theft: { delete_all_rules: null } }, false],
  ['antitheft.setOverallEnable', () => antitheft.setOverallEnable(false), { anti_theft: { set_overall_enable: { enable: 0 } } }, false],
];

describe('command catalogue', () => {
  describe('request JSON matches docs/protocol.md', () => {
    for (const [label, build, expected, destructive] of CATALOGUE) {
      it(label, () => {
        const cmd = build();
        assert.deepStrictEqual(cmd.request, expected);
        assert.strictEqual(cmd.destructive, destructive, 'destructive flag');
        // module/method name the primary method, which the request holds.
        assert.ok(Object.prototype.hasOwnProperty.call(cmd.request[cmd.module], cmd.method));
        // The flag and the raw-request check agree.
        assert.strictEqual(c.isDestructiveRequest(cmd.request), destructive);
      });
    }

    it('the exact bytes of the test-vector request', () => {
      assert.strictEqual(JSON.stringify(system.setRelayState(false).request), '{"system":{"set_relay_state":{"state":0}}}');
    });

    it('the raw schedule example serialises in the reference key order', () => {
      assert.strictEqual(JSON.stringify(schedule.addRule(SCHEDULE_ADD.schedule.add_rule).request), JSON.stringify(SCHEDULE_ADD));
      assert.strictEqual(JSON.stringify(antitheft.addRule(ANTITHEFT_ADD.anti_theft.add_rule).request), JSON.stringify(ANTITHEFT_ADD));
    });

    it('every builder of every module is covered by the table', () => {
      const covered = new Set(CATALOGUE.map(([label]) => label.replace(/[ (].*$/, '')));
      for (const [ns, mod] of Object.entries({ system, netif, cloud, time, emeter, schedule, countdown, antitheft })) {
        for (const [name, fn] of Object.entries(mod)) {
          if (typeof fn !== 'function' || /^normalize/.test(name)) continue;
          assert.ok(covered.has(`${ns}.${name}`), `${ns}.${name} is not tested`);
        }
      }
    });

    it('builders return fresh objects (a caller may mutate one safely)', () => {
      const a = system.getSysinfo();
      a.request.system.get_sysinfo.x = 1;
      assert.deepStrictEqual(system.getSysinfo().request, { system: { get_sysinfo: {} } });
    });

    it('setTimezone defaults the clock to now', () => {
      const r = time.setTimezone({ index: 0 }).request.time.set_timezone;
      assert.deepStrictEqual(Object.keys(r).sort(), ['hour', 'index', 'mday', 'min', 'month', 'sec', 'year']);
      assert.strictEqual(r.year, new Date().getFullYear());
    });

    it('setMac normalises colons and case', () => {
      assert.deepStrictEqual(system.setMac('50:c7:bf:01:02:0a').request, { system: { set_mac_addr: { mac: '50-C7-BF-01-02-0A' } } });
    });

    it('setStaInfo for an open network sends an empty password', () => {
      assert.deepStrictEqual(netif.setStaInfo({ ssid: 'Open', keyType: 0 }).request, { netif: { set_stainfo: { ssid: 'Open', password: '', key_type: 0 } } });
    });

    it('countdown accepts action/act forms and names itself after the action', () => {
      assert.deepStrictEqual(countdown.addRule({ delay: 60, action: 'off' }).request, { count_down: { add_rule: { enable: 1, delay: 60, act: 0, name: 'turn off' } } });
      assert.deepStrictEqual(countdown.addRule({ delay: 60, act: 1, enable: false }).request, { count_down: { add_rule: { enable: 0, delay: 60, act: 1, name: 'turn on' } } });
    });
  });

  describe('destructive methods', () => {
    const LIST = ['system.reset', 'system.set_mac_addr', 'system.set_device_id', 'system.set_hw_id', 'system.set_test_mode',
      'system.download_firmware', 'system.flash_firmware', 'netif.set_stainfo', 'cnCloud.bind', 'cnCloud.unbind',
      'cnCloud.set_server_url', 'emeter.set_vgain_igain', 'emeter.start_calibration'];

    it('DESTRUCTIVE_METHODS is exactly the docs/protocol.md list', () => {
      assert.deepStrictEqual([...c.DESTRUCTIVE_METHODS].sort(), LIST.slice().sort());
    });

    it('exactly the builders of that list are marked destructive', () => {
      const marked = CATALOGUE.filter(([, , , d]) => d).map(([, build]) => {
        const cmd = build();
        return `${cmd.module}.${cmd.method}`;
      });
      assert.deepStrictEqual([...new Set(marked)].sort(), LIST.slice().sort());
    });

    it('isDestructiveRequest looks at every module and method', () => {
      assert.strictEqual(c.isDestructiveRequest({ system: { get_sysinfo: {}, reset: { delay: 1 } } }), true);
      assert.strictEqual(c.isDestructiveRequest({ system: { get_sysinfo: {} }, cnCloud: { unbind: null } }), true);
      assert.strictEqual(c.isDestructiveRequest({ context: { child_ids: ['x'] }, emeter: { start_calibration: {} } }), true);
      assert.strictEqual(c.isDestructiveRequest({ system: { get_sysinfo: {} }, emeter: { get_realtime: {} } }), false);
      assert.deepStrictEqual(c.destructiveMethodsOf({ system: { reset: {}, flash_firmware: {} }, netif: { set_stainfo: {} } }),
        ['system.reset', 'system.flash_firmware', 'netif.set_stainfo']);
    });

    it('isDestructiveRequest catches other spellings and module families, and is safe on odd input', () => {
      assert.strictEqual(c.isDestructiveRequest({ System: { reset: {} } }), true);
      assert.strictEqual(c.isDestructiveRequest({ system: { Reset: {} } }), true);
      assert.deepStrictEqual(c.destructiveMethodsOf({ 'smartlife.iot.common.cloud': { bind: {}, get_info: {} } }), ['smartlife.iot.common.cloud.bind']);
      assert.strictEqual(c.isDestructiveRequest({ 'smartlife.iot.common.system': { reset: { delay: 1 } } }), true);
      assert.strictEqual(c.isDestructiveRequest({ 'smartlife.iot.common.emeter': { set_vgain_igain: {} } }), true);
      assert.strictEqual(c.isDestructiveRequest({ 'smartlife.iot.common.cloud': { get_info: {} } }), false);
      for (const odd of [null, undefined, 42, 'system.reset', [], [{ system: { reset: {} } }], { system: null }, { system: 'reset' }]) {
        assert.strictEqual(c.isDestructiveRequest(odd), false);
      }
      assert.strictEqual(c.isDestructiveRequest(JSON.parse('{"__proto__":{"reset":{}},"system":{"reset":{}}}')), true);
    });
  });

  describe('validation', () => {
    it('delays: wrong type, negative, fractional, NaN, Infinity, too long', () => {
      invalid(() => system.reboot(-1), 'delay', /^invalid delay: expected an integer number of seconds from 0 to 86400, got -1$/);
      invalid(() => system.reset(1.5), 'delay');
      invalid(() => system.reset(NaN), 'delay', /got NaN/);
      invalid(() => system.reboot(Infinity), 'delay');
      invalid(() => system.reboot('5'), 'delay');
      invalid(() => system.reboot(86401), 'delay');
      invalid(() => system.reboot(null), 'delay');
      invalid(() => countdown.addRule({ delay: -1, on: true }), 'delay', /got -1$/);
      invalid(() => countdown.addRule({ delay: 0, on: true }), 'delay');
      invalid(() => countdown.addRule({ delay: 86401, on: true }), 'delay');
      invalid(() => countdown.addRule({ on: true }), 'delay');
    });

    it('booleans: only true/false or 1/0', () => {
      invalid(() => system.setRelayState('on'), 'on');
      invalid(() => system.setRelayState(2), 'on');
      invalid(() => system.setRelayState(), 'on');
      invalid(() => system.setLedOff('true'), 'off');
      invalid(() => system.setTestMode(null), 'enable');
      invalid(() => schedule.setOverallEnable('yes'), 'enable');
      invalid(() => antitheft.setOverallEnable({}), 'enable');
      assert.deepStrictEqual(system.setRelayState(1).request, { system: { set_relay_state: { state: 1 } } });
    });

    it('alias: 1..31 UTF-8 bytes, no control characters', () => {
      system.setAlias('x'.repeat(31));
      invalid(() => system.setAlias('x'.repeat(32)), 'alias', /1 to 31 bytes/);
      invalid(() => system.setAlias('ä'.repeat(16)), 'alias'); // 32 bytes in UTF-8
      invalid(() => system.setAlias(''), 'alias');
      invalid(() => system.setAlias('a\nb'), 'alias', /control/);
      invalid(() => system.setAlias(42), 'alias');
      invalid(() => system.setAlias('y'.repeat(100000)), 'alias', /100000 chars/);
    });

    it('ids, MAC, URL, host names', () => {
      invalid(() => system.setMac('50-C7-BF-01-02'), 'mac');
      invalid(() => system.setMac('50-C7-BF:01-02-03'), 'mac');
      invalid(() => system.setDeviceId('0123'), 'deviceId');
      invalid(() => system.setHwId('G123456789ABCDEF0123456789ABCDEF'), 'hwId');
      invalid(() => system.downloadFirmware('ftp://example.invalid/fw.bin'), 'url');
      invalid(() => system.downloadFirmware('not a url'), 'url');
      invalid(() => system.downloadFirmware(`http://x/${'a'.repeat(300)}`), 'url');
      invalid(() => cloud.setServerUrl('http://devs.tplinkcloud.com/'), 'server');
      invalid(() => cloud.setServerUrl(''), 'server');
      invalid(() => schedule.deleteRule(''), 'id');
      invalid(() => schedule.deleteRule('a"b'), 'id');
      invalid(() => countdown.deleteRule(42), 'id');
      invalid(() => antitheft.editRule(undefined, ANTITHEFT_ADD.anti_theft.add_rule), 'id');
    });

    it('location, gains, dates, timezone', () => {
      invalid(() => system.setLocation({ latitude: 91, longitude: 0 }), 'latitude');
      invalid(() => system.setLocation({ latitude: 0, longitude: NaN }), 'longitude');
      invalid(() => system.setLocation({ latitude: '50', longitude: 6 }), 'latitude');
      invalid(() => system.setLocation({ latitude: 50 }), 'longitude');
      invalid(() => system.setLocation({ lattitude: 50, latitude: 50, longitude: 6 }), 'location.lattitude');
      invalid(() => system.setLocation(null), 'location');
      invalid(() => emeter.setVgainIgain({ vgain: 0, igain: 1 }), 'vgain');
      invalid(() => emeter.startCalibration({ vtarget: 1, itarget: 1.5 }), 'itarget');
      invalid(() => emeter.getDayStat({ year: 2016, month: 13 }), 'month');
      invalid(() => emeter.getDayStat({ year: 1999, month: 1 }), 'year');
      invalid(() => emeter.getMonthStat({}), 'year');
      invalid(() => time.setTimezone({ index: 110 }), 'index');
      invalid(() => time.setTimezone({ index: -1 }), 'index');
      invalid(() => time.setTimezone({ index: 1, date: { year: 2016, month: 2, mday: 30, hour: 0, min: 0, sec: 0 } }), 'date.mday');
      invalid(() => time.setTimezone({ index: 1, date: { year: 2016, month: 1, mday: 1, hour: 25, min: 0, sec: 0 } }), 'date.hour');
      invalid(() => time.setTimezone({ index: 1, date: new Date('nonsense') }), 'date');
    });

    it('network and cloud credentials, without echoing passwords', () => {
      invalid(() => netif.setStaInfo({ ssid: '', password: 'secret12' }), 'ssid');
      invalid(() => netif.setStaInfo({ ssid: 'x'.repeat(33), password: 'secret12' }), 'ssid');
      invalid(() => netif.setStaInfo({ ssid: 'WiFi', password: 'short' }), 'password');
      invalid(() => netif.setStaInfo({ ssid: 'WiFi' }), 'password');
      invalid(() => netif.setStaInfo({ ssid: 'WiFi', password: 'secret12', keyType: 4 }), 'keyType');
      invalid(() => netif.setStaInfo({ ssid: 'WiFi', password: 'secret12', key_type: 3 }), 'stainfo.key_type');
      invalid(() => netif.setStaInfo({ ssid: 'Open', password: 'x', keyType: 0 }), 'password');
      invalid(() => netif.getScanInfo({ timeout: 0 }), 'timeout');
      invalid(() => cloud.bind({ username: 'me@example.com', password: '' }), 'password');
      invalid(() => cloud.bind({ username: '', password: 'pw' }), 'username');
      try {
        netif.setStaInfo({ ssid: 'WiFi', password: 'topsecr' });
      } catch (err) {
        assert.ok(!err.message.includes('topsecr'), err.message);
      }
      try {
        cloud.bind({ username: 'me', password: 'x'.repeat(65) });
      } catch (err) {
        assert.ok(!err.message.includes('xxxx'), err.message);
      }
    });

    it('is not fooled by __proto__ or constructor keys', () => {
      const poisoned = JSON.parse('{"__proto__":{"latitude":1,"longitude":2}}');
      invalid(() => system.setLocation(poisoned), 'location.__proto__');
      invalid(() => system.setLocation(JSON.parse('{"constructor":{"x":1},"latitude":1,"longitude":2}')), 'location.constructor');
      // Inherited values are never read.
      const inherited = Object.create({ latitude: 1, longitude: 2 });
      invalid(() => system.setLocation(inherited), 'latitude');
      invalid(() => countdown.addRule(JSON.parse('{"__proto__":{"delay":5,"on":true}}')), 'rule.__proto__');
      invalid(() => schedule.addRule(JSON.parse('{"__proto__":{"time":"10:00"},"days":["mon"],"action":"on"}')), 'rule.__proto__');
      invalid(() => schedule.addRule(Object.create({ time: '10:00', days: ['mon'], action: 'on' })), 'time');
      // Nothing leaked into Object.prototype.
      assert.strictEqual({}.latitude, undefined);
      assert.strictEqual({}.time, undefined);
    });

    it('requests hold only validated fields', () => {
      const cmd = system.setLocation({ latitude: 1, longitude: 2 });
      assert.deepStrictEqual(Object.keys(cmd.request.system.set_dev_location).sort(), ['latitude', 'latitude_i', 'longitude', 'longitude_i']);
      assert.strictEqual(Object.getPrototypeOf(cmd.request.system.set_dev_location), Object.prototype);
    });
  });

  describe('rules (schedule and anti-theft input)', () => {
    const base = { days: ['mon'], time: '10:00', action: 'on' };
    const rule = (extra) => schedule.addRule({ ...base, ...extra }).request.schedule.add_rule;

    it('a flag list of 6 under days is an error naming days, not day numbers', () => {
      assert.throws(() => rule({ days: [1, 0, 0, 1, 1, 0] }), (e) => e instanceof ValidationError && e.field === 'days' && /exactly 7/.test(e.message));
      assert.throws(() => rule({ days: [true, false] }), (e) => e.field === 'days');
      assert.deepStrictEqual(rule({ days: [0, 1] }).wday, [1, 1, 0, 0, 0, 0, 0]);
    });

    it('friendly example: days, time, action', () => {
      const r = schedule.addRule({ days: ['mon', 'thu'], time: '16:54', action: 'on' }).request.schedule.add_rule;
      assert.deepStrictEqual(r.wday, [0, 1, 0, 0, 1, 0, 0]);
      assert.strictEqual(r.smin, 1014);
      assert.strictEqual(r.stime_opt, 0);
      assert.strictEqual(r.sact, 1);
      assert.strictEqual(r.etime_opt, -1);
      assert.strictEqual(r.eact, -1);
      assert.strictEqual(r.repeat, 1);
      assert.strictEqual(r.enable, 1);
      assert.strictEqual(r.name, 'Schedule Rule');
    });

    it('days in every accepted form; duplicates are fine', () => {
      const mon_thu = [0, 1, 0, 0, 1, 0, 0];
      for (const days of [['mon', 'thu'], ['Monday', 'THURSDAY'], [1, 4], ['1', '4'], 'mon,thu', 'mon thu', ['mon', 'thu', 'mon', 4], mon_thu, [false, true, false, false, true, false, false]]) {
        assert.deepStrictEqual(rule({ days }).wday, mon_thu, JSON.stringify(days));
      }
      assert.deepStrictEqual(rule({ days: 'weekdays' }).wday, [0, 1, 1, 1, 1, 1, 0]);
      assert.deepStrictEqual(rule({ days: 'weekend' }).wday, [1, 0, 0, 0, 0, 0, 1]);
      assert.deepStrictEqual(rule({ days: 'daily' }).wday, [1, 1, 1, 1, 1, 1, 1]);
      assert.deepStrictEqual(rule({ days: [0, 6] }).wday, [1, 0, 0, 0, 0, 0, 1]);
    });

    it('bad days name the field', () => {
      invalid(() => rule({ days: ['mon', 'funday'] }), 'days', /got "funday"/);
      invalid(() => rule({ days: [7] }), 'days');
      invalid(() => rule({ days: [-1] }), 'days');
      invalid(() => rule({ days: [1.5] }), 'days');
      invalid(() => rule({ days: 5 }), 'days');
      invalid(() => rule({ days: [] }), 'days', /at least one day/);
      invalid(() => rule({ days: [0, 0, 0, 0, 0, 0, 0] }), 'days', /at least one day/);
      invalid(() => schedule.addRule({ time: '10:00', action: 'on' }), 'days');
    });

    it('wday must be exactly 7 flags of 0/1', () => {
      const raw = { wday: [0, 1, 0, 0, 0, 0, 0], time: '10:00', action: 'on' };
      assert.deepStrictEqual(schedule.addRule(raw).request.schedule.add_rule.wday, [0, 1, 0, 0, 0, 0, 0]);
      invalid(() => schedule.addRule({ ...raw, wday: [1, 1, 1, 1, 1, 1] }), 'wday', /exactly 7/);
      invalid(() => schedule.addRule({ ...raw, wday: [1, 1, 1, 1, 1, 1, 1, 1] }), 'wday');
      invalid(() => schedule.addRule({ ...raw, wday: [1, 2, 0, 0, 0, 0, 0] }), 'wday');
      invalid(() => schedule.addRule({ ...raw, wday: [true, 0, 0, 0, 0, 0, 0] }), 'wday');
      invalid(() => schedule.addRule({ ...raw, wday: [0, 0, 0, 0, 0, 0, 0] }), 'wday', /at least one day/);
    });

    it('times: HH:MM, sunrise, sunset; bad ones name the field', () => {
      assert.strictEqual(rule({ time: '0:00' }).smin, 0);
      assert.strictEqual(rule({ time: '23:59' }).smin, 1439);
      assert.strictEqual(rule({ time: 'sunrise' }).stime_opt, 1);
      const sunset = rule({ time: 'Sunset', offset: -30 });
      assert.strictEqual(sunset.stime_opt, 2);
      assert.strictEqual(sunset.smin, 0);
      assert.strictEqual(sunset.soffset, -30);
      assert.ok(!('soffset' in rule({ time: 'sunset' })), 'no soffset unless asked for');
      for (const t of ['25:00', '24:00', '12:60', '12:5', '1200', 'noon', '', 600, null, NaN]) invalid(() => rule({ time: t }), 'time');
      invalid(() => rule({ time: '10:00', offset: 5 }), 'offset', /sunrise/);
      invalid(() => rule({ time: 'sunset', offset: 721 }), 'offset');
      invalid(() => rule({ time: 'sunset', offset: 1.5 }), 'offset');
      invalid(() => schedule.addRule({ days: ['mon'], action: 'on' }), 'time');
    });

    it('raw minutes: smin/emin 0..1439', () => {
      const raw = { days: ['mon'], action: 'on' };
      assert.strictEqual(schedule.addRule({ ...raw, smin: 61 }).request.schedule.add_rule.stime_opt, 0);
      invalid(() => schedule.addRule({ ...raw, smin: 1440 }), 'smin');
      invalid(() => schedule.addRule({ ...raw, smin: -1 }), 'smin');
      invalid(() => schedule.addRule({ ...raw, stime_opt: 0 }), 'smin');
      invalid(() => schedule.addRule({ ...raw, stime_opt: 3, smin: 1 }), 'stime_opt');
      invalid(() => schedule.addRule({ ...raw, smin: 1, emin: 1440, etime_opt: 0 }), 'emin');
    });

    it('end time and end action', () => {
      const r = rule({ time: '18:00', end: '22:30' });
      assert.deepStrictEqual([r.etime_opt, r.emin, r.eact], [0, 1350, 0], 'end undoes the start by default');
      const s = rule({ time: 'sunset', action: 'on', end: 'sunrise', endAction: 'on', endOffset: 15 });
      assert.deepStrictEqual([s.etime_opt, s.eact, s.eoffset], [1, 1, 15]);
      invalid(() => rule({ end: '22:60' }), 'end');
      invalid(() => rule({ endAction: 'off' }), 'endAction', /end time/);
      invalid(() => rule({ end: '22:00', endAction: 'toggle' }), 'endAction');
      invalid(() => rule({ endOffset: 10 }), 'endOffset');
    });

    it('actions', () => {
      assert.strictEqual(rule({ action: 'OFF' }).sact, 0);
      assert.strictEqual(rule({ action: true }).sact, 1);
      for (const a of ['toggle', 'o', 1, null, '']) invalid(() => rule({ action: a }), 'action');
      invalid(() => schedule.addRule({ days: ['mon'], time: '10:00' }), 'action');
      invalid(() => schedule.addRule({ days: ['mon'], time: '10:00', sact: 2 }), 'sact');
    });

    it('once: a date makes a one-off rule', () => {
      const r = schedule.addRule({ once: '2026-12-24', time: '18:00', action: 'on' }).request.schedule.add_rule;
      assert.deepStrictEqual([r.repeat, r.year, r.month, r.day], [0, 2026, 12, 24]);
      assert.deepStrictEqual(r.wday, [0, 0, 0, 0, 1, 0, 0], 'the weekday of 2026-12-24 (a Thursday)');
      invalid(() => rule({ once: '2026-02-29' }), 'once');
      invalid(() => rule({ once: '2026-13-01' }), 'once');
      invalid(() => rule({ once: '24.12.2026' }), 'once');
      invalid(() => rule({ once: '2026-12-24', repeat: 1 }), 'once');
      invalid(() => schedule.addRule({ repeat: 0, time: '10:00', action: 'on', year: 2026, month: 2, day: 30 }), 'once');
      const raw = schedule.addRule({ repeat: 0, time: '10:00', action: 'on', year: 2028, month: 2, day: 29 }).request.schedule.add_rule;
      assert.deepStrictEqual([raw.repeat, raw.year, raw.month, raw.day], [0, 2028, 2, 29]);
    });

    it('names, enable, unknown fields', () => {
      assert.strictEqual(rule({ name: 'x'.repeat(32) }).name.length, 32);
      invalid(() => rule({ name: 'x'.repeat(33) }), 'name');
      invalid(() => rule({ name: 'x'.repeat(1e6) }), 'name');
      invalid(() => rule({ name: 5 }), 'name');
      assert.strictEqual(rule({ enabled: false }).enable, 0);
      invalid(() => rule({ enabled: 'no' }), 'enabled');
      invalid(() => rule({ dayz: ['mon'] }), 'rule.dayz');
      invalid(() => schedule.addRule(null), 'rule');
      invalid(() => schedule.addRule([base]), 'rule');
    });

    it('raw and friendly forms must agree when both are given', () => {
      invalid(() => rule({ wday: [1, 0, 0, 0, 0, 0, 0] }), 'days', /agrees with wday/);
      invalid(() => rule({ smin: 601 }), 'time', /got "10:00"$/);
      invalid(() => rule({ stime_opt: 1 }), 'time');
      invalid(() => rule({ sact: 0 }), 'action');
      invalid(() => rule({ enable: 0, enabled: true }), 'enabled');
      assert.deepStrictEqual(rule({ wday: [0, 1, 0, 0, 0, 0, 0], smin: 600, sact: 1, stime_opt: 0 }), rule({}));
    });

    it('anti-theft needs a window and takes frequency/duration/lastfor', () => {
      const r = antitheft.addRule({ days: 'weekdays', time: 'sunset', end: '23:00', frequency: 3 }).request.anti_theft.add_rule;
      assert.deepStrictEqual([r.stime_opt, r.etime_opt, r.emin, r.frequency, r.duration, r.lastfor, r.name], [2, 0, 1380, 3, 2, 1, 'Away Rule']);
      assert.ok(!('sact' in r) && !('eact' in r));
      invalid(() => antitheft.addRule({ days: ['mon'], time: '10:00' }), 'end');
      invalid(() => antitheft.addRule({ days: ['mon'], time: '10:00', end: '11:00', action: 'on' }), 'rule.action');
      invalid(() => antitheft.addRule({ days: ['mon'], time: '10:00', end: '11:00', frequency: 0 }), 'frequency');
      invalid(() => antitheft.addRule({ days: ['mon'], time: '10:00', end: '11:00', duration: -1 }), 'duration');
      invalid(() => antitheft.addRule({ days: ['mon'], time: '25:00', end: '11:00' }), 'time');
    });

    it('editRule ignores an id inside the rule and uses its argument', () => {
      const r = schedule.editRule(SCHED_ID, { ...base, id: 'OTHER' }).request.schedule.edit_rule;
      assert.strictEqual(r.id, SCHED_ID);
    });
  });

  describe('describeRule', () => {
    it('adds friendly fields next to the raw ones', () => {
      const d = c.describeRule({ ...SCHEDULE_ADD.schedule.add_rule, id: SCHED_ID });
      assert.deepStrictEqual(d.days, ['sun', 'wed', 'thu']);
      assert.strictEqual(d.time, '16:54');
      assert.strictEqual(d.action, 'on');
      assert.strictEqual(d.enabled, true);
      assert.strictEqual(d.smin, 1014);
      assert.strictEqual(d.id, SCHED_ID);
      assert.ok(!('end' in d) && !('once' in d));
    });

    it('round trip: describeRule output builds the same device rule', () => {
      const deviceRules = [
        SCHEDULE_ADD.schedule.add_rule,
        { ...SCHEDULE_ADD.schedule.add_rule, stime_opt: 2, smin: 1100, soffset: -20, etime_opt: 0, emin: 1380, eact: 0, enable: 0 },
        { ...SCHEDULE_ADD.schedule.add_rule, stime_opt: 1, smin: 398, etime_opt: 2, emin: 1200, eact: 1, eoffset: 10, soffset: 0 },
        { ...SCHEDULE_ADD.schedule.add_rule, repeat: 0, year: 2026, month: 12, day: 24, wday: [0, 0, 0, 0, 1, 0, 0] },
      ];
      for (const dev of deviceRules) {
        const described = c.describeRule({ ...dev, id: SCHED_ID });
        assert.deepStrictEqual(schedule.addRule(described).request.schedule.add_rule, dev, JSON.stringify(described));
        assert.deepStrictEqual(schedule.editRule(SCHED_ID, described).request.schedule.edit_rule, { ...dev, id: SCHED_ID });
      }
      const at = ANTITHEFT_ADD.anti_theft.add_rule;
      const d = c.describeRule({ ...at, id: AT_ID });
      assert.deepStrictEqual([d.time, d.end, d.days], ['16:27', '17:27', ['wed', 'fri']]);
      assert.ok(!('action' in d));
      assert.deepStrictEqual(antitheft.addRule(d).request.anti_theft.add_rule, at);
    });

    it('describes once rules, offsets and count-down rules; ignores nonsense', () => {
      const once = c.describeRule({ ...SCHEDULE_ADD.schedule.add_rule, repeat: 0, year: 2026, month: 1, day: 5, stime_opt: 2, soffset: -30 });
      assert.strictEqual(once.once, '2026-01-05');
      assert.strictEqual(once.time, 'sunset');
      assert.strictEqual(once.offset, -30);
      const cd = c.describeRule({ id: CD_ID, enable: 1, delay: 1800, act: 0, name: 'turn off', remain: 1700 });
      assert.strictEqual(cd.action, 'off');
      assert.strictEqual(cd.remain, 1700);
      assert.deepStrictEqual(c.describeRule(null), {});
      const odd = c.describeRule({ stime_opt: 0, smin: 5000, sact: 7, wday: 'x' });
      assert.ok(!('time' in odd) && !('action' in odd) && !('days' in odd));
      const proto = c.describeRule(JSON.parse('{"__proto__":{"polluted":1},"sact":1}'));
      assert.strictEqual(Object.getPrototypeOf(proto), Object.prototype);
      assert.strictEqual(proto.polluted, undefined);
    });

    it('describeRules maps a get_rules result', () => {
      const out = c.describeRules({ enable: 1, rule_list: [{ ...SCHEDULE_ADD.schedule.add_rule, id: SCHED_ID }], err_code: 0 });
      assert.strictEqual(out.enable, 1);
      assert.strictEqual(out.err_code, 0);
      assert.strictEqual(out.rule_list[0].time, '16:54');
    });
  });

  describe('emeter normalisation', () => {
    it('hw 2.x (milli units) gets the base units', () => {
      const r = c.normalizeRealtime({ voltage_mv: 230123, current_ma: 123, power_mw: 12345, total_wh: 1234, err_code: 0, slot_id: 0 });
      assert.deepStrictEqual(r, {
        voltage_mv: 230123, current_ma: 123, power_mw: 12345, total_wh: 1234, err_code: 0, slot_id: 0,
        voltage: 230.123, current: 0.123, power: 12.345, total: 1.234,
      });
    });

    it('hw 1.x (base units) gets the milli units, sent values kept as sent', () => {
      const r = c.normalizeRealtime({ voltage: 230.123456, current: 0.0123, power: 12.3456, total: 1.2345, err_code: 0 });
      assert.strictEqual(r.voltage, 230.123456);
      assert.strictEqual(r.power, 12.3456);
      assert.strictEqual(r.voltage_mv, 230123);
      assert.strictEqual(r.current_ma, 12);
      assert.strictEqual(r.power_mw, 12346);
      assert.strictEqual(r.total_wh, 1235);
      assert.strictEqual(r.err_code, 0);
    });

    it('both present: nothing changes; missing or non-numeric: left alone', () => {
      const both = { power: 1, power_mw: 999 };
      assert.deepStrictEqual(c.normalizeRealtime(both), both);
      const partial = c.normalizeRealtime({ power_mw: 5, voltage: 'n/a' });
      assert.strictEqual(partial.power, 0.005);
      assert.strictEqual(partial.voltage, 'n/a');
      assert.ok(!('voltage_mv' in partial) && !('current' in partial));
      assert.throws(() => c.normalizeRealtime(null), ProtocolError);
    });

    it('stats entries and whole stats results', () => {
      assert.deepStrictEqual(c.normalizeDayStat({ year: 2016, month: 1, day: 2, energy_wh: 1500 }), { year: 2016, month: 1, day: 2, energy_wh: 1500, energy: 1.5 });
      assert.deepStrictEqual(c.normalizeMonthStat({ year: 2016, month: 1, energy: 0.0125 }), { year: 2016, month: 1, energy: 0.0125, energy_wh: 13 });
      const out = c.normalizeStats({ day_list: [{ year: 2016, month: 1, day: 1, energy: 2 }], err_code: 0 });
      assert.deepStrictEqual(out, { day_list: [{ year: 2016, month: 1, day: 1, energy: 2, energy_wh: 2000 }], err_code: 0 });
      // The namespace exposes the same functions.
      assert.strictEqual(emeter.normalizeRealtime, c.normalizeRealtime);
    });
  });

  describe('outlets (context)', () => {
    const DEV = '8006ABCDEF0123456789ABCDEF0123456789ABCD';
    const fullSys = { deviceId: DEV, children: [0, 1, 2, 3, 4, 5].map((i) => ({ id: `${DEV}0${i}`, state: 0, alias: `p${i}` })) };
    const shortSys = { deviceId: DEV, children: [{ id: '00' }, { id: '01' }, { id: '02' }] };

    it('withContext adds a top-level context and leaves the command untouched', () => {
      const cmd = emeter.getRealtime();
      const ctx = c.withContext(cmd, [`${DEV}00`]);
      assert.deepStrictEqual(ctx.request, { context: { child_ids: [`${DEV}00`] }, emeter: { get_realtime: {} } });
      assert.deepStrictEqual(cmd.request, { emeter: { get_realtime: {} } });
      assert.strictEqual(ctx.module, 'emeter');
      assert.strictEqual(ctx.method, 'get_realtime');
      assert.strictEqual(c.withContext(system.reset(), ['A1']).destructive, true);
      invalid(() => c.withContext(cmd, []), 'child_ids');
      invalid(() => c.withContext(cmd, ['bad id']), 'child_ids[0]');
      invalid(() => c.withContext(cmd, 'AB00'), 'child_ids');
    });

    it('listOutlets completes short ids, reads index, alias and state, and skips entries without an id', () => {
      const sys = { deviceId: DEV, children: [{ id: '00', alias: 'A', state: 1 }, { id: `${DEV}01`, alias: 5, state: 0 }, { alias: 'no id' }, null] };
      assert.deepStrictEqual(c.listOutlets(sys), [
        { index: 0, id: `${DEV}00`, alias: 'A', on: true },
        { index: 1, id: `${DEV}01`, alias: '', on: false },
      ]);
      assert.deepStrictEqual(c.listOutlets({ relay_state: 1 }), []);
      assert.deepStrictEqual(c.listOutlets(null), []);
    });

    it('resolves indexes, numeric strings, short ids and full ids', () => {
      for (const sys of [fullSys, shortSys]) {
        assert.strictEqual(c.resolveChildId(sys, 0), `${DEV}00`);
        assert.strictEqual(c.resolveChildId(sys, 2), `${DEV}02`);
        assert.strictEqual(c.resolveChildId(sys, '1'), `${DEV}01`);
        assert.strictEqual(c.resolveChildId(sys, '01'), `${DEV}01`);
        assert.strictEqual(c.resolveChildId(sys, `${DEV}02`), `${DEV}02`);
        assert.strictEqual(c.resolveChildId(sys, `${DEV}02`.toLowerCase()), `${DEV}02`);
      }
    });

    it('unknown outlets and devices without outlets are errors naming outlet', () => {
      invalid(() => c.resolveChildId(fullSys, 6), 'outlet', /from 0 to 5/);
      invalid(() => c.resolveChildId(shortSys, '3'), 'outlet', /from 0 to 2/);
      invalid(() => c.resolveChildId(fullSys, -1), 'outlet');
      invalid(() => c.resolveChildId(fullSys, 1.5), 'outlet');
      invalid(() => c.resolveChildId(fullSys, `${DEV}09`), 'outlet');
      invalid(() => c.resolveChildId(fullSys, null), 'outlet');
      invalid(() => c.resolveChildId({ deviceId: DEV, relay_state: 1 }, 0), 'outlet', /no outlets/);
      invalid(() => c.resolveChildId({ deviceId: DEV, children: [] }, 0), 'outlet', /no outlets/);
      invalid(() => c.resolveChildId(null, 0), 'outlet', /no outlets/);
      invalid(() => c.resolveChildId({ children: [{ id: '00' }] }, 0), 'sysinfo.deviceId');
    });
  });

  describe('checkReply / resultOf', () => {
    it('returns the method result on success', () => {
      const cmd = system.setRelayState(true);
      assert.deepStrictEqual(c.resultOf(cmd, { system: { set_relay_state: { err_code: 0 } } }), { err_code: 0 });
      const add = schedule.addRule(SCHEDULE_ADD.schedule.add_rule);
      assert.deepStrictEqual(c.resultOf(add, { schedule: { add_rule: { id: SCHED_ID, err_code: 0 }, set_overall_enable: { err_code: 0 } } }), { id: SCHED_ID, err_code: 0 });
    });

    it('module-level err_code -1 (module not support)', () => {
      assert.throws(() => c.resultOf(emeter.getRealtime(), { emeter: { err_code: -1, err_msg: 'module not support' } }), (err) => {
        assert.ok(err instanceof DeviceError);
        assert.strictEqual(err.kind, 'device');
        assert.deepStrictEqual([err.module, err.method, err.errCode, err.errMsg], ['emeter', 'get_realtime', -1, 'module not support']);
        return true;
      });
    });

    it('method-level err_code -1, -2 and -14', () => {
      for (const [code, msg, cmd] of [[-1, 'module not support', emeter.getRealtime()], [-2, 'member not support', system.reboot()], [-14, 'entry not exist', schedule.deleteRule(SCHED_ID)]]) {
        const reply = { [cmd.module]: { [cmd.method]: { err_code: code, err_msg: msg } } };
        assert.throws(() => c.resultOf(cmd, reply), (err) => err instanceof DeviceError && err.errCode === code && err.method === cmd.method && err.message.includes(msg));
      }
    });

    it('a multi-method reply where one method failed', () => {
      const add = schedule.addRule(SCHEDULE_ADD.schedule.add_rule);
      const reply = { schedule: { add_rule: { id: SCHED_ID, err_code: 0 }, set_overall_enable: { err_code: -3, err_msg: 'invalid argument' } } };
      assert.throws(() => c.resultOf(add, reply), (err) => err instanceof DeviceError && err.method === 'set_overall_enable' && err.errCode === -3);
      const del = schedule.deleteAllRules();
      assert.throws(() => c.checkReply(del.request, { schedule: { delete_all_rules: { err_code: 0 }, erase_runtime_stat: { err_code: -2, err_msg: 'member not support' } } }),
        (err) => err instanceof DeviceError && err.method === 'erase_runtime_stat' && err.errCode === -2);
      const two = { system: { get_sysinfo: {} }, emeter: { get_realtime: {} } };
      assert.throws(() => c.checkReply(two, { system: { get_sysinfo: { err_code: 0 } }, emeter: { err_code: -1, err_msg: 'module not support' } }),
        (err) => err instanceof DeviceError && err.module === 'emeter');
    });

    it('accepts the bare set_overall_enable answer; a context is not expected back', () => {
      const at = antitheft.addRule(ANTITHEFT_ADD.anti_theft.add_rule);
      assert.deepStrictEqual(c.resultOf(at, { anti_theft: { add_rule: { id: AT_ID, err_code: 0 }, set_overall_enable: 0 } }), { id: AT_ID, err_code: 0 });
      const ctx = c.withContext(system.setRelayState(true), ['AB00']);
      assert.deepStrictEqual(c.resultOf(ctx, { system: { set_relay_state: { err_code: 0 } } }), { err_code: 0 });
    });

    it('missing or malformed answers are protocol errors', () => {
      const cmd = system.getSysinfo();
      for (const reply of [null, 'x', [], {}, { system: {} }, { system: 5 }]) {
        assert.throws(() => c.resultOf(cmd, reply), ProtocolError, JSON.stringify(reply));
      }
    });
  });
});
