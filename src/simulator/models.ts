// The plug models the simulator can play, with the fixed parts of their
// get_sysinfo. Values follow what these devices report on the wire.

/** Emeter unit convention: hw 1.x plugs speak V/A/W/kWh, later ones and strips milli-units. */
export type EmeterUnits = 'v1' | 'v2';

export interface ModelSpec {
  /** Short name used by start({model}) and the CLI, e.g. "HS110v2". */
  name: string;
  /** get_sysinfo.model, e.g. "HS110(EU)". */
  model: string;
  hwVer: string;
  swVer: string;
  devName: string;
  hwId: string;
  oemId: string;
  /** null: no energy meter, the emeter module answers -1. */
  emeter: EmeterUnits | null;
  /** 1 for plugs and switches; > 1 for strips (sysinfo.children, context addressing). */
  outlets: number;
  /** Nominal mains voltage of the region the model is sold in. */
  mainsVolts: number;
  /** Default load in watts per outlet while its relay is on. */
  loads: number[];
  /** Prefix of the factory alias, completed with the MAC's last 4 hex digits. */
  aliasPrefix: string;
  /**
   * Whether schedule/anti_theft rules may carry JSON booleans in `wday` and `repeat`.
   * Unset: true for hardware 1.x, false otherwise (see booleanRuleFlags()).
   */
  booleanRuleFlags?: boolean;
}

const SW_V1 = '1.2.6 Build 200727 Rel.121701';

export const MODELS: readonly ModelSpec[] = [
  {
    name: 'HS100', model: 'HS100(EU)', hwVer: '2.0', swVer: '1.5.10 Build 191125 Rel.114436', devName: 'Smart Wi-Fi Plug',
    hwId: 'A0E3CC8F5C1166B27A16D56BE262A6D3', oemId: 'FDD18403D5E8DB3613009C820963E018',
    emeter: null, outlets: 1, mainsVolts: 230, loads: [40], aliasPrefix: 'TP-LINK_Smart Plug_',
  },
  {
    name: 'HS105', model: 'HS105(US)', hwVer: '1.0', swVer: '1.5.8 Build 191125 Rel.135255', devName: 'Smart Wi-Fi Plug Mini',
    hwId: '60FF6B258734EA6880E186F8C96DDC61', oemId: 'FFF22CFF774A0B89F7624BFC6F50D5DE',
    emeter: null, outlets: 1, mainsVolts: 120, loads: [25], aliasPrefix: 'TP-LINK_Smart Plug_',
  },
  {
    name: 'HS110', model: 'HS110(EU)', hwVer: '1.0', swVer: SW_V1, devName: 'Wi-Fi Smart Plug With Energy Monitoring',
    hwId: '45E29DA8382494D2E82688B52A0B2EB5', oemId: '3D341ECE302C0642C99E31CE2430544B',
    emeter: 'v1', outlets: 1, mainsVolts: 230, loads: [60], aliasPrefix: 'TP-LINK_Smart Plug_',
  },
  {
    name: 'HS110v2', model: 'HS110(EU)', hwVer: '2.0', swVer: '1.5.7 Build 191118 Rel.104656', devName: 'Smart Wi-Fi Plug With Energy Monitoring',
    hwId: '044A516EE63C875F9458DA25C2CCC5A0', oemId: '1998A14DAA86E4E001FD7CAF42868B5E',
    emeter: 'v2', outlets: 1, mainsVolts: 230, loads: [60], aliasPrefix: 'TP-LINK_Smart Plug_',
  },
  {
    name: 'HS200', model: 'HS200(US)', hwVer: '2.0', swVer: '1.5.8 Build 180815 Rel.135916', devName: 'Smart Wi-Fi Light Switch',
    hwId: '2A1BF2B65AE23E1F40186B6DFE2A47E1', oemId: '37589AA1F5CACDC53E2914B7760127E5',
    emeter: null, outlets: 1, mainsVolts: 120, loads: [60], aliasPrefix: 'TP-LINK_Smart Switch_',
  },
  {
    name: 'HS300', model: 'HS300(US)', hwVer: '1.0', swVer: '1.0.19 Build 200224 Rel.090814', devName: 'Smart Wi-Fi Power Strip',
    hwId: '22603EA5E716DEAEA6642A30BE87AFCA', oemId: '5C9E6254BEBAED63B2B6102966D24C17',
    emeter: 'v2', outlets: 6, mainsVolts: 120, loads: [60, 15, 120, 7, 900, 0], aliasPrefix: 'TP-LINK_Power Strip_',
  },
];

/**
 * Rule flags as JSON booleans (`"wday":[false,true,…]`, `"repeat":true`, what
 * tplink-smarthome-api writes): hardware 1.x firmware takes them, hardware 2.x
 * answers -3 "invalid argument" (tplink-smarthome-api issue #89: the same boolean
 * edit_rule works on an HS110 hw 1.0 and fails on an HS110 hw 2.0). A spec's own
 * `booleanRuleFlags` wins. Sources: docs/compatibility.md.
 */
export function booleanRuleFlags(spec: ModelSpec): boolean {
  if (typeof spec.booleanRuleFlags === 'boolean') return spec.booleanRuleFlags;
  return /^1(\.|$)/.test(String(spec.hwVer).trim());
}

/** Finds a model by short name, case-insensitively ("hs110v2", "HS300"). */
export function findModel(name: string): ModelSpec {
  const want = String(name).trim().toUpperCase();
  const spec = MODELS.find((m) => m.name.toUpperCase() === want);
  if (!spec) throw new Error(`unknown model "${name}"; known: ${MODELS.map((m) => m.name).join(', ')}`);
  return spec;
}
