// Config node `tplink-device`: one physical device. It owns the device's single
// client, opened when the first user node needs it and closed when the last one
// deregisters, as the core MQTT broker config node does.

import type { NodeAPI, Node } from 'node-red';
import type { DeviceConfigDef, DeviceConfigNode } from './common/device-node';
import { DeviceClient } from './core/client';
import { ValidationError } from './core/errors';
import { JsonObject, resultOf } from './core/commands/command';
import { withContext, resolveChildId } from './core/commands/context';
import * as system from './core/commands/system';

const SYSINFO_TTL_MS = 60_000;

function num(v: unknown, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export = function (RED: NodeAPI) {
  function TplinkDeviceNode(this: DeviceConfigNode, config: DeviceConfigDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.host = String(config.host || '').trim();
    node.port = num(config.port, 9999);
    node.timeout = num(config.timeout, 5000);
    node.transport = config.transport === 'udp' ? 'udp' : 'tcp';
    node.queueLimit = num(config.queueLimit, 1000);

    const users = new Set<Node>();
    let client: DeviceClient | null = null;
    let cached: { at: number; sysinfo: JsonObject } | null = null;

    function getClient(): DeviceClient {
      if (!node.host) throw new ValidationError('host', 'the device address set in the tplink-device config node');
      if (!client) {
        client = new DeviceClient({
          host: node.host,
          port: node.port,
          timeout: node.timeout,
          transport: node.transport,
          maxQueue: node.queueLimit,
        });
      }
      return client;
    }

    node.register = (user) => {
      users.add(user);
    };

    node.deregister = (user) => {
      users.delete(user);
      if (users.size === 0 && client) {
        const c = client;
        client = null;
        void c.close();
      }
    };

    node.send = async (request) => (await getClient().send(request)) as JsonObject;

    node.sysinfo = async (fresh = false) => {
      if (!fresh && cached && Date.now() - cached.at < SYSINFO_TTL_MS) return cached.sysinfo;
      const result = await getClient().run(system.getSysinfo());
      cached = { at: Date.now(), sysinfo: result };
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
          sys = await node.sysinfo(true); // the strip may have been swapped; look again once
          id = resolveChildId(sys, outlet);
        }
        command = withContext(cmd, [id]);
      }
      const reply = (await getClient().send(command.request)) as JsonObject;
      const result = resultOf(command, reply);
      return { result, reply, command };
    };

    node.info = () => ({
      host: node.host,
      port: node.port,
      alias: cached && typeof cached.sysinfo.alias === 'string' ? cached.sysinfo.alias : node.name || '',
    });

    node.on('close', (_removed: boolean, done: () => void) => {
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
