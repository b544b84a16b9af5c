// Kasa firmware that closed port 9999 and speaks the same IOT JSON inside KLAP
// on HTTP. The device logic is the legacy models'; what differs is the hash
// version and the discovery answer on UDP 20002 (field layout as recorded from
// these devices, see docs/klap.md). Build suffixes and ids are illustrative.

import type { KlapHashVersion } from '../core/transport/klap-crypto';
import type { ModelSpec } from './models';

export interface KlapModelSpec extends ModelSpec {
  klap: {
    hashVersion: KlapHashVersion;
    /** mgt_encrypt_schm of the 20002 answer, without http_port (the port in use is added) */
    encryptScheme: Record<string, unknown>;
  };
}

export const KLAP_MODELS: readonly KlapModelSpec[] = [
  {
    name: 'hs100-klap', model: 'HS100(UK)', hwVer: '4.1', swVer: '1.1.0 Build 201016 Rel.175121', devName: 'Smart Wi-Fi Plug',
    hwId: 'D1F7F0D1E3C2A9B8F1D6E2C2A6B9F0E1', oemId: 'A1D4C4E8B0F3C2D5E6F7A8B9C0D1E2F3',
    emeter: null, outlets: 1, mainsVolts: 230, loads: [40], aliasPrefix: 'TP-LINK_Smart Plug_',
    klap: { hashVersion: 1, encryptScheme: { encrypt_type: 'KLAP', is_support_https: false } },
  },
  {
    name: 'kp115-klap', model: 'KP115(UK)', hwVer: '1.0', swVer: '1.1.1 Build 240315 Rel.103124', devName: 'Smart Wi-Fi Plug Mini',
    hwId: 'B3E7A9C2D4F6081A2C3E5F7091B3D5E7', oemId: 'C5F7B9D1E3A5072B4D6F8092A4C6E8F0',
    emeter: 'v2', outlets: 1, mainsVolts: 230, loads: [60], aliasPrefix: 'TP-LINK_Smart Plug_',
    klap: { hashVersion: 2, encryptScheme: { ANS: false, encrypt_type: 'KLAP', is_support_https: false, lv: 2, new_klap: 1 } },
  },
  {
    name: 'hs300-klap', model: 'HS300(US)', hwVer: '2.0', swVer: '1.1.2 Build 240322 Rel.151744', devName: 'Smart Wi-Fi Power Strip',
    hwId: 'E9A1C3B5D7F9021436587A9CBEDF0123', oemId: 'F0B2D4E6A8C0132547698BADCFE01234',
    emeter: 'v2', outlets: 6, mainsVolts: 120, loads: [60, 15, 120, 7, 900, 0], aliasPrefix: 'TP-LINK_Power Strip_',
    klap: { hashVersion: 2, encryptScheme: { ANS: false, encrypt_type: 'KLAP', is_support_https: false, lv: 2, new_klap: 1 } },
  },
];

/** The KLAP model of that short name (case-insensitive), or undefined. */
export function findKlapModel(name: string): KlapModelSpec | undefined {
  const want = String(name).trim().toLowerCase();
  return KLAP_MODELS.find((m) => m.name === want);
}
