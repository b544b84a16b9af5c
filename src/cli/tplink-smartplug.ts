#!/usr/bin/env node
// tplink-smartplug: send one command to a Kasa plug over its local protocol and
// print the decrypted reply, or discover plugs. Expected failures end with one
// line on stderr and a distinct exit status (see exit-codes.ts), never a stack.

import { DEFAULT_PORT, DEFAULT_TIMEOUT } from '../core/client';
import { Connector } from '../core/connection';
import type { Credentials } from '../core/transport/transport';
import { DeviceSession } from '../core/device-session';
import { deviceChangingMethods, smartDeviceChangingMethods } from '../core/raw-request';
import { smartOutletId, smartRawEnvelope, smartReplyErrorCode } from '../core/smart-raw';
import { SmartDeviceError } from '../core/smart';
import { discover } from '../core/discovery';
import { TplinkError } from '../core/errors';
import { checkReply, Command, isObject } from '../core/commands';
import { CliOptions, parseArgs, UsageError } from './args';
import { EXIT, EXIT_HELP, exitCodeOf } from './exit-codes';
import { NAMED_COMMANDS, namedCommand } from './named-commands';
import { runSmartCommand, SMART_OUTLET_COMMANDS, smartTakesOutlet } from './smart-commands';

const PROG = 'tplink-smartplug';
const DISCOVERY_TIMEOUT = 3000;
/** --discover without --broadcast: the whole local network (the CLI's documented default) */
const DEFAULT_BROADCAST = '255.255.255.255';

