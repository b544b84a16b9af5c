'use strict';
// Child process of test/interop-tapo-aes.test.js: tp-link-tapo-connect (npm,
// written by others) drives a device at 127.0.0.1:PORT. Its AES path decrypts
// the handshake key with privateDecrypt(RSA_PKCS1_PADDING), which current Node
// refuses unless started with --security-revert=CVE-2023-46809.
// Credentials come from the environment, never the command line. Prints one JSON line.
const { loginDeviceByIp } = require('tp-link-tapo-connect');

(async () => {
  const target = process.argv[2];
  const device = await loginDeviceByIp(process.env.TAPO_TEST_USER, process.env.TAPO_TEST_PASS, target);
  const steps = [];
  await device.turnOn();
  const onInfo = await device.getDeviceInfo();
  steps.push({ device_on: onInfo.device_on, nickname: onInfo.nickname, model: onInfo.model, mac: onInfo.mac });
  await device.turnOff();
  const offInfo = await device.getDeviceInfo();
  steps.push({ device_on: offInfo.device_on });
  process.stdout.write(`${JSON.stringify({ ok: true, steps })}\n`);
})().catch((err) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err && err.message) })}\n`);
  process.exitCode = 1;
});
