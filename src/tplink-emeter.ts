// `tplink-emeter`: energy meter of HS110/HS300-class devices. Readings go out in
// both unit conventions (W and mW, kWh and Wh, …) so flows work with any plug.

import { migrate } from './common/migrate';
import { text } from './common/status';
import { textSetting } from './common/settings';
import type { NodeAPI, Node } from 'node-red';
import { NotAllowedError, ValidationError } from './core/errors';
import { isObject, JsonObject } from './core/commands/command';
import * as emeter from './core/commands/emeter';
import { explainNoMeter, withoutErrCode } from './core/model/energy';
import { int, MAX_YEAR, MIN_YEAR, own } from './core/commands/validate';
import { setupActionNode, ActionNodeDef, ActionResult, Msg } from './common/action-node';
import { dayPoints, monthPoints } from './common/chart-points';

interface EmeterDef extends ActionNodeDef {
  action: string; // realtime | daystat | monthstat | gains | erase | msg
  year?: string;
  month?: string;
  allowErase?: boolean;
  output?: string; // full (default) | chart
}

const ACTIONS = ['realtime', 'daystat', 'monthstat', 'gains', 'erase'] as const;
type Action = (typeof ACTIONS)[number];
const PAYLOAD_KEYS = ['action', 'year', 'month'];

/** The node's setting wins unless it is "msg"; then msg.action, else msg.payload.action. */
function actionOf(setting: string, msg: Msg): Action {
  if ((ACTIONS as readonly string[]).includes(setting)) return setting as Action;
  const fromMsg = msg.action !== undefined;
  const v = fromMsg ? msg.action : isObject(msg.payload) ? own(msg.payload, 'action') : undefined;
  const field = fromMsg ? 'action' : 'payload.action';
  if (typeof v === 'string' && (ACTIONS as readonly string[]).includes(v.trim())) return v.trim() as Action;
  throw new ValidationError(field, `one of ${ACTIONS.map((a) => `"${a}"`).join(', ')}`, v);
}

/** msg.payload as {action?, year?, month?}; other keys are refused so typos don't go unnoticed. */
function payloadArgs(payload: unknown): Record<string, unknown> {
  if (!isObject(payload)) return {};
  for (const key of Object.keys(payload)) {
    if (!PAYLOAD_KEYS.includes(key)) throw new ValidationError(`payload.${key}`, `only the fields ${PAYLOAD_KEYS.join(', ')}`);
  }
  return payload;
}

/** A period field: msg.payload first, then the node's setting, then today (host clock). */
function periodField(args: Record<string, unknown>, setting: string | undefined, key: 'year' | 'month', now: number): number {
  const [min, max] = key === 'year' ? [MIN_YEAR, MAX_YEAR] : [1, 12];
  const v = own(args, key);
  if (v !== undefined) return int(`payload.${key}`, v, min, max);
  const s = String(setting ?? '').trim();
  if (s !== '') return int(key, Number(s), min, max);
  return now;
}

class EraseNotAllowedError extends NotAllowedError {
  constructor() {
    super('emeter.erase_emeter_stat');
    this.message = 'emeter.erase_emeter_stat erases the stored energy statistics and is refused unless "allow erasing statistics" is ticked in the node';
  }
}

export = function (RED: NodeAPI) {
  function TplinkEmeterNode(this: Node, config: EmeterDef) {
    RED.nodes.createNode(this, config);
    config = migrate('tplink-emeter', config); // flows saved by older versions
    const allowErase = config.allowErase === true;
    let output = 'full';
    let outputError: unknown = null;
    try {
      output = textSetting('emeterOutput', config.output, 'output', 'full'); // the editor's rule too
    } catch (err) {
      outputError = err; // reported on each message; nothing is sent
    }

    /**
     * Readings and statistics go through the device model for both dialects
     * (docs/smart-model.md): IotModel sends the same emeter commands and sums the same
     * totals. Gains and erase are IOT commands the model does not carry: a SMART device
     * that lacks them is refused, nothing sent.
     */
    setupActionNode(RED, this, config, async (msg, { device, outlet }): Promise<ActionResult> => {
      if (outputError) throw outputError;
      // "chart": payloads a dashboard gauge or chart takes as is; the full answer stays in msg.reading / msg.stats.
      const chart = output === 'chart';
      const action = actionOf(config.action || 'realtime', msg);
      const args = payloadArgs(msg.payload);
      const today = new Date();
      const m = await device.session.model();
      switch (action) {
        case 'realtime': {
          const { value, reply } = await m.realtime(outlet);
          const reading = value as unknown as JsonObject;
          const watts = typeof reading.power === 'number' ? reading.power : 0;
          if (chart) return { payload: Math.round(watts * 10) / 10, reply, extra: { reading }, statusText: text('watts', { watts: watts.toFixed(1) }) };
          return { payload: reading, reply, statusText: text('watts', { watts: watts.toFixed(1) }) };
        }
        case 'daystat': {
          const year = periodField(args, config.year, 'year', today.getFullYear());
          const month = periodField(args, config.month, 'month', today.getMonth() + 1);
          const { value: payload, reply } = await m.dayStats({ year, month }, outlet);
          return { payload: chart ? dayPoints(year, month, payload.day_list, today) : payload, reply, extra: chart ? { stats: payload } : undefined, statusText: text('monthEnergy', { year, month: String(month).padStart(2, '0'), energy: payload.energy }) };
        }
        case 'monthstat': {
          const year = periodField(args, config.year, 'year', today.getFullYear());
          const { value: payload, reply } = await m.monthStats({ year }, outlet);
          return { payload: chart ? monthPoints(year, payload.month_list, today) : payload, reply, extra: chart ? { stats: payload } : undefined, statusText: text('yearEnergy', { year, energy: payload.energy }) };
        }
      }
      if (action === 'erase' && !allowErase) throw new EraseNotAllowedError();
      if (await device.session.isSmart()) {
        await m.require(action === 'gains' ? 'energy-gains' : 'energy-erase');
        throw new ValidationError('action', 'an action this device has');
      }
      try {
        if (action === 'gains') {
          const { result, reply } = await device.run(emeter.getVgainIgain(), outlet);
          return { payload: withoutErrCode(result), reply, statusText: text('gainsRead') };
        }
        const { reply } = await device.run(emeter.eraseStats(), outlet);
        return { payload: true, reply, statusText: text('statsErased') };
      } catch (err) {
        throw explainNoMeter(err);
      }
    });
  }
  RED.nodes.registerType('tplink-emeter', TplinkEmeterNode as never);
};