function usage(): string {
  const names = Object.entries(NAMED_COMMANDS).map(([name, c]) => {
    const left = c.arg ? `${name}${c.needsArg ? '' : '['}=${c.arg}${c.needsArg ? '' : ']'}` : name;
    return `    ${left.padEnd(22)}${c.help}`;
  });
  const codes = EXIT_HELP.map(([code, what]) => `    ${String(code).padEnd(4)}${what}`);
  return [
    `Usage: ${PROG} -t HOST [-p PORT] (-c COMMAND | -j JSON) [--protocol auto|legacy|klap|smart] [--username EMAIL]`,
    `       ${' '.repeat(PROG.length)} [--password PASSWORD] [--udp] [--timeout MS] [--outlet N] [--allow-destructive]`,
    `       ${PROG} --discover [--broadcast ADDR] [--port N] [--port20002 N] [--timeout MS]`,
    '',
    'Options:',
    `  -t, --host HOST        the plug's address`,
    `  -p, --port PORT        its port (default ${DEFAULT_PORT}, 80 for KLAP and SMART; auto tries ${DEFAULT_PORT} then 80, or PORT for both)`,
    '  --protocol NAME        auto (default: legacy, then KLAP), legacy (port 9999), klap (HTTP, account)',
    '                         or smart (Tapo / SMART Kasa, HTTP, account): -c prints what the nodes',
    '                         output (on: true, info: the device info …), -j takes {"method":…,"params":…}',
    '                         or an array of them; Kasa-only commands are refused (not on the device)',
    '  --username EMAIL       the TP-Link account KLAP and SMART firmware want (default: $TPLINK_USERNAME)',
    '  --password PASSWORD    its password (default: $TPLINK_PASSWORD, safer than the command line);',
    '                         both case sensitive; blank: the firmware\'s default accounts are tried',
    '  -c, --command NAME     a named command (below); some take NAME=VALUE',
    `  -j, --json JSON        a raw request, e.g. '{"system":{"get_sysinfo":{}}}' (smart: '{"method":"get_device_info"}')`,
    '  --udp                  send over UDP instead of TCP (legacy only)',
    `  --timeout MS           reply timeout (default ${DEFAULT_TIMEOUT}; discovery listens ${DISCOVERY_TIMEOUT})`,
    '  --outlet N             address one outlet of a strip (index from 0, or a child id)',
    '  --allow-destructive    needed for commands that can break a device (reset, set_mac_addr,',
    '                         set_stainfo, cnCloud bind/unbind, firmware, calibration, ...)',
    '  --discover             list the plugs answering the 9999 and 20002 probes: host, port,',
    '                         protocol (legacy, klap, smart), needsAuth, alias (null: not told), model, mac',
    '  --broadcast ADDR       where discovery is sent (default 255.255.255.255); a device\'s own',
    '                         address asks that device only',
    '  --port20002 N          where the 20002 probe goes (default 20002; --port is the 9999 probe\'s)',
    '  -h, --help             this text',
    '',
    'Commands:',
    ...names,
    '',
    'The reply is printed as JSON on stdout (also when the device reports an error).',
    'Exit status:',
    ...codes,
  ].join('\n');
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The command to send: a named one or the raw -j request. */
function chosenCommand(opts: CliOptions): { command: Command; timeout?: number } {
  if (opts.json) return { command: { module: '', method: '', request: opts.json, destructive: false } };
  return namedCommand(opts.command as string);
}

/** The refusal of a device-changing request sent without --allow-destructive (exit 4, nothing sent). */
function refuseUnlessAllowed(opts: CliOptions, what: string[]): void {
  if (what.length > 0 && !opts.allowDestructive) {
    throw new UsageError(`refusing to send ${what.join(', ')}: it can break the device; add --allow-destructive to send it`, EXIT.notAllowed);
  }
}

/**
 * --protocol smart: -j is a SMART request (checked and guarded as by tplink-raw),
 * -c a named command through the device model, printing the nodes' payload.
 */
async function smartRequest(opts: CliOptions): Promise<number> {
  const named = opts.smartJson ? null : namedCommand(opts.command as string); // bad names and values: nothing sent
  if (opts.smartJson) refuseUnlessAllowed(opts, smartDeviceChangingMethods(opts.smartJson));
  if (named && opts.outlet !== undefined && !smartTakesOutlet(named.name)) {
    throw new UsageError(`command "${named.name}" is for the whole device; --outlet goes with ${SMART_OUTLET_COMMANDS.join(', ')}`);
  }
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  const connector = new Connector({ protocol: 'smart', port: opts.port, credentials: accountOf(opts) }, { timeout });
  const session = new DeviceSession({ host: opts.host as string, port: connector.port, timeout, dialect: 'smart', createClient: connector.createClient });
  try {
    if (named) {
      print(await runSmartCommand(await session.model(), named.name, named.value, opts.outlet));
      return EXIT.ok;
    }
    const list = opts.smartJson!;
    const childId = opts.outlet === undefined ? undefined : await smartOutletId(await session.model(), opts.outlet);
    const reply = await session.request(smartRawEnvelope(list, childId));
    print(reply);
    const code = smartReplyErrorCode(reply); // after printing, as for Kasa: the other answers are still useful
    if (code !== undefined) throw new SmartDeviceError(list.length === 1 ? list[0].method : 'multipleRequest', code);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

async function request(opts: CliOptions): Promise<number> {
  if (opts.protocol === 'smart') return smartRequest(opts);
  const { command, timeout: commandTimeout } = chosenCommand(opts);
  const dangerous = deviceChangingMethods(command.request);
  refuseUnlessAllowed(opts, dangerous.length === 0 && command.destructive ? [`${command.module}.${command.method}`] : dangerous);
  const timeout = opts.timeout ?? commandTimeout ?? DEFAULT_TIMEOUT;
  const connector = new Connector(
    { protocol: opts.protocol ?? 'auto', transport: opts.udp ? 'udp' : 'tcp', port: opts.port, credentials: accountOf(opts) },
    { timeout },
  );
  const session = new DeviceSession({ host: opts.host as string, port: connector.port, timeout, createClient: connector.createClient });
  try {
    // --outlet: the strip's own sysinfo says which child id it is.
    const sent = opts.outlet === undefined ? command.request : await session.forOutlet(command.request, opts.outlet);
    const reply = await session.request(sent);
    print(reply);
    checkReply(sent, reply); // after printing: the other methods' results are still useful
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

/** The account from --username/--password, else TPLINK_USERNAME/TPLINK_PASSWORD; undefined when none. */
function accountOf(opts: CliOptions): Credentials | undefined {
  const username = opts.username ?? process.env.TPLINK_USERNAME ?? '';
  const password = opts.password ?? process.env.TPLINK_PASSWORD ?? '';
  return username === '' && password === '' ? undefined : { username: username.trim(), password };
}

async function discovery(opts: CliOptions): Promise<number> {
  const { devices, rejected } = await discover({
    broadcast: opts.broadcast ?? DEFAULT_BROADCAST,
    port: opts.port,
    port20002: opts.port20002,
    timeout: opts.timeout ?? DISCOVERY_TIMEOUT,
  });
  print(devices.map((d) => ({
    host: d.host, port: d.port, protocol: d.protocol, needsAuth: d.needsAuth,
    alias: d.aliasKnown ? d.alias : null, model: d.model, mac: d.mac, outlets: d.outlets,
  })));
  for (const r of rejected) process.stderr.write(`${PROG}: ignored answer from ${r.host}:${r.port}: ${r.reason}\n`);
  return EXIT.ok;
}

const KLAP_HINT = ' (a plug with newer "KLAP" firmware does not answer on port 9999: try --protocol klap with its account)';

/** `protocol`: the one asked for, when known (the KLAP hint is for a legacy or auto try only). */
function report(err: unknown, protocol?: string): number {
  let code: number;
  let message: string;
  if (err instanceof UsageError) {
    code = err.exitCode;
    message = err.exitCode === EXIT.usage ? `${err.message} (see --help)` : err.message;
  } else if (err instanceof TplinkError) {
    code = exitCodeOf(err.kind);
    message = err.kind === 'timeout' && protocol !== 'klap' && protocol !== 'smart' ? err.message + KLAP_HINT : err.message;
  } else if (isObject(err) && typeof err.code === 'string' && typeof err.message === 'string') {
    code = EXIT.unreachable; // a socket error of discovery (EACCES on broadcast, bad address, ...)
    message = `network error: ${err.message}`;
  } else {
    code = EXIT.internal;
    message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    if (process.env.TPLINK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  }
  process.stderr.write(`${PROG}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return code;
}

export async function main(argv: readonly string[]): Promise<number> {
  let protocol: string | undefined;
  try {
    const opts = parseArgs(argv);
    protocol = opts.protocol;
    if (opts.help || argv.length === 0) {
      (opts.help ? process.stdout : process.stderr).write(`${usage()}\n`);
      return opts.help ? EXIT.ok : EXIT.usage;
    }
    return await (opts.discover ? discovery(opts) : request(opts));
  } catch (err) {
    return report(err, protocol);
  }
}

if (require.main === module) {
  process.stdout.on('error', () => {}); // e.g. piped into `head`: not our failure
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
