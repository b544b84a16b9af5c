// Non-plug things that answer a discovery probe on a real LAN: a device that
// answers noise, and a smart bulb (valid JSON, but not a plug). Each has its
// own UDP socket and port, like a separate host.

import * as dgram from 'dgram';
import { randomBytes } from 'crypto';
import { decrypt, encrypt } from '../core/cipher';
import { bindUdp, closeUdp } from './net-util';
import { garbageBytes } from './wire';

export type ExtraKind = 'garbage' | 'bulb';

function bulbSysinfo(deviceId: string, mac: string): object {
  return {
    system: {
      get_sysinfo: {
        sw_ver: '1.8.11 Build 191113 Rel.105336',
        hw_ver: '1.0',
        model: 'LB100(EU)',
        description: 'Smart Wi-Fi LED Bulb with Dimmable Light',
        alias: 'Simulated bulb',
        mic_type: 'IOT.SMARTBULB',
        dev_state: 'normal',
        mic_mac: mac,
        deviceId,
        oemId: 'A68E15472071CB761E5CCFB388A1D8AE',
        hwId: '111E35908497A05512E259BB76801E10',
        is_factory: false,
        disco_ver: '1.0',
        ctrl_protocols: { name: 'Linkie', version: '1.0' },
        light_state: { on_off: 1, mode: 'normal', hue: 0, saturation: 0, color_temp: 2700, brightness: 100 },
        is_dimmable: 1,
        is_color: 0,
        is_variable_color_temp: 0,
        rssi: -61,
        err_code: 0,
      },
    },
  };
}

export class ExtraResponder {
  private readonly deviceId = randomBytes(20).toString('hex').toUpperCase();
  private readonly mac = `50C7BF${randomBytes(3).toString('hex').toUpperCase()}`;

  private constructor(readonly kind: ExtraKind, readonly host: string, private readonly sock: dgram.Socket) {
    sock.on('error', () => {});
  }

  static async start(kind: ExtraKind, host: string): Promise<ExtraResponder> {
    return new ExtraResponder(kind, host, await bindUdp(host, 0));
  }

  get port(): number {
    return this.sock.address().port;
  }

  answerDatagram(msg: Buffer, to: { address: string; port: number }): void {
    let out: Buffer;
    if (this.kind === 'garbage') {
      out = garbageBytes(48);
    } else {
      try {
        JSON.parse(decrypt(msg));
      } catch {
        return;
      }
      out = encrypt(JSON.stringify(bulbSysinfo(this.deviceId, this.mac)));
    }
    try {
      this.sock.send(out, to.port, to.address);
    } catch {
      // closed meanwhile
    }
  }

  close(): Promise<void> {
    return closeUdp(this.sock);
  }
}
