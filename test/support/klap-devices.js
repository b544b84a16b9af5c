'use strict';
// KLAP devices for the reliability suites: a simulated KLAP plug with an owner
// account, the tplink-device settings and credentials that select it, and
// whether this build's config node reads `protocol` at all (until it does, the
// Node-RED-level KLAP suites are pending, and the same scenarios run through
// DeviceSession/DeviceClient instead).
const { KlapPlugSimulator } = require('../../nodes/simulator');
const { DeviceClient } = require('../../nodes/core/client');
const { DeviceSession } = require('../../nodes/core/device-session');

const KLAP_ACCOUNT = Object.freeze({ username: 'reliability@example.com', password: 'Reliab1lity-Pass' });

/** Whether tplink-device reads a `protocol` setting (KLAP devices in flows). */

/** A KLAP plug on 127.0.0.1 (no 20002 responder) with the test account. */
function startKlapDevice(model = 'kp115-klap', extra = {}) {
  return KlapPlugSimulator.start({ model, host: '127.0.0.1', port: 0, discoveryPort: null, ...KLAP_ACCOUNT, ...extra });
}

/** tplink-device settings for a KLAP device (`id` dev), and its credentials entry for helper.load. */
function klapDeviceNode(sim, extra = {}) {
  return { id: 'dev', type: 'tplink-device', name: 'klap', host: '127.0.0.1', port: sim.port, protocol: 'klap', timeout: 2000, ...extra };
}
const klapCredentials = (id = 'dev') => ({ [id]: { ...KLAP_ACCOUNT } });

/** The core path a config node takes: a DeviceSession whose client speaks KLAP. */
function klapSession(sim, { timeout = 2000, maxQueue } = {}) {
  const clients = [];
  const session = new DeviceSession({
    host: '127.0.0.1', port: sim.port, timeout,
    createClient: (host, port) => {
      const c = new DeviceClient({ host, port, timeout, transport: 'klap', credentials: { ...KLAP_ACCOUNT }, maxQueue });
      clients.push(c);
      return c;
    },
  });
  session.attach(session); // a user, as a flow node would be
  return { session, clients };
}

module.exports = { KLAP_ACCOUNT, startKlapDevice, klapDeviceNode, klapCredentials, klapSession };
