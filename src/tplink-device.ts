// Config node `tplink-device`: one physical device. It owns the device's single
// client, opened when the first user node needs it and closed when the last one
// deregisters, as the core MQTT broker config node does. A device bound by MAC or
// deviceId finds its address by discovery at first use and again after a
// connection failure (DHCP may have moved it).

import type { NodeAPI, Node } from 'node-red';
import type { DeviceConfigDef, DeviceConfigNode } from './common/device-node';
import { DeviceClient } from './core/client';
import { ClientClosedError, ValidationError, TplinkError } from './core/errors';
import { isObject, JsonObject, resultOf, timeoutFor } from './core/commands/command';
import { withContext, resolveChildId } from './core/commands/context';
import * as system from './core/commands/system';
import { AddressResolver } from './common/address-resolver';
import { registerAdminRoutes } from './common/admin-routes';
import { broadcastParam, deviceIdParam, macParam } from './common/net-params';
import { migrate } from './common/migrate';
import { deviceSettings, numberSetting } from './common/settings';

const SYSINFO_TTL_MS = 60_000;

/** Failures after which a bound device may have moved. */
function isConnectionFailure(err: unknown): boolean {
  const kind = err instanceof TplinkError ? err.kind : undefined;
  return kind === 'refused' || kind === 'unreachable' || kind === 'timeout';
}

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
    let settings = { host: '', port: 9999, timeout: 5000, queueLimit: 1000 };
    try {
      settings = deviceSettings(config);
    } catch (err) {
      settingsError = err; // reported on each use, like a bad binding
      node.error((err as Error).message);
    }
    node.host = settings.host;
    node.port = settings.port;
    node.timeout = settings.timeout;
    node.transport = config.transport === 'udp' ? 'udp' : 'tcp';
    node.queueLimit = settings.queueLimit;
    node.findBy = config.findBy === 'mac' || config.findBy === 'deviceId' ? config.findBy : 'host';

    const users = new Set<Node>();
    let client: DeviceClient | null = null;
    let cached: { at: number; sysinfo: JsonObject } | null = null;
    let alias: string | undefined; // the device's own name, as last seen or set
    let resolver: AddressResolver | null = null;
    let bindError: unknown = settingsError;
    let closed = false;
    try {
      if (!bindError) resolver = bindingOf(config, node.timeout);
    } catch (err) {
      bindError = err; // reported on each use, like a missing host
    }

    function newClient(host: string, port: number): DeviceClient {
      return new DeviceClient({ host, port, timeout: node.timeout, transport: node.transport, maxQueue: node.queueLimit });
    }

    /** Where the device is now: the configured address, or the bound device's discovered one. */
    async function address(): Promise<{ host: string; port: number }> {
      if (bindError) throw bindError;
      if (resolver) {
        const a = await resolver.resolve();
        if (!client) {
          node.host = a.host; // shown by info() and the editor
          node.port = a.port;
        }
        return { host: a.host, port: a.port };
      }
      if (!node.host) throw new ValidationError('host', 'the device address set in the tplink-device config node');
      return { host: node.host, port: node.port };
    }

    async function getClient(): Promise<DeviceClient> {
      if (client) return client;
      const a = await address();
      // Closed while discovery ran: don't open a client nobody will close.
      if (closed) throw new ClientClosedError(a.host, a.port);
      if (!client) {
        node.host = a.host;
        node.port = a.port;
        client = newClient(a.host, a.port);
      }
      return client;
    }

    function dropClient(c: DeviceClient): void {
      if (client === c) client = null;
      void c.close();
    }

    /**
     * Runs one exchange on the shared client. For a bound device a connection failure
     * forgets the address; when nothing was delivered (refused/unreachable) and the
     * device answers discovery somewhere else, the exchange is tried there once.
     */
    async function exchange<T>(fn: (c: DeviceClient) => Promise<T>): Promise<T> {
      const c = await getClient();
      try {
        return await fn(c);
      } catch (err) {
        if (!resolver || !isConnectionFailure(err)) throw err;
        resolver.invalidate();
        dropClient(c);
        // A timed-out request may have reached the device: never repeat it.
        if ((err as TplinkError).kind === 'timeout') throw err;
        let moved: DeviceClient;
        try {
          moved = await getClient();
        } catch {
          throw err; // the device answers nowhere: report the original failure
        }
        if (moved.host === c.host && moved.port === c.port) throw err;
        return fn(moved);
      }
    }

    node.register = (user) => {
      users.add(user);
    };

    node.deregister = (user) => {
      users.delete(user);
      if (users.size === 0 && client) dropClient(client);
    };

    /** A changed setting (alias, relay, LED …) makes the cached sysinfo stale. */
    function forgetChangedSysinfo(request: JsonObject): void {
      const sys = request.system;
      if (!isObject(sys) || !Object.keys(sys).some((m) => m.startsWith('set_'))) return;
      cached = null;
      const set = sys.set_dev_alias;
      if (!request.context && isObject(set) && typeof set.alias === 'string') alias = set.alias;
    }

    node.send = async (request) => {
      const reply = (await exchange((c) => c.send(request))) as JsonObject;
      forgetChangedSysinfo(request);
      return reply;
    };

    node.sysinfo = async (fresh = false) => {
      if (!fresh && cached && Date.now() - cached.at < SYSINFO_TTL_MS) return cached.sysinfo;
      const result = await exchange((c) => c.run(system.getSysinfo()));
      cached = { at: Date.now(), sysinfo: result };
      if (typeof result.alias === 'string') alias = result.alias;
      return result;
    };

    node.run = async (cmd, outlet) => {
      let command = cmd;
      if (outlet !== undefined && outlet !== null && outlet !== '') {
        let sys = await node.sysinfo();
        let id: string;
        try {
          id = resolveChildId(sys, outlet);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          sys = await node.sysinfo(true); // the strip may have been swapped; look again once
          id = resolveChildId(sys, outlet);
        }
        command = withContext(cmd, [id]);
      }
      const sent = command;
      const timeout = timeoutFor(sent, node.timeout);
      const reply = (await exchange((c) => c.send(sent.request, { timeout }))) as JsonObject;
      forgetChangedSysinfo(sent.request);
      const result = resultOf(sent, reply);
      return { result, reply, command: sent };
    };

    // For the editor: no connection is left open when no flow node uses the device.
    node.probe = async () => {
      if (client || users.size > 0) return node.sysinfo(true);
      const a = await address();
      const once = newClient(a.host, a.port);
      try {
        return await once.run(system.getSysinfo());
      } catch (err) {
        if (resolver && isConnectionFailure(err)) resolver.invalidate();
        throw err;
      } finally {
        void once.close();
      }
    };

    node.info = () => ({
      host: node.host,
      port: node.port,
      alias: alias ?? node.name ?? '',
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      users.clear();
      const c = client;
      client = null;
      cached = null;
      if (c) c.close().then(done, done);
      else done();
    });
  }

  RED.nodes.registerType('tplink-device', TplinkDeviceNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
