// Admin HTTP endpoints for the editor: discovery (the config dialog's Search
// button) and a device's outlet list (the outlet picker of the action nodes).
// Registered once per runtime; every route sits behind RED.auth.needsPermission,
// and anything that makes the runtime probe an address the user types needs
// the write permission, so a read-only editor user can't scan the LAN.

import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import type { DeviceConfigNode } from './device-node';
import { discover } from '../core/discovery';
import { Connector, ProtocolFound } from '../core/connection';
import { deviceSettings } from './settings';
import { DISCOVERY_20002_PORT } from '../core/discovery-20002';
import { DeviceSession } from '../core/device-session';
import { InFlight } from '../core/in-flight';
import { TplinkError, ValidationError } from '../core/errors';
import { isObject, JsonObject } from '../core/commands/command';
import { listOutlets } from '../core/commands/context';
import { checkRequestParams } from './request-body';
import { broadcastParam, hostParam, msParam, portParam, MAX_DISCOVERY_TIMEOUT_MS, MIN_DISCOVERY_TIMEOUT_MS } from './net-params';

export const ROUTE_PREFIX = '/tplink-smartplug';
const DISCOVERY_TIMEOUT_MS = 3000;
const PROBE_TIMEOUT_MS = 3000;
const MAX_PARALLEL_DISCOVERIES = 4;
/** Devices probed at once for outlet lists; requests for a device already being probed share it. */
const MAX_PARALLEL_PROBES = 4;

const registered = new WeakSet<object>();

function summary(sys: JsonObject, host: string, port: number, found: ProtocolFound | null): JsonObject {
  const out: JsonObject = {
    host,
    port: found ? found.port : port,
    alias: String(sys.alias ?? ''),
    model: String(sys.model ?? ''),
    outlets: listOutlets(sys) as unknown as JsonObject[],
  };
  // What answered (the dialog shows "found: KLAP (v2 hash)"): names and numbers, never an account.
  if (found) {
    out.protocol = { protocol: found.protocol, transport: found.transport, port: found.port };
    if (found.hashVersion !== undefined) (out.protocol as JsonObject).hashVersion = found.hashVersion;
    if (found.defaultAccount !== undefined) (out.protocol as JsonObject).defaultAccount = found.defaultAccount;
  }
  return out;
}

/** Query string first, then a JSON/form body. */
function param(req: Request, key: string): unknown {
  const q = req.query as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(q, key)) return q[key];
  const b = req.body as unknown;
  return isObject(b) && Object.prototype.hasOwnProperty.call(b, key) ? b[key] : undefined;
}

function fail(res: Response, err: unknown): void {
  if (err instanceof ValidationError) {
    res.status(400).json({ error: err.message, field: err.field });
  } else if (err instanceof TplinkError) {
    res.status(502).json({ error: err.message, kind: err.kind });
  } else {
    res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
  }
}

