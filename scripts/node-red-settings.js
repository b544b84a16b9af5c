// Node-RED settings for `npm start` and the browser tests: loopback only, and
// nothing phones home (no telemetry, update checks or online palette catalogue).
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: Number(process.env.PORT) || 1880,
  flowFile: 'flows.json',
  credentialSecret: 'tplink-smartplug-demo',
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  editorTheme: {
    palette: { catalogues: [] },
    tours: false,
    projects: { enabled: false },
  },
  externalModules: {
    autoInstall: false,
    palette: { allowInstall: false },
    modules: { allowInstall: false },
  },
  logging: { console: { level: process.env.NODE_RED_LOG || 'info', metrics: false, audit: false } },
  functionExternalModules: false,
};
