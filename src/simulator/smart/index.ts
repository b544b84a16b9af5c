// SMART plug simulator: the device model (transport-agnostic), the AES
// securePassthrough server carrying it, and the 20002 discovery answer.
export { SmartDevice, SmartDeviceOptions } from './device';
export { SMART_MODELS, SmartModelSpec, findSmartModel } from './models';
export { AesSmartServer, AesServerOptions } from './aes-server';
export { AesFault } from './aes-faults';
export { buildDiscoveryAnswer, discoveryResult, DiscoveryAnswerOptions, crc32 } from './discovery-answer';
export { SmartDiscoveryResponder, SmartDiscoveryOptions } from './discovery-responder';
