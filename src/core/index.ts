// Public API of the protocol core (no Node-RED imports anywhere under core/).
export * from './cipher';
export * from './framing';
export * from './errors';
export * from './client';
export * from './discovery';
export { udpRequest } from './udp-transport';
