'use strict';
// A SMART plug on AES "securePassthrough" firmware for the benchmarks: the
// simulator's AesSmartServer (node:http, real RSA handshake and AES, a P100's
// device logic) in its own process, with the bench account. There is no
// fixed-reply AES device: figures against it include the simulator's server.
//
// const dev = await spawnAesDevice(); dev.port; await dev.close()

const path = require('path');
const { forkDevice } = require('./child-device');
const { ACCOUNT } = require('./fixed-klap-device');

const ROOT = path.resolve(__dirname, '..', '..');

function spawnAesDevice() {
  return forkDevice(__filename, [], 'AES device');
}

module.exports = { spawnAesDevice };

if (require.main === module) {
  const { AesSmartServer } = require(path.join(ROOT, 'nodes/simulator/smart/aes-server'));
  AesSmartServer.start({ model: 'P100', host: '127.0.0.1', port: 0, nickname: 'bench plug', ...ACCOUNT }).then((srv) => {
    process.send({ port: srv.port });
    process.on('disconnect', () => process.exit(0));
  });
}
