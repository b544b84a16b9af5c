// `tplink-discover`: broadcasts both discovery probes (9999 legacy, 20002
// KLAP/AES) on input (and/or every N seconds) and reports the plugs, switches
// and strips that answered with what each speaks, one message per device (sent
// as it first answers) or one message with the whole list.
// Answers that are not plugs (garbage, bulbs) never fail the node.

import type { NodeAPI, Node, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { discover, DiscoveredDevice, RejectedAnswer } from './core/discovery';
import { migrate } from './common/migrate';
import { discoverSettings } from './common/settings';
import { status, text, useLocale } from './common/status';

interface DiscoverDef extends NodeDef {
  broadcast: string;
  port: string | number;
  port20002?: string | number;
  timeout: string | number;
  interval: string | number;
  output: string; // each | list
}

type Send = (m: NodeMessage | NodeMessage[]) => void;

const MIN_INTERVAL_S = 1;

/** Seconds between automatic searches; 0 = only on input. */
function intervalOf(n: number, timeoutMs: number): number {
  if (n <= 0) return 0;
  // A round must end before the next begins.
  return Math.max(n, MIN_INTERVAL_S, timeoutMs / 1000);
}

export = function (RED: NodeAPI) {
  useLocale(RED);
  function TplinkDiscoverNode(this: Node, saved: DiscoverDef) {
    RED.nodes.createNode(this, saved);
    const node = this;
    const config = migrate('tplink-discover', saved);
    let settings: { broadcast: string; port: number; port20002: number; timeout: number };
    let interval: number;
    try {
      // Bounded by the editor's rules: a longer interval would overflow the timer.
      const checked = discoverSettings(config);
      settings = { broadcast: checked.broadcast, port: checked.port, port20002: checked.port20002, timeout: checked.timeout };
      interval = checked.interval;
    } catch (err) {
      node.error((err as Error).message);
      status.error(node, err);
      node.on('input', (_m: NodeMessageInFlow, _s, done) => done(err as Error));
      return;
    }
    const each = config.output !== 'list';
    const warned = new Set<string>();
    let closed = false;
    let timer: NodeJS.Timeout | null = null;

    function warnRejected(rejected: RejectedAnswer[]): void {
      for (const r of rejected) {
        const key = `${r.host}:${r.port}`;
        if (warned.has(key)) continue; // once per answerer, not every round
        warned.add(key);
        node.warn(`ignored an answer from ${key}: ${r.reason}`);
      }
    }

    async function search(base: NodeMessage, send: Send): Promise<void> {
      node.status({ fill: 'blue', shape: 'ring', text: text('searching') });
      let index = 0;
      // One message per device goes out as it answers, not at the end of the round.
      const onDevice = each
        ? (d: DiscoveredDevice) => {
            if (closed) return;
            const msg = RED.util.cloneMessage(base) as NodeMessage & Record<string, unknown>;
            msg.payload = { ...d };
            msg.index = index++;
            send(msg);
          }
        : undefined;
      const { devices, rejected } = await discover({ ...settings, onDevice });
      if (closed) return;
      if (each) {
        warnRejected(rejected);
      } else {
        const msg = base as NodeMessage & Record<string, unknown>;
        msg.payload = devices;
        msg.rejected = rejected;
        send(msg);
      }
      status.ok(node, text('found', { count: devices.length }), devices.length > 0 ? 'green' : 'grey');
    }

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      search(msg, send).then(
        () => done(),
        (err: unknown) => {
          if (!closed) status.error(node, err);
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });

    const everyS = intervalOf(interval, settings.timeout);
    if (everyS > 0) {
      let busy = false;
      const tick = () => {
        if (busy || closed) return;
        busy = true;
        search({ topic: 'discover' }, (m) => node.send(m))
          .catch((err: unknown) => {
            if (closed) return;
            status.error(node, err);
            node.error(`discovery failed: ${(err as Error).message}`);
          })
          .finally(() => {
            busy = false;
          });
      };
      timer = setInterval(tick, everyS * 1000);
      setImmediate(tick); // first round right away, not one interval late
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      done();
    });
  }

  RED.nodes.registerType('tplink-discover', TplinkDiscoverNode as never);
};
