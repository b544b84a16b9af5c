// Config node `tplink-device`: one physical device. It reads its settings and
// hands the device to a core DeviceSession (src/core/device-session.ts), which
// owns the single client (opened when the first user node needs it and closed
// when the last one deregisters, as the core MQTT broker config node does), the
// sysinfo cache, outlets and, for a device bound by MAC or deviceId, its address.

import type { NodeAPI } from 'node-red';
import type { DeviceConfigDef, DeviceConfigNode } from './common/device-node';
import { DeviceClient } from './core/client';
import { DeviceSession } from './core/device-session';
import { AddressResolver } from './core/address-resolver';
import { registerAdminRoutes } from './common/admin-routes';
import { broadcastParam, deviceIdParam, macParam } from './common/net-params';
import { migrate } from './common/migrate';
import { deviceSettings, numberSetting } from './common/settings';

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
    let settings = { port: 9999, timeout: 5000, queueLimit: 1000 };
    try {
      settings = deviceSettings(config);
    } catch (err) {
      settingsError = err; // reported on each use, like a bad binding
      node.error((err as Error).message);
    }
    node.host = String(config.host || '').trim();
    node.port = settings.port;
    node.timeout = settings.timeout;
    // protocol 'smart' (Tapo, SMART Kasa): the SMART dialect over KLAP or AES on the
    // HTTP port (80 unless set), with the account from the credential store.
    const smart = config.protocol === 'smart';
    node.dialect = smart ? 'smart' : 'iot';
    if (smart && (config.port === undefined || String(config.port).trim() === '' || Number(config.port) === 9999)) settings.port = 80;
    node.port = settings.port;
    node.transport = smart ? 'smart' : config.transport === 'udp' ? 'udp' : 'tcp';
    node.queueLimit = settings.queueLimit;
    node.findBy = config.findBy === 'mac' || config.findBy === 'deviceId' ? config.findBy : 'host';

    let resolver: AddressResolver | null = null;
    let bindError: unknown = settingsError;
    try {
      if (!bindError) resolver = bindingOf(config, node.timeout);
    } catch (err) {
      bindError = err; // reported on each use, like a missing host
    }

    function newClient(host: string, port: number): DeviceClient {
      const creds = node.credentials as { username?: string; password?: string } | undefined;
      const credentials = smart && creds && (creds.username || creds.password) ? { username: creds.username ?? '', password: creds.password ?? '' } : undefined;
      return new DeviceClient({ host, port, timeout: node.timeout, transport: node.transport, maxQueue: node.queueLimit, credentials });
    }

    const session = new DeviceSession({ host: node.host, port: node.port, timeout: node.timeout, createClient: newClient, resolver, bindError, dialect: node.dialect });
    node.session = session;
    // The address the session uses now (a bound device's is found by discovery).
    Object.defineProperty(node, 'host', { get: () => session.host, enumerable: true, configurable: true });
    Object.defineProperty(node, 'port', { get: () => session.port, enumerable: true, configurable: true });

    node.register = (user) => session.attach(user);
    node.deregister = (user) => session.detach(user);
    node.request = (request) => session.request(request);
    node.sysinfo = (fresh = false) => session.sysinfo(fresh);
    node.run = (cmd, outlet) => session.run(cmd, outlet);
    node.probe = () => session.probe();
    node.info = () => ({
      host: session.host,
      port: session.port,
      alias: session.alias ?? node.name ?? '',
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      session.close().then(() => done(), done);
    });
  }

  RED.nodes.registerType('tplink-device', TplinkDeviceNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  } as never);
};
