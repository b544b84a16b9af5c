'use strict';
// The node suites against KLAP firmware (TPLINK_TEST_PROTOCOL=klap, `npm run
// test:klap`): each legacy model a test asks for runs behind a real KlapServer
// (real HTTP, handshakes, AES) with the same device logic, as the firmware that
// closed port 9999 does: hash v1 for an hs100 (the 2020 UK wave), v2 (new_klap)
// for the rest. The sim keeps the legacy simulator's face the tests use:
// .device, .requests, .port, .setFault(), .restart(), connection counters.
const { KlapPlugSimulator, findModel } = require('../../nodes/simulator');
const { FaultPlan } = require('../../nodes/simulator/faults');
const { mirrorError } = require('../../nodes/simulator/replies');

const PROTOCOL = String(process.env.TPLINK_TEST_PROTOCOL || 'legacy').toLowerCase();
if (PROTOCOL !== 'legacy' && PROTOCOL !== 'klap') throw new Error(`TPLINK_TEST_PROTOCOL must be legacy or klap, got "${PROTOCOL}"`);
const KLAP = PROTOCOL === 'klap';

/** The owner account of every KLAP test plug (given to the nodes through the credential store). */
const ACCOUNT = Object.freeze({ username: 'Owner@Example.com', password: 'Case Sensitive Pass 1' });

function klapSpecOf(model) {
  const legacy = findModel(model);
  const v1 = /^hs100$/i.test(model); // the 2020 UK HS100 hw 4.1 wave kept the v1 hash
  const encryptScheme = v1
    ? { encrypt_type: 'KLAP', is_support_https: false }
    : { ANS: false, encrypt_type: 'KLAP', is_support_https: false, lv: 2, new_klap: 1 };
  return { ...legacy, name: `${String(model).toLowerCase()}-klap`, klap: { hashVersion: v1 ? 1 : 2, encryptScheme } };
}

/** A legacy model's device logic behind KLAP. */
class KlapTestSim extends KlapPlugSimulator {
  constructor(model) {
    super({ model: klapSpecOf(model), username: ACCOUNT.username, password: ACCOUNT.password, discoveryPort: null });
    this.faults = new FaultPlan();
  }

  static async start(model) {
    const sim = new KlapTestSim(model);
    await sim.listen();
    return sim;
  }

  get hashVersion() { return this.server.hashVersion; }
  get connectionsOpened() { return this.server.connectionsOpened; }
  get activeConnections() { return this.server.activeConnections; }
  get peakConnections() { return this.server.peakConnections; }

  /**
   * The legacy faults the node suites use: err-code and wrong-shape change the
   * JSON inside the encrypted reply; stall is the KLAP server's (handled, never
   * answered). A wire fault of the 9999 framing has no KLAP meaning: refused loudly.
   */
  setFault(f) {
    const type = f && (typeof f === 'string' ? f : f.type);
    if (f === null) {
      this.faults.set(null);
      this.server.setFault(null);
    } else if (type === 'stall') {
      this.server.setFault({ type: 'stall', times: f.times });
    } else if (type === 'err-code' || type === 'wrong-shape') {
      this.faults.set(f);
    } else {
      throw new Error(`legacy fault "${type}" has no KLAP equivalent in this harness`);
    }
  }

  /** A reboot as a client sees it: connections and sessions gone, same port and state. */
  async restart() {
    await super.stop();
    this.server.dropSessions();
    await this.listen();
  }

  // The KlapServer hands every decrypted request here (KlapPlugSimulator's handler).
  handle(text) {
    const fault = this.faults.current && this.faults.take('tcp');
    if (!fault) return super.handle(text);
    if (fault.type === 'wrong-shape') {
      super.handle(text); // the device acted; the answer is what is wrong
      return JSON.stringify(fault.body !== undefined ? fault.body : { foo: 1 });
    }
    const request = JSON.parse(text);
    this.requests.push(request);
    return JSON.stringify(mirrorError(request, fault.code, fault.msg));
  }
}

/** Ports of the KLAP test sims started (a stopped one may be restarted on its port). */
const ports = new Set();

async function startKlapSim(model) {
  const sim = await KlapTestSim.start(model);
  ports.add(sim.port);
  return sim;
}

function klapSimAt(port) {
  return ports.has(Number(port));
}

/**
 * A flow (and credentials by node id) as the test wrote it, made to speak KLAP:
 * each tplink-device aimed at a running KLAP sim gets protocol "klap" (unless the
 * test chose one) and the account in the credentials (unless the test gave some).
 */
function klapFlow(flow, credentials = {}) {
  const creds = { ...credentials };
  const nodes = flow.map((n) => {
    if (!n || n.type !== 'tplink-device' || !(klapSimAt(n.port) || n.protocol === 'klap')) return n;
    if (!creds[n.id]) creds[n.id] = { ...ACCOUNT };
    return n.protocol ? n : { ...n, protocol: 'klap' };
  });
  return { flow: nodes, credentials: creds };
}

module.exports = { KLAP, PROTOCOL, ACCOUNT, KlapTestSim, startKlapSim, klapFlow, klapSimAt };