export function registerAdminRoutes(RED: NodeAPI): void {
  const app = RED.httpAdmin;
  if (!app || registered.has(app)) return;
  registered.add(app);
  let running = 0;

  // POST /tplink-smartplug/discover?broadcast=&port=&port20002=&timeout=  -> {devices, rejected}
  app.post(`${ROUTE_PREFIX}/discover`, RED.auth.needsPermission('tplink-device.write'), (req: Request, res: Response) => {
    let opts: { broadcast: string; port: number; port20002: number; timeout: number };
    try {
      // Before any default applies: a body that is not an object must not fall back to 255.255.255.255.
      checkRequestParams(req, ['broadcast', 'port', 'port20002', 'timeout']);
      opts = {
        broadcast: broadcastParam(param(req, 'broadcast')),
        port: portParam(param(req, 'port')),
        port20002: portParam(param(req, 'port20002'), DISCOVERY_20002_PORT, 'port20002'),
        timeout: msParam(param(req, 'timeout'), DISCOVERY_TIMEOUT_MS, MIN_DISCOVERY_TIMEOUT_MS, MAX_DISCOVERY_TIMEOUT_MS),
      };
    } catch (err) {
      fail(res, err);
      return;
    }
    // Each search holds a UDP socket for `timeout`: don't let a script pile them up.
    if (running >= MAX_PARALLEL_DISCOVERIES) {
      res.status(429).json({ error: 'too many searches running; try again in a few seconds' });
      return;
    }
    running++;
    discover(opts)
      .then(({ devices, rejected }) => {
        res.json({
          devices: devices.map((d) => ({
            host: d.host,
            port: d.port,
            alias: d.alias,
            aliasKnown: d.aliasKnown,
            model: d.model,
            mac: d.mac,
            deviceId: d.deviceId,
            outlets: d.outlets,
            children: d.sysinfo ? listOutlets(d.sysinfo) : [],
            protocol: d.protocol,
            transport: d.transport,
            dialect: d.dialect,
            needsAuth: d.needsAuth,
            httpPort: d.httpPort,
            klapVersion: d.klapVersion,
          })),
          rejected,
        });
      })
      .catch((err: unknown) => fail(res, new TplinkError('unreachable', `discovery failed: ${(err as Error).message}`)))
      .finally(() => {
        running--;
      });
  });

  // Each probe holds a connection to a device: one per device at a time, shared by
  // every request asking meanwhile, and a few devices at once (a read-only user
  // could otherwise open a connection to a plug per request).
  const probes = new InFlight<JsonObject>();
  function probeShared(res: Response, key: string, probe: () => Promise<JsonObject>): void {
    if (!probes.has(key) && probes.size >= MAX_PARALLEL_PROBES) {
      res.status(429).json({ error: 'too many devices being asked at once; try again in a few seconds' });
      return;
    }
    probes.run(key, probe).then((body) => res.json(body), (err: unknown) => fail(res, err));
  }

  // GET /tplink-smartplug/device/<config node id>/outlets -> a deployed device's outlets
  app.get(`${ROUTE_PREFIX}/device/:id/outlets`, RED.auth.needsPermission('tplink-device.read'), (req: Request, res: Response) => {
    const id = String(req.params.id || '');
    const dev = /^[0-9A-Za-z._-]{1,64}$/.test(id) ? (RED.nodes.getNode(id) as DeviceConfigNode | null) : null;
    if (!dev || dev.type !== 'tplink-device' || !(dev.session instanceof DeviceSession)) {
      res.status(404).json({ error: 'no deployed tplink-device config node with this id' });
      return;
    }
    const session = dev.session;
    // A SMART device says its dialect and the features it has, so the editor offers only those.
    probeShared(res, `device ${id}`, async () => (session.dialect === 'iot'
      ? { ...summary(await session.probe(), session.host, session.port, session.protocol), dialect: 'iot' }
      : { ...summary({}, session.host, session.port, session.protocol), ...(await session.describe()) }));
  });

  // GET /tplink-smartplug/outlets?host=&port=&protocol= -> outlets of a device not deployed yet.
  // No account travels in a query string: KLAP tries the firmware's default accounts only
  // (an un-provisioned plug answers; an owned one says to deploy the node with its account).
  app.get(`${ROUTE_PREFIX}/outlets`, RED.auth.needsPermission('tplink-device.write'), (req: Request, res: Response) => {
    let host: string;
    let connector: Connector;
    let smart = false;
    try {
      host = hostParam(param(req, 'host'));
      const { protocol, port } = deviceSettings({ host, protocol: param(req, 'protocol'), port: param(req, 'port'), timeout: PROBE_TIMEOUT_MS });
      smart = protocol === 'smart';
      connector = new Connector({ protocol, port }, { timeout: PROBE_TIMEOUT_MS, maxQueue: smart ? 4 : 1 });
    } catch (err) {
      fail(res, err);
      return;
    }
    // A Tapo device not deployed yet: only the firmware's default accounts can be tried (the dialog's account is not sent here).
    if (smart) {
      probeShared(res, `smart ${host}:${connector.port}`, async () => {
        const once = new DeviceSession({ host, port: connector.port, timeout: PROBE_TIMEOUT_MS, dialect: 'smart', createClient: connector.createClient });
        try {
          return { host, port: connector.port, ...(await once.describe()) };
        } finally {
          void once.close();
        }
      });
      return;
    }
    probeShared(res, `address ${host}:${connector.port} ${connector.protocol}`, async () => {
      const once = new DeviceSession({
        host,
        port: connector.port,
        timeout: PROBE_TIMEOUT_MS,
        createClient: connector.createClient,
      });
      try {
        return summary(await once.probe(), host, connector.port, connector.found());
      } finally {
        void once.close();
      }
    });
  });
}
