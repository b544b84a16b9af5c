// Public API of the plug simulator.

export { PlugSimulator, StartOptions } from './server';
export { SimulatedDevice, DeviceOptions, DeviceState } from './device';
export { SimulatorNetwork, NetworkOptions, NetworkDeviceOptions } from './network';
export { ExtraKind } from './extras';
export { Fault, FaultType, FAULT_TYPES } from './faults';
export { MODELS, ModelSpec, EmeterUnits, findModel, booleanRuleFlags } from './models';
export { Rule, RuleKind } from './rules';
export { isLoopback } from './net-util';
export { KlapServer, KlapServerOptions, KlapHandler, KlapFault, KlapFaultType, KLAP_FAULT_TYPES } from './klap-server';
export { KlapPlugSimulator, KlapPlugOptions } from './klap-plug';
export { KLAP_MODELS, KlapModelSpec, findKlapModel } from './klap-models';
export { UdpFanOut, DatagramAnswerer } from './udp-fanout';
export { SmartPlugSimulator, SmartPlugOptions, SmartPlugFault, SMART_SIM_MODELS } from './smart-plug';
