// Public API of the protocol core (no Node-RED imports anywhere under core/).
export * from './cipher';
export * from './framing';
export * from './errors';
export * from './client';
export * from './discovery';
export { udpRequest } from './transport/xor-udp';
export * from './json-reply';
export * from './transport/transport';
export { createTransport, transportNames } from './transport/factory';
