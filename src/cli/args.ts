// Argument parsing of the tplink-smartplug CLI. Pure: argv in, options out, or
// a UsageError carrying the exit status; nothing here touches the network.

import { isIP } from 'net';
import { isObject, JsonObject } from '../core/commands';
import { ValidationError } from '../core/errors';
import { parseRawRequest, parseSmartRawRequest, SmartRawRequest } from '../core/raw-request';
import { EXIT, ExitCode } from './exit-codes';

export class UsageError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.usage) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliOptions {
  help: boolean;
  discover: boolean;
  host?: string;
  /** device TCP/UDP port (also the discovery port) */
  port?: number;
  /** "-c name[=value]" as given */
  command?: string;
  json?: JsonObject;
  /** -j with --protocol smart: {"method":…,"params":…} or an array of them (a batch) */
  smartJson?: SmartRawRequest[];
  udp: boolean;
  timeout?: number;
  broadcast?: string;
  /** where the 20002 discovery probe goes (default 20002) */
  port20002?: number;
  outlet?: string;
  allowDestructive: boolean;
  /** auto (default; legacy with --udp), legacy, klap or smart (Tapo / SMART Kasa) */
  protocol?: CliProtocol;
  /** KLAP and SMART account; also from TPLINK_USERNAME / TPLINK_PASSWORD (see accountOf) */
  username?: string;
  password?: string;
}

const PROTOCOL_NAMES = ['auto', 'legacy', 'klap', 'smart'] as const;
export type CliProtocol = (typeof PROTOCOL_NAMES)[number];

function protocolArg(flag: string, v: string): CliProtocol {
  const p = (PROTOCOL_NAMES as readonly string[]).find((n) => n === v.trim().toLowerCase());
  if (!p) throw new UsageError(`${flag} needs auto, legacy, klap or smart, got "${v}"`);
  return p as CliProtocol;
}

/** One hour: anything longer is a typo, not a slow plug. */
const MAX_TIMEOUT_MS = 3_600_000;

function intArg(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag} needs a whole number ${min}-${max}, got "${v}"`);
  return Number(v);
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`-j is not valid JSON: ${(err as Error).message}`, EXIT.badJson);
  }
}

/** The same checks as the tplink-raw node on a SMART device: names, params, batch size, "__proto__". */
function parseSmartJsonArg(text: string): SmartRawRequest[] {
  try {
    return parseSmartRawRequest(jsonValue(text), '-j');
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message, EXIT.badJson);
    throw err;
  }
}

function parseJsonArg(text: string): JsonObject {
  const value = jsonValue(text);
  if (!isObject(value)) throw new UsageError('-j must be a JSON object like {"system":{"get_sysinfo":{}}}', EXIT.badJson);
  if (Object.keys(value).filter((k) => k !== 'context').length === 0) {
    throw new UsageError('-j names no module, e.g. {"system":{"get_sysinfo":{}}}', EXIT.badJson);
  }
  // The same checks as the tplink-raw node: plain JSON, nesting, size, names, "__proto__".
  try {
    return parseRawRequest(value, '-j');
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message, EXIT.badJson);
    throw err;
  }
}

/** A dotted IPv4 address, checked here so a typo is never looked up in DNS. */
function broadcastArg(flag: string, v: string): string {
  if (isIP(v) !== 4) throw new UsageError(`${flag} needs an IPv4 address such as 255.255.255.255 or 192.168.1.255, got "${v}"`);
  return v;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { help: false, discover: false, udp: false, allowDestructive: false };
  const seen = new Set<string>();
  let jsonText: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // "--opt=value" as well as "--opt value"
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const once = (name: string): void => {
      if (seen.has(name)) throw new UsageError(name === 'request' ? 'give one -c or one -j' : `${flag} given twice`);
      seen.add(name);
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '-h': case '--help': noValue(); o.help = true; break;
      case '-t': case '--target': case '--host': once('host'); o.host = value(); break;
      case '-p': case '--port': once('port'); o.port = intArg(flag, value(), 1, 65535); break;
      case '-c': case '--command': once('request'); o.command = value(); break;
      // Checked once the protocol is known (SMART requests have another shape).
      case '-j': case '--json': once('request'); jsonText = value(); break;
      case '--udp': noValue(); o.udp = true; break;
      case '--timeout': once('timeout'); o.timeout = intArg(flag, value(), 1, MAX_TIMEOUT_MS); break;
      case '--discover': noValue(); o.discover = true; break;
      case '--broadcast': once('broadcast'); o.broadcast = broadcastArg(flag, value()); break;
      case '--port20002': once('port20002'); o.port20002 = intArg(flag, value(), 1, 65535); break;
      case '--outlet': once('outlet'); o.outlet = value(); break;
      case '--allow-destructive': noValue(); o.allowDestructive = true; break;
      case '--protocol': once('protocol'); o.protocol = protocolArg(flag, value()); break;
      case '--username': once('username'); o.username = value(); break;
      // The value is never echoed, not even in a usage error.
      case '--password': once('password'); o.password = value(); break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}"`);
    }
  }
  if (o.help) return o;
  if (jsonText !== undefined) {
    if (o.protocol === 'smart') o.smartJson = parseSmartJsonArg(jsonText);
    else o.json = parseJsonArg(jsonText);
  }
  if (o.udp && o.protocol === undefined) o.protocol = 'legacy';
  if (o.discover) {
    const stray = (['host', 'request', 'outlet', 'protocol', 'username', 'password'] as const).find((k) => seen.has(k));
    if (stray || o.udp || o.allowDestructive) throw new UsageError('--discover takes only --broadcast, --port, --port20002 and --timeout');
    return o;
  }
  if (o.broadcast !== undefined) throw new UsageError('--broadcast is for --discover');
  if (o.port20002 !== undefined) throw new UsageError('--port20002 is for --discover');
  if (o.udp && o.protocol !== undefined && o.protocol !== 'legacy') throw new UsageError('--udp is for --protocol legacy (KLAP runs over HTTP)');
  if (o.protocol === 'legacy' && (seen.has('username') || seen.has('password'))) throw new UsageError('--username and --password are for --protocol klap, smart or auto (legacy has no account)');
  if (o.host === undefined || o.host.trim() === '') throw new UsageError('missing -t HOST');
  if (o.command === undefined && jsonText === undefined) throw new UsageError('missing -c COMMAND or -j JSON');
  return o;
}
