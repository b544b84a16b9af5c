// Public API of the protocol core (no Node-RED imports anywhere under core/).
export * from './cipher';
export * from './framing';
export * from './errors';
export * from './client';
export * from './discovery';
export { discover20002, parseAnswer20002, Discovered20002, DISCOVERY_20002_PORT } from './discovery-20002';
export { probeTarget, ProbeTarget } from './udp-probe';
export { AddressResolver, Address } from './address-resolver';
export { udpRequest } from './transport/xor-udp';
export * from './json-reply';
export * from './transport/transport';
export { createTransport, transportNames } from './transport/factory';
