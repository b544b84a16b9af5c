// `tplink-monitor`: polls one device through its config node's shared client
// and queue, and sends a message when something changes: relay on/off (per
// outlet on strips), power crossing a threshold, the device going offline or
// coming back, plus optional periodic energy readings. No input.

import type { NodeAPI, Node, NodeDef, NodeMessage } from 'node-red';
import type { DeviceConfigNode } from './common/device-node';
import { DeviceError, TplinkError, UnsupportedError, ValidationError } from './core/errors';
import type { RelayState } from './core/device-session';
import { JsonObject } from './core/commands/command';
import * as emeter from './core/commands/emeter';
import { outletOf, Msg } from './common/action-node';
import { MonitorState, Snapshot } from './common/monitor-state';
import { reason, short, status, text, useLocale } from './common/status';
import { migrate } from './common/migrate';
import { monitorSettings, MonitorSettings } from './common/settings';
import { splitMessage } from './common/monitor-outputs';

interface MonitorDef extends NodeDef {
  device: string;
  outlet?: string;
  interval: string | number; // seconds
  threshold?: string | number; // W; blank = off
  hysteresis?: string | number; // W
  emeter?: string | number; // seconds between readings; 0/blank = off
  initial?: boolean;
  split?: boolean; // one output per kind: relay on/off, watts, other events
}

/** Failures that mean "the device did not answer", as opposed to a bad setting. */
const OFFLINE_KINDS = new Set(['refused', 'unreachable', 'timeout', 'protocol', 'closed']);

function statusText(snap: Snapshot): string {
  const on = snap.outlets.filter((o) => o.on).length;
  const relay = snap.outlets.length === 1 ? text(on ? 'on' : 'off') : text('onOfTotal', { on, total: snap.outlets.length });
  return snap.power === undefined ? relay : text('withPower', { relay, power: Math.round(snap.power * 10) / 10 });
}

export = function (RED: NodeAPI) {
  useLocale(RED);
  function TplinkMonitorNode(this: Node, saved: MonitorDef) {
    RED.nodes.createNode(this, saved);
    const node = this;
    const config = migrate('tplink-monitor', saved);
    const device = RED.nodes.getNode(config.device) as DeviceConfigNode | null;
    if (!device) {
      status.problem(node, 'noDevice');
      return;
    }
    let outlet: string | number | undefined;
    let settings: MonitorSettings;
    try {
      outlet = outletOf({} as Msg, config.outlet);
      settings = monitorSettings(config); // bounded: a longer interval would overflow the timer
    } catch (err) {
      // Watching another outlet, or at another pace, than asked would mislead: don't poll.
      node.error((err as Error).message);
      node.status({ fill: 'red', shape: 'ring', text: short(reason(err)) });
      return;
    }
    device.register(node);

    const { intervalMs: everyMs, emeterMs, threshold, hysteresis } = settings;
    const state = new MonitorState({ threshold, hysteresis, initial: config.initial === true });
    let hasMeter = true; // until the device says "module not support"
    let lastReading = 0;
    let lastProblem = '';
    let closed = false;
    let timer: NodeJS.Timeout | null = null;

    function emit(topic: string, payload: Record<string, unknown>): void {
      if (config.split === true) node.send(splitMessage(topic, payload, device!.info()) as NodeMessage[]);
      else node.send({ topic, payload, device: device!.info() } as NodeMessage);
    }

    // Read the meter on every poll when there is one: the status shows the watts.
    async function measure(): Promise<JsonObject | undefined> {
      if (!hasMeter) return undefined;
      if (await device!.session.isSmart()) {
        // Tapo / SMART Kasa: the device model says up front when there is no meter.
        try {
          return (await (await device!.session.model()).realtime(outlet)).value as unknown as JsonObject;
        } catch (err) {
          if (!(err instanceof UnsupportedError)) throw err;
          hasMeter = false;
          if (threshold !== null || emeterMs > 0) node.warn('this device has no energy meter: no in-use or emeter messages');
          return undefined;
        }
      }
      try {
        const { result } = await device!.run(emeter.getRealtime(), outlet);
        return emeter.normalizeRealtime(result);
      } catch (err) {
        if (!(err instanceof DeviceError) || (err.errCode !== -1 && err.errCode !== -2)) throw err;
        hasMeter = false;
        if (threshold !== null || emeterMs > 0) node.warn('this device has no energy meter: no in-use or emeter messages');
        return undefined;
      }
    }

    /** The watched relays: from get_sysinfo (Kasa) or the SMART device model (Tapo). */
    async function relaysNow(): Promise<{ alias: string; outlets: RelayState[] }> {
      if (await device!.session.isSmart()) return (await device!.session.model()).relays(outlet) as Promise<{ alias: string; outlets: RelayState[] }>;
      const { sysinfo: sys, relays } = await device!.session.relays(outlet);
      return { alias: String(sys.alias ?? ''), outlets: relays };
    }

    async function poll(): Promise<void> {
      try {
        const { alias, outlets } = await relaysNow();
        const reading = await measure();
        if (closed) return;
        const power = reading && typeof reading.power === 'number' ? reading.power : undefined;
        const snap: Snapshot = { outlet: typeof outlet === 'number' ? outlet : outlets.length === 1 ? outlets[0].outlet : null, outlets, power };
        for (const ev of state.polled(snap, alias)) emit(ev.topic, ev.payload);
        // Half a poll of slack, so "every 10 s" with 5 s polls is every second poll.
        if (reading && emeterMs > 0 && Date.now() - lastReading >= emeterMs - everyMs / 2) {
          lastReading = Date.now();
          emit('emeter', { ...reading, outlet: snap.outlet });
        }
        lastProblem = '';
        node.status({ fill: outlets.some((o) => o.on) ? 'green' : 'grey', shape: 'dot', text: short(statusText(snap)) });
      } catch (err) {
        if (closed) return;
        const kind = err instanceof TplinkError ? err.kind : undefined;
        if (kind && OFFLINE_KINDS.has(kind)) {
          for (const ev of state.failed((err as Error).message, kind)) emit(ev.topic, ev.payload);
          status.problem(node, 'offline');
          return;
        }
        // A setting or device problem (unknown outlet, err_code): say it once, keep polling.
        const text = err instanceof Error ? err.message : String(err);
        if (text !== lastProblem) node.error(err instanceof ValidationError ? text : `poll failed: ${text}`);
        lastProblem = text;
        node.status({ fill: 'red', shape: 'ring', text: short(reason(err)) });
      }
    }

    // One poll at a time: the next is scheduled when the previous has finished.
    function schedule(ms: number): void {
      if (closed) return;
      timer = setTimeout(() => {
        timer = null;
        poll().finally(() => schedule(everyMs));
      }, ms);
    }
    schedule(0);

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      device.deregister(node);
      done();
    });
  }

  RED.nodes.registerType('tplink-monitor', TplinkMonitorNode as never);
};
