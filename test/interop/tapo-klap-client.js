'use strict';
// Child process of test/interop-tapo-klap.test.js: tp-link-tapo-connect (npm,
// written by others) drives a simulated Tapo device at 127.0.0.1:PORT through
// its KLAP transport (the one it tries first). Credentials come from the
// environment, never the command line. Prints one JSON line.
const { loginDeviceByIp } = require('tp-link-tapo-connect');

(async () => {
  const target = process.argv[2];
  const strip = process.argv[3] === 'strip';
  const device = await loginDeviceByIp(process.env.TAPO_TEST_USER, process.env.TAPO_TEST_PASS, target);
  const out = { ok: true };
  if (!strip) {
    // A strip's own relay is its outlets': only plugs are switched as a whole.
    await device.turnOn();
    const on = await device.getDeviceInfo();
    out.info = { device_on: on.device_on, nickname: on.nickname, model: on.model, mac: on.mac };
    await device.turnOff();
    out.offAfter = (await device.getDeviceInfo()).device_on;
  } else out.info = { model: (await device.getDeviceInfo()).model };
  if (strip) {
    const children = await device.getChildDevicesInfo();
    out.children = children.map((c) => ({ id: c.device_id, position: c.position, nickname: c.nickname }));
    await device.turnOn(children[1].device_id);
    out.childrenAfter = (await device.getChildDevicesInfo()).map((c) => c.device_on);
  } else {
    const e = await device.getEnergyUsage();
    out.energy = { today_energy: e.today_energy, month_energy: e.month_energy, current_power: e.current_power };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
})().catch((err) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err && err.message) })}\n`);
  process.exitCode = 1;
});
