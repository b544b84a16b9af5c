#!/usr/bin/env node
// tplink-smartplug-sim: runs one or more simulated plugs on loopback for
// manual testing and demos. Prints one line per device, stops on SIGINT/SIGTERM.

import { findModel, MODELS } from './models';
import { findKlapModel, KLAP_MODELS } from './klap-models';
import { KlapPlugSimulator } from './klap-plug';
import { SmartPlugSimulator, SMART_SIM_MODELS, isSmartSimModel } from './smart-plug';
import { assertAllowedHost, normalizeHost } from './net-util';
import { SimulatorNetwork } from './network';
import { PlugSimulator, StartOptions } from './server';

const USAGE = `Usage: tplink-smartplug-sim [options]
  --model <name>         ${MODELS.map((m) => m.name.toLowerCase()).join(' | ')} (repeat for several devices; default hs110)
                         KLAP firmware (HTTP on the port, the 20002 probe answered on the same UDP port number):
                         ${KLAP_MODELS.map((m) => m.name).join(' | ')}
                         SMART (Tapo) firmware, HTTP on the port and the 20002 probe on the same UDP port number:
                         ${Object.entries(SMART_SIM_MODELS).map(([k, v]) => `${k} (${v.transport === 'klap' ? 'KLAP v2' : 'AES'})`).join(' | ')}
  --username <e-mail>    account of the KLAP and SMART models (default blank: an un-provisioned plug)
  --password <text>      its password (default blank; never printed)
  --alias <text>         alias of the device given by the matching --model (repeatable, in order)
  --host <address>       listen address (default 127.0.0.1; non-loopback needs --allow-lan)
  --port <n>             TCP+UDP port of the first device, the next ones on following ports (default 9999; 0 = ephemeral)
  --discovery-port <n>   also answer discovery sent to this UDP port: each device replies from its own port
  --close-after-reply    close the TCP connection after each reply, like some firmware
  --no-udp               no UDP responder on the device ports
  --json                 print one JSON object per device instead of text
  --allow-lan            allow a non-loopback --host
  -h, --help             this text`;

export interface CliOptions {
  models: string[];
  aliases: string[];
  host: string;
  port: number;
  discoveryPort: number | null;
  closeAfterReply: boolean;
  udp: boolean;
  json: boolean;
  allowLan: boolean;
  help: boolean;
  username: string;
  password: string;
}

function portArg(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} needs a port number 0-65535, got ${v ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    models: [], aliases: [], host: '127.0.0.1', port: 9999, discoveryPort: null,
    closeAfterReply: false, udp: true, json: false, allowLan: false, help: false, username: '', password: '',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--model': o.models.push(value()); break;
      case '--alias': o.aliases.push(value()); break;
      case '--username': o.username = value(); break;
      case '--password': o.password = value(); break;
      case '--host': o.host = value(); break;
      case '--port': o.port = portArg(flag, value()); break;
      case '--discovery-port': o.discoveryPort = portArg(flag, value()); break;
      case '--close-after-reply': o.closeAfterReply = true; break;
      case '--no-udp': o.udp = false; break;
      case '--json': o.json = true; break;
      case '--allow-lan': o.allowLan = true; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (o.models.length === 0) o.models.push('hs110');
  for (const m of o.models) if (!findKlapModel(m) && !isSmartSimModel(m)) findModel(m);
  if (o.discoveryPort !== null && o.models.some((m) => findKlapModel(m) || isSmartSimModel(m))) throw new Error('--discovery-port serves the 9999 probe only; KLAP and SMART models answer the 20002 probe on their own port');
  if (o.aliases.length > o.models.length) throw new Error('more --alias than --model entries');
  if (o.port !== 0 && o.port + o.models.length - 1 > 65535) throw new Error('not enough ports above --port for every device');
  return o;
}

