// The monitor's "one output per kind" mode: relay changes as a bare on/off,
// readings as bare watts (what dashboard switches, gauges and charts take as
// is), and every other event unchanged on a third output.

import type { NodeMessage } from 'node-red';

/** [relay, power, events]: the one message of an event on its output, null on the others. */
export function splitMessage(topic: string, payload: Record<string, unknown>, device: { alias?: string }): (NodeMessage | null)[] {
  if (topic === 'power-on' || topic === 'power-off') {
    // topic: the outlet's name on a strip, the device's otherwise (a chart or switch labels by it).
    const msg: Record<string, unknown> = { topic: payload.alias, payload: payload.on === true, outlet: payload.outlet, event: topic, device };
    if (payload.id !== undefined) msg.id = payload.id;
    return [msg as NodeMessage, null, null];
  }
  if (topic === 'emeter') {
    // 0.1 W is what a gauge or chart shows; the exact reading goes along.
    const watts = typeof payload.power === 'number' ? Math.round(payload.power * 10) / 10 : 0;
    const msg = { topic: device.alias, payload: watts, reading: payload, outlet: payload.outlet, device };
    return [null, msg as NodeMessage, null];
  }
  return [null, null, { topic, payload, device } as NodeMessage];
}
