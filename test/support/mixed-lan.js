'use strict';
// A mixed LAN on 127.0.0.1 for discovery tests: legacy plugs (and a garbage
// answerer) behind one port standing in for the 9999 broadcast, KLAP plugs and
// SMART answerers (KLAP and AES) behind another standing in for the 20002 one.
const { SimulatorNetwork, KlapPlugSimulator, UdpFanOut } = require('../../nodes/simulator');
const { SmartDevice, SmartDiscoveryResponder } = require('../../nodes/simulator/smart');

const HOST = '127.0.0.1';
const USER = 'owner@example.com';
const PASS = 'Secret-1';

/** Legacy plugs on one "broadcast" port, KLAP and SMART answerers behind another: a mixed LAN on loopback. */
async function mixedLan() {
  const legacy = await SimulatorNetwork.start({
    host: HOST, discoveryPort: 0,
    devices: [{ model: 'hs110', alias: 'Kettle' }, { model: 'hs300', alias: 'Strip' }],
    extras: ['garbage'],
  });
  const klap = [
    await KlapPlugSimulator.start({ model: 'hs100-klap', host: HOST, username: USER, password: PASS }),
    await KlapPlugSimulator.start({ model: 'kp115-klap', host: HOST, username: USER, password: PASS }),
  ];
  const tapo = await SmartDiscoveryResponder.start({ device: new SmartDevice({ model: 'P110' }), httpPort: 18080 });
  const kasaAes = await SmartDiscoveryResponder.start({ device: new SmartDevice({ model: 'KP125M' }), httpPort: 18081 });
  const fan = await UdpFanOut.start([...klap, tapo, kasaAes]);
  return {
    legacy, klap, tapo, kasaAes, fan,
    ports: { port: legacy.discoveryPort, port20002: fan.port },
    stop: () => Promise.all([legacy.stop(), ...klap.map((k) => k.stop()), tapo.stop(), kasaAes.stop(), fan.stop()]),
  };
}

module.exports = { mixedLan, USER, PASS };
