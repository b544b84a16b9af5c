'use strict';
// A UDP port on 127.0.0.1 held by a socket that never answers: point a probe a
// test doesn't care about (say the 20002 one of a legacy-only test) there, so
// nothing else on this machine listening on the default port can answer it.
const dgram = require('dgram');

/** Resolves { port, received, close() }; `received` counts datagrams that arrived. */
function silentUdpPort() {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const out = { port: 0, received: 0, close: () => new Promise((r) => sock.close(() => r())) };
    sock.on('message', () => { out.received++; });
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      out.port = sock.address().port;
      resolve(out);
    });
  });
}

module.exports = { silentUdpPort };
