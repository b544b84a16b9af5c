// The device model: one interface over the IOT and SMART dialects (docs/smart-model.md).

export * from './device-model';
export { IotModel, IotModelOptions, IotRequest, iotRequestOver } from './iot-model';
export { SmartModel, SmartModelOptions, SmartRequest } from './smart-model';