function describe(sim: PlugSimulator | KlapPlugSimulator | SmartPlugSimulator, o: CliOptions): string {
  if (sim instanceof SmartPlugSimulator) {
    // The account is described, never shown.
    const account = o.username || o.password ? 'account set' : sim.transport === 'klap' ? 'blank account' : 'default account';
    const k = { model: sim.model, alias: sim.device.main.nickname, host: sim.host, http: sim.port, udp20002: sim.discoveryPort, dialect: 'smart', transport: sim.transport, account };
    if (o.json) return JSON.stringify(k);
    const udp = k.udp20002 === null ? '' : ` udp-20002 ${sim.host}:${k.udp20002}`;
    return `${k.model} ${JSON.stringify(k.alias)} http ${sim.host}:${sim.port}${udp} smart over ${sim.transport === 'klap' ? 'klap v2' : 'aes'} ${account}`;
  }
  if (sim instanceof KlapPlugSimulator) {
    // The account is described, never shown.
    const account = o.username || o.password ? 'account set' : 'blank account';
    const k = { model: sim.spec.name, alias: sim.device.alias(), host: sim.host, http: sim.port, udp20002: sim.discoveryPort, klap: sim.spec.klap.hashVersion, account };
    if (o.json) return JSON.stringify(k);
    const udp = k.udp20002 === null ? '' : ` udp-20002 ${sim.host}:${k.udp20002}`;
    return `${k.model} ${JSON.stringify(k.alias)} http ${sim.host}:${sim.port}${udp} klap v${k.klap} ${account}`;
  }
  const info = { model: sim.device.spec.name, alias: sim.device.alias(), host: sim.host, tcp: sim.port, udp: o.udp ? sim.port : null };
  if (o.json) return JSON.stringify(info);
  const udp = o.udp ? ` udp ${sim.host}:${sim.port}` : '';
  return `${info.model} ${JSON.stringify(info.alias)} tcp ${sim.host}:${sim.port}${udp}`;
}

export async function main(argv: string[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
    o.host = normalizeHost(o.host);
    assertAllowedHost(o.host, o.allowLan);
  } catch (e) {
    process.stderr.write(`tplink-smartplug-sim: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const devices: StartOptions[] = o.models.map((model, i) => ({
    model,
    alias: o.aliases[i],
    port: o.port === 0 ? 0 : o.port + i,
    closeAfterReply: o.closeAfterReply,
  }));
  const sims: (PlugSimulator | KlapPlugSimulator | SmartPlugSimulator)[] = [];
  let network: SimulatorNetwork | null = null;
  const stopAll = async (): Promise<void> => {
    await Promise.all([network?.stop(), ...sims.map((s) => s.stop())]);
  };
  try {
    if (o.discoveryPort !== null) {
      network = await SimulatorNetwork.start({ host: o.host, discoveryPort: o.discoveryPort, devices, allowLan: o.allowLan });
      sims.push(...network.members);
    } else {
      for (const d of devices) {
        if (typeof d.model === 'string' && isSmartSimModel(d.model)) {
          sims.push(await SmartPlugSimulator.start({
            model: d.model, nickname: d.alias, port: d.port, discoveryPort: o.udp ? d.port : null,
            host: o.host, allowLan: o.allowLan, username: o.username, password: o.password,
          }));
        } else if (typeof d.model === 'string' && findKlapModel(d.model)) {
          sims.push(await KlapPlugSimulator.start({
            model: d.model, alias: d.alias, port: d.port, discoveryPort: o.udp ? d.port : null,
            host: o.host, allowLan: o.allowLan, username: o.username, password: o.password,
          }));
        } else sims.push(await PlugSimulator.start({ ...d, host: o.host, udp: o.udp, allowLan: o.allowLan }));
      }
    }
  } catch (e) {
    await stopAll();
    process.stderr.write(`tplink-smartplug-sim: ${(e as Error).message}\n`);
    return 1;
  }
  for (const s of sims) process.stdout.write(`${describe(s, o)}\n`);
  if (network) {
    const line = o.json
      ? JSON.stringify({ discovery: { host: network.host, udp: network.discoveryPort } })
      : `discovery udp ${network.host}:${network.discoveryPort}`;
    process.stdout.write(`${line}\n`);
  }
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stopAll();
  process.stderr.write('tplink-smartplug-sim: stopped\n');
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`tplink-smartplug-sim: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
