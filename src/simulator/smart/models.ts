// SMART plug models the simulator plays: the fixed parts of get_device_info and
// what each has (energy meter, outlets) and how it is reached (AES or KLAP).
// Values follow recorded device replies in public sources (see docs/).

export interface SmartModelSpec {
  /** Short name for start({model}) and the CLI: "P110", "P300". */
  name: string;
  /** get_device_info.model */
  model: string;
  /** discovery's device_model */
  discoveryModel: string;
  type: 'SMART.TAPOPLUG' | 'SMART.KASAPLUG' | 'SMART.KASASWITCH';
  hwVer: string;
  fwVer: string;
  /** How this firmware is reached (discovery's encrypt_type). */
  encrypt: 'AES' | 'KLAP';
  /** discovery's lv (login version); undefined: not sent. */
  lv?: number;
  energy: boolean;
  /** 0 for plugs; outlets driven through control_child on strips. */
  children: number;
  /** Watts drawn per outlet while on (the plug's own load at [0]). */
  loads: number[];
  mainsVolts: number;
  /** get_countdown_rules with `params: null` answers -1008 (a P110 does). */
  nullParamsRefused: boolean;
  region: string;
}

export const SMART_MODELS: readonly SmartModelSpec[] = [
  {
    name: 'P110', model: 'P110', discoveryModel: 'P110(UK)', type: 'SMART.TAPOPLUG', hwVer: '1.0', fwVer: '1.3.0 Build 230905 Rel.152200',
    encrypt: 'KLAP', lv: 2, energy: true, children: 0, loads: [60], mainsVolts: 230, nullParamsRefused: true, region: 'Europe/London',
  },
  {
    name: 'P100', model: 'P100', discoveryModel: 'P100(EU)', type: 'SMART.TAPOPLUG', hwVer: '1.0.0', fwVer: '1.1.3 Build 20191017 Rel. 57937',
    encrypt: 'AES', energy: false, children: 0, loads: [40], mainsVolts: 230, nullParamsRefused: false, region: 'Europe/Berlin',
  },
  {
    name: 'P300', model: 'P300', discoveryModel: 'P300(EU)', type: 'SMART.TAPOPLUG', hwVer: '1.0', fwVer: '1.0.13 Build 230925 Rel.150200',
    encrypt: 'KLAP', lv: 2, energy: false, children: 3, loads: [0, 25, 60, 100], mainsVolts: 230, nullParamsRefused: false, region: 'Europe/Berlin',
  },
  {
    name: 'KP125M', model: 'KP125M', discoveryModel: 'KP125M(US)', type: 'SMART.KASAPLUG', hwVer: '1.0', fwVer: '1.1.3 Build 230801 Rel.092557',
    encrypt: 'AES', energy: true, children: 0, loads: [75], mainsVolts: 120, nullParamsRefused: false, region: 'America/New_York',
  },
];

export function findSmartModel(name: string): SmartModelSpec {
  const want = String(name).trim().toUpperCase();
  const spec = SMART_MODELS.find((m) => m.name.toUpperCase() === want);
  if (!spec) throw new Error(`unknown SMART model "${name}"; known: ${SMART_MODELS.map((m) => m.name).join(', ')}`);
  return spec;
}
