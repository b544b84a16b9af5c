// Types of the tplink-device config node, shared by every node that uses it
// (kept apart because a Node-RED module file can only `export =` its registrar).

import type { Node, NodeDef } from 'node-red';
import type { Command, JsonObject } from '../core/commands/command';
import type { DeviceSession } from '../core/device-session';
import type { Protocol } from '../core/connection';

export interface DeviceConfigDef extends NodeDef {
  host: string;
  port: string | number;
  timeout: string | number;
  transport: string;
  /** 'auto' (new nodes), 'legacy' (flows saved before it existed), 'klap', or 'smart' (Tapo / SMART Kasa: SMART dialect over KLAP or AES) */
  protocol?: string;
  queueLimit?: string | number;
  /** how the device is found: 'host' (default), 'mac' or 'deviceId' (by discovery) */
  findBy?: string;
  mac?: string;
  deviceId?: string;
  /** where discovery probes go when bound by MAC/deviceId (default 255.255.255.255) */
  broadcast?: string;
  discoveryPort?: string | number;
  /** where the 20002 probe goes when bound by MAC/deviceId (default 20002) */
  discoveryPort20002?: string | number;
}

export interface DeviceInfo {
  host: string;
  port: number;
  alias: string;
}

export interface DeviceConfigNode extends Node {
  host: string;
  port: number;
  timeout: number;
  /** legacy: 'tcp' or 'udp' */
  transport: 'tcp' | 'udp';
  protocol: Protocol;
  /** 'iot' (Kasa JSON) or 'smart' (Tapo JSON) */
  dialect: 'iot' | 'smart';
  queueLimit: number;
  findBy: 'host' | 'mac' | 'deviceId';
  /** The core session behind this node: outlets, raw requests, address. */
  session: DeviceSession;
  register(user: Node): void;
  deregister(user: Node): void;
  /** Sends a command (to an outlet when `outlet` is given) and returns the method result. */
  run(cmd: Command, outlet?: unknown): Promise<{ result: JsonObject; reply: JsonObject; command: Command }>;
  /** Sends a raw request object (checked by core/raw-request.ts); resolves with the whole reply. */
  request(request: JsonObject): Promise<JsonObject>;
  /** get_sysinfo, cached for a few seconds unless `fresh`. */
  sysinfo(fresh?: boolean): Promise<JsonObject>;
  info(): DeviceInfo;
  /** Fresh get_sysinfo for the editor; opens no lasting connection when no node uses the device. */
  probe(): Promise<JsonObject>;
}
