// The transport seam: bytes on the wire for one device. A transport carries one
// request's JSON text and gives back the reply's JSON text; cipher, framing,
// sessions and handshakes live inside it. Everything above it (queue, JSON
// decoding, reply checks, the IOT or SMART dialect) is the same for every
// transport. Adding a transport = one file implementing this + one line in
// ./factory.ts.
//
// Errors a transport may raise (all TplinkError, see ../errors.ts):
//   refused | unreachable  nothing was delivered: safe to try elsewhere
//   timeout                 the request may have reached the device: never resend
//   protocol                bad framing, undecryptable or oversized reply
//   auth                    the device refused our credentials (KLAP, AES)
//   closed                  close() was called; nothing more is sent

export interface Transport {
  /** Short name used in errors and the editor: 'tcp', 'udp', 'klap', 'aes'. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /**
   * Sends one request (JSON text) and resolves with the reply (JSON text, not yet
   * parsed). Called one at a time: the client's queue serialises requests.
   */
  send(request: string, timeout: number): Promise<string>;
  /** Ends connections and sessions; a pending send rejects with `closed`. Idempotent. */
  close(): void;
  /** Connections (or handshakes) made and retries, for tests and benchmarks. */
  readonly stats: TransportStats;
}

export interface TransportStats {
  connects: number;
  retries: number;
  /** handshakes completed (session transports only) */
  handshakes?: number;
}

/** Account for transports that authenticate (KLAP, AES). Never logged, never in errors. */
export interface Credentials {
  username: string;
  password: string;
}

/** What every transport is built from. */
export interface TransportOptions {
  host: string;
  port: number;
  /** ms to establish a connection (and complete a handshake) */
  connectTimeout: number;
  /** largest reply accepted, bytes */
  maxReplyBytes: number;
  /** keep connections open between requests (default true) */
  reuse?: boolean;
  /** account, for transports that authenticate */
  credentials?: Credentials;
  /** 'auto': the port of the HTTP transports (KLAP, AES) tried after `port` (default 80) */
  httpPort?: number;
  /** KLAP: the UDP port of the wake probe sent when the first handshake is refused (default 20002) */
  port20002?: number;
}
