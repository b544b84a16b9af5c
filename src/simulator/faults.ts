// Misbehaviours the simulator can put on the wire, to test how a client
// copes. A fault applies to every following request until cleared, or to the
// next `times` requests it applies to. The device still processes the request
// (a real plug that fails to answer may well have switched), except for
// err-code, which answers instead of the device.

export type FaultType =
  | 'delay'
  | 'stall'
  | 'reset-mid-header'
  | 'reset-mid-body'
  | 'huge-length'
  | 'lying-length'
  | 'garbage'
  | 'non-json'
  | 'wrong-shape'
  | 'err-code'
  | 'close-after-reply';

interface Base {
  /** Apply to this many requests, then heal. Default: until setFault(null). */
  times?: number;
}

export type Fault = Base &
  (
    | { type: 'delay'; ms: number }
    /** Accepts the request and never answers; the socket stays open. */
    | { type: 'stall' }
    /** Sends 2 of the 4 header bytes, then resets the connection (RST). */
    | { type: 'reset-mid-header' }
    /** Sends the header and half the body, then resets. */
    | { type: 'reset-mid-body' }
    /** Header claims 2 GiB (or `length`), a few body bytes follow; the socket stays open. */
    | { type: 'huge-length'; length?: number }
    /** Header claims `extra` (default 64) more bytes than follow, then the socket is closed. */
    | { type: 'lying-length'; extra?: number }
    /** A valid header and random bytes that don't decrypt to JSON. */
    | { type: 'garbage' }
    /** A properly encrypted and framed text that isn't JSON. */
    | { type: 'non-json'; text?: string }
    /** Valid JSON of the wrong shape (default {"foo":1}). */
    | { type: 'wrong-shape'; body?: unknown }
    /** Every method of the request answers this err_code. */
    | { type: 'err-code'; code: number; msg?: string }
    /** The reply is sent, then the connection is closed. */
    | { type: 'close-after-reply' }
  );

/** Faults that only make sense on a TCP stream; UDP answers normally and does not count them. */
const TCP_ONLY = new Set<FaultType>(['reset-mid-header', 'reset-mid-body', 'huge-length', 'lying-length', 'close-after-reply']);

export const FAULT_TYPES: readonly FaultType[] = [
  'delay', 'stall', 'reset-mid-header', 'reset-mid-body', 'huge-length', 'lying-length',
  'garbage', 'non-json', 'wrong-shape', 'err-code', 'close-after-reply',
];

/** Accepts a fault object or a bare type name for the faults without parameters. */
export function toFault(f: Fault | FaultType | null): Fault | null {
  if (f === null) return null;
  const fault = (typeof f === 'string' ? { type: f } : { ...f }) as Fault;
  if (!FAULT_TYPES.includes(fault.type)) throw new Error(`unknown fault type "${String(fault.type)}"`);
  if (fault.type === 'delay' && !(typeof fault.ms === 'number' && fault.ms >= 0)) throw new Error('delay fault needs ms >= 0');
  if (fault.type === 'err-code' && typeof fault.code !== 'number') throw new Error('err-code fault needs a numeric code');
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) throw new Error('times must be a positive integer');
  return fault;
}

export class FaultPlan {
  private fault: Fault | null = null;
  private left = Infinity;

  set(f: Fault | FaultType | null): void {
    this.fault = toFault(f);
    this.left = this.fault?.times ?? Infinity;
  }

  get current(): Fault | null {
    return this.fault;
  }

  /** The fault for the next request on this transport (counting it down), or null. */
  take(transport: 'tcp' | 'udp'): Fault | null {
    const f = this.fault;
    if (!f || (transport === 'udp' && TCP_ONLY.has(f.type))) return null;
    if (--this.left <= 0) this.fault = null;
    return f;
  }
}
