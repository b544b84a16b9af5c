'use strict';
// Discovery on UDP 20002: the probe's bytes (header, CRC-32, RSA key payload),
// the parsing of the recorded answer layouts, and a real probe over a UDP
// socket on 127.0.0.1 answered by the KLAP simulator.
const assert = require('assert');
const crypto = require('crypto');
const dgram = require('dgram');
const d = require('../nodes/core/discovery-20002');
const { KlapPlugSimulator } = require('../nodes/simulator');

const HOST = '127.0.0.1';
const answer = (result, extra = {}) => Buffer.concat([Buffer.alloc(16), Buffer.from(JSON.stringify({ error_code: 0, result, ...extra }))]);

describe('discovery on 20002: the probe', () => {
  it('CRC-32 is zlib\'s', () => {
    assert.strictEqual(d.crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.strictEqual(d.crc32(Buffer.alloc(0)), 0);
  });

  it('has the 16-byte header and a CRC over header and payload computed with 0x5A6B7C8D in its place', () => {
    const probe = d.buildProbe20002();
    assert.strictEqual(probe[0], 2); // version
    assert.strictEqual(probe[1], 0); // msg_type
    assert.strictEqual(probe.readUInt16BE(2), 1); // op_code
    assert.strictEqual(probe.readUInt16BE(4), probe.length - 16); // payload length
    assert.strictEqual(probe[6], 0x11); // flags
    assert.strictEqual(probe[7], 0); // padding
    const copy = Buffer.from(probe);
    copy.writeUInt32BE(0x5a6b7c8d, 12);
    assert.strictEqual(probe.readUInt32BE(12), d.crc32(copy));
    assert.ok(d.unframe20002(probe));
    const bad = Buffer.from(probe);
    bad[20] ^= 1;
    assert.strictEqual(d.unframe20002(bad), null);
  });

  it('carries a PEM RSA public key, the same one for every probe of the process', () => {
    const a = JSON.parse(d.buildProbe20002().subarray(16).toString());
    const b = JSON.parse(d.buildProbe20002().subarray(16).toString());
    assert.match(a.params.rsa_key, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.strictEqual(a.params.rsa_key, b.params.rsa_key);
    const key = crypto.createPublicKey(a.params.rsa_key);
    assert.strictEqual(key.asymmetricKeyType, 'rsa');
    assert.strictEqual(key.asymmetricKeyDetails.modulusLength, 1024);
  });

  it('the random bytes differ between probes', () => {
    assert.notDeepStrictEqual(d.buildProbe20002().subarray(8, 12), d.buildProbe20002().subarray(8, 12));
  });
});

describe('discovery on 20002: parsing the recorded answers', () => {
  const base = { device_id: 'ABCDEF0123', ip: '192.0.2.7', mac: '50-c7-bf-01-02-03' };
  it('HS100(UK) 4.1/1.1.0: IOT over KLAP v1', () => {
    const r = d.parseAnswer20002(answer({ ...base, device_type: 'IOT.SMARTPLUGSWITCH', device_model: 'HS100(UK)',
      mgt_encrypt_schm: { encrypt_type: 'KLAP', http_port: 80, is_support_https: false } }), HOST);
    assert.deepStrictEqual({ ...r, result: undefined }, {
      host: HOST, model: 'HS100(UK)', deviceId: 'ABCDEF0123', mac: '50:C7:BF:01:02:03', deviceType: 'IOT.SMARTPLUGSWITCH',
      protocol: 'klap', dialect: 'iot', klapVersion: 1, httpPort: 80, needsAuth: true, result: undefined,
    });
  });
  it('HS300(US) 2.0/1.1.2 (new_klap): IOT over KLAP v2', () => {
    const r = d.parseAnswer20002(answer({ ...base, device_type: 'IOT.SMARTPLUGSWITCH', device_model: 'HS300(US)',
      mgt_encrypt_schm: { ANS: false, encrypt_type: 'KLAP', http_port: 80, is_support_https: false, lv: 2, new_klap: 1 } }), HOST);
    assert.strictEqual(r.klapVersion, 2);
    assert.strictEqual(r.dialect, 'iot');
  });
  it('P110(UK) 1.3.0: SMART over KLAP v2', () => {
    const r = d.parseAnswer20002(answer({ ...base, device_type: 'SMART.TAPOPLUG', device_model: 'P110(UK)',
      mgt_encrypt_schm: { encrypt_type: 'KLAP', http_port: 80, is_support_https: false, lv: 2 } }), HOST);
    assert.strictEqual(r.dialect, 'smart');
    assert.strictEqual(r.protocol, 'klap');
    assert.strictEqual(r.klapVersion, 2);
  });
  it('SMART over AES: no klapVersion; http_port wins over 80', () => {
    const r = d.parseAnswer20002(answer({ ...base, device_type: 'SMART.KASAPLUG', device_model: 'KP125M(US)',
      mgt_encrypt_schm: { encrypt_type: 'AES', http_port: 8080, is_support_https: false } }), HOST);
    assert.strictEqual(r.protocol, 'aes');
    assert.strictEqual(r.klapVersion, undefined);
    assert.strictEqual(r.httpPort, 8080);
  });
  for (const [label, msg, reason] of [
    ['too short', Buffer.alloc(16), /no payload/],
    ['not JSON', Buffer.concat([Buffer.alloc(16), Buffer.from('{oops')]), /not JSON/],
    ['no result', answer(undefined), /no result/],
    ['an error code', answer(base, { error_code: -1 }), /error_code -1/],
    ['a bulb', answer({ ...base, device_type: 'SMART.TAPOBULB', mgt_encrypt_schm: { encrypt_type: 'KLAP' } }), /not a plug/],
    ['an unknown type', answer({ ...base, device_type: 'CAMERA', mgt_encrypt_schm: { encrypt_type: 'KLAP' } }), /unknown device_type/],
    ['an unknown encryption', answer({ ...base, device_type: 'SMART.TAPOPLUG', mgt_encrypt_schm: { encrypt_type: 'TPAP' } }), /unknown encrypt_type/],
    ['a bad port', answer({ ...base, device_type: 'SMART.TAPOPLUG', mgt_encrypt_schm: { encrypt_type: 'KLAP', http_port: 70000 } }), /bad http_port/],
  ]) {
    it(`rejects ${label} with a reason, never throws`, () => {
      const r = d.parseAnswer20002(msg, HOST);
      assert.match(r.reason, reason);
      assert.strictEqual(r.host, HOST);
    });
  }
});

describe('discovery on 20002: over a real UDP socket (127.0.0.1)', () => {
  const sims = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });

  for (const [model, version] of [['hs100-klap', 1], ['kp115-klap', 2], ['hs300-klap', 2]]) {
    it(`the ${model} simulator answers with its model, id, mac, HTTP port and KLAP v${version}`, async () => {
      const sim = await KlapPlugSimulator.start({ model, host: HOST, port: 0 });
      sims.push(sim);
      const seen = [];
      const { devices, rejected } = await d.discover20002({ broadcast: HOST, port: sim.discoveryPort, timeout: 400, onDevice: (x) => seen.push(x) });
      assert.deepStrictEqual(rejected, []);
      assert.strictEqual(devices.length, 1);
      const dev = devices[0];
      assert.deepStrictEqual(seen, devices);
      assert.strictEqual(dev.host, HOST);
      assert.strictEqual(dev.model, sim.spec.model);
      assert.strictEqual(dev.deviceId, sim.device.deviceId);
      assert.strictEqual(dev.mac, sim.device.mac);
      assert.strictEqual(dev.httpPort, sim.port);
      assert.strictEqual(dev.klapVersion, version);
      assert.strictEqual(dev.dialect, 'iot');
      assert.strictEqual(dev.needsAuth, true);
      assert.match(dev.result.mac, /^([0-9A-F]{2}-){5}[0-9A-F]{2}$/);
      assert.strictEqual(sim.probesAnswered, 1);
    });
  }

  it('the simulator stays silent for a probe with a bad CRC and answers a good one with a valid header', async () => {
    const sim = await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, port: 0 });
    sims.push(sim);
    const sock = dgram.createSocket('udp4');
    const got = [];
    sock.on('message', (m) => got.push(m));
    await new Promise((r) => sock.bind(0, HOST, r));
    const bad = d.buildProbe20002();
    bad[bad.length - 1] ^= 1;
    sock.send(bad, sim.discoveryPort, HOST);
    sock.send(d.buildProbe20002(), sim.discoveryPort, HOST);
    await new Promise((r) => setTimeout(r, 300));
    sock.close();
    assert.strictEqual(got.length, 1);
    assert.strictEqual(sim.probesAnswered, 1);
    const payload = d.unframe20002(got[0]);
    assert.ok(payload, 'the answer has a valid header and CRC');
    assert.strictEqual(JSON.parse(payload.toString()).result.device_type, 'IOT.SMARTPLUGSWITCH');
  });

  it('collects a garbage answer as rejected, with its sender', async () => {
    const junk = dgram.createSocket('udp4');
    await new Promise((r) => junk.bind(0, HOST, r));
    junk.on('message', (msg, from) => junk.send(Buffer.from('not a tp-link answer'), from.port, from.address));
    const res = await d.discover20002({ broadcast: HOST, port: junk.address().port, timeout: 300 });
    junk.close();
    assert.strictEqual(res.devices.length, 0);
    assert.strictEqual(res.rejected.length, 1);
    assert.strictEqual(res.rejected[0].host, HOST);
    assert.match(res.rejected[0].reason, /not JSON/);
  });
});
