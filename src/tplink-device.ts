// Config node `tplink-device`: one physical device. It reads its settings and
// hands the device to a core DeviceSession (src/core/device-session.ts), which
// owns the single client (opened when the first user node needs it and closed
// when the last one deregisters, as the core MQTT broker config node does), the
// sysinfo cache, outlets and, for a device bound by MAC or deviceId, its address.

import type { NodeAPI } from 'node-red';
import type { DeviceConfigDef, DeviceConfigNode } from './common/device-node';
import { DeviceSession } from './core/device-session';
import { Connector } from './core/connection';
import { AddressResolver } from './core/address-resolver';
import { registerAdminRoutes } from './common/admin-routes';
import { broadcastParam, deviceIdParam, macParam } from './common/net-params';
import { migrate } from './common/migrate';
import { accountSettings, AccountSettings, DeviceSettings, deviceSettings, numberSetting } from './common/settings';

/** The resolver for a MAC/deviceId binding, or null for a plain address; throws on a bad binding. */
function bindingOf(config: DeviceConfigDef, timeout: number): AddressResolver | null {
  const by = config.findBy;
  if (by !== 'mac' && by !== 'deviceId') return null;
  const value = by === 'mac' ? macParam(config.mac, 'mac') : deviceIdParam(config.deviceId, 'deviceId');
  return new AddressResolver({
    by,
    value,
    broadcast: broadcastParam(config.broadcast),
    port: numberSetting('discoveryPort', config.discoveryPort, 'discoveryPort', 9999),
    port20002: numberSetting('discoveryPort', config.discoveryPort20002, 'discoveryPort20002', 20002),
    timeout: Math.min(timeout, 10_000),
  });
}

export = function (RED: NodeAPI) {
  registerAdminRoutes(RED);

  function TplinkDeviceNode(this: DeviceConfigNode, saved: DeviceConfigDef) {
    RED.nodes.createNode(this, saved);
    const node = this;
    const config = migrate('tplink-device', saved);
    let settingsError: unknown = null;
    let settings: DeviceSettings = { host: '', protocol: 'legacy', port: undefined, timeout: 5000, queueLimit: 1000 };
    let account: AccountSettings | undefined;
    try {
      settings = deviceSettings(config);
      // From Node-RED's credential store (registerType's `credentials`), never the flow.
      account = accountSettings(node.credentials as { username?: unknown; password?: unknown } | undefined);
    } catch (err) {
      settingsError = err; // reported on each use, like a bad binding
      node.error((err as Error).message);
    }
    node.host = settings.host;
    node.timeout = settings.timeout;
    node.protocol = settings.protocol;
    node.transport = config.transport === 'udp' ? 'udp' : 'tcp';
    // protocol 'smart' (Tapo, SMART Kasa): the SMART dialect over KLAP or AES; every other protocol carries IOT.
    node.dialect = settings.protocol === 'smart' ? 'smart' : 'iot';
    node.queueLimit = settings.queueLimit;
    node.findBy = config.findBy === 'mac' || config.findBy === 'deviceId' ? config.findBy : 'host';

    let resolver: AddressResolver | null = null;
    let bindError: unknown = settingsError;
    try {
      if (!bindError) resolver = bindingOf(config, node.timeout);
    } catch (err) {
      bindError = err; // reported on each use, like a missing host
    }

    // Builds the clients and remembers, for the life of this node, what answered `auto`.
    const connector = new Connector(
      { protocol: settings.protocol, transport: node.transport, port: settings.port, credentials: account },
      { timeout: node.timeout, maxQueue: node.queueLimit },
    );
    account = undefined; // the connector holds it now, privately

    const session = new DeviceSession({
      host: node.host, port: connector.port, timeout: node.timeout, createClient: connector.createClient, resolver, bindError, protocolFound: () => connector.found(), dialect: node.dialect,
    });
    node.session = session;
    // The address the session uses now (a bound device's is found by discovery).
    Object.defineProperty(node, 'host', { get: () => session.host, enumerable: true, configurable: true });
    // The port that answered (auto on a KLAP device: 80), else the first one tried.
    const portInUse = (): number => connector.found()?.port ?? session.port;
    Object.defineProperty(node, 'port', { get: portInUse, enumerable: true, configurable: true });

    node.register = (user) => session.attach(user);
    node.deregister = (user) => session.detach(user);
    node.request = (request) => session.request(request);
    node.sysinfo = (fresh = false) => session.sysinfo(fresh);
    node.run = (cmd, outlet) => session.run(cmd, outlet);
    node.probe = () => session.probe();
    node.info = () => ({
      host: session.host,
      port: portInUse(),
      alias: session.alias ?? node.name ?? '',
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      session.close().then(() => done(), done);
    });
  }

  RED.nodes.registerType('tplink-device', TplinkDeviceNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    // The account lives in Node-RED's credential store (flows_cred), never in the flow.
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  } as unknown as Parameters<NodeAPI['nodes']['registerType']>[2]);
};
