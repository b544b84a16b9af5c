'use strict';
// The fast fixed-reply device: a tiny TCP server on 127.0.0.1 that answers every
// length-framed request with the same pre-encrypted get_sysinfo reply (an HS110's,
// 678 bytes of JSON). It does no decryption or JSON work per request, so what a
// benchmark measures is the client and the loopback, not a simulator.
// Connections stay open for more requests (like firmware that keeps them) and are
// closed when the client closes its side.
//
// In-process: const dev = await startFixedDevice(); dev.port; await dev.close()
// As a child process (node bench/lib/fixed-device.js): sends {port} over IPC and
// serves until the parent disconnects.

const net = require('net');
const { forkDevice, listenLocal } = require('./child-device');
// The floor client's byte-loop framing encryption: the device answers in exactly that form.
const { encryptFrame } = require('./floor-client');

const SYSINFO = {
  system: {
    get_sysinfo: {
      sw_ver: '1.2.6 Build 200727 Rel.121701', hw_ver: '1.0', type: 'IOT.SMARTPLUGSWITCH', mic_type: 'IOT.SMARTPLUGSWITCH',
      model: 'HS110(EU)', mac: '50:C7:BF:00:00:01', dev_name: 'Wi-Fi Smart Plug With Energy Monitoring', alias: 'bench plug',
      relay_state: 0, on_time: 0, active_mode: 'none', feature: 'TIM:ENE', updating: 0, icon_hash: '', rssi: -58, led_off: 0,
      latitude: 0, longitude: 0, latitude_i: 0, longitude_i: 0, hwId: '45E29DA8382494D2E82688B52A0B2EB5',
      fwId: '00000000000000000000000000000000', deviceId: '8006000000000000000000000000000000000000',
      oemId: '3D341ECE302C0642C99E31CE2430544B', next_action: { type: -1 }, ntc_state: 0, err_code: 0,
    },
  },
};

const REPLY_JSON = JSON.stringify(SYSINFO);
const REPLY_FRAME = encryptFrame(REPLY_JSON);

function startFixedDevice({ port = 0 } = {}) {
  const sockets = new Set();
  const stats = { connections: 0, requests: 0 };
  const server = net.createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf = null;
    socket.on('data', (chunk) => {
      buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
      // Answer every complete request in the buffer; keep an incomplete tail.
      while (buf !== null && buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len > 65536) { socket.destroy(); return; }
        if (buf.length < 4 + len) break;
        buf = buf.length === 4 + len ? null : buf.subarray(4 + len);
        stats.requests++;
        socket.write(REPLY_FRAME);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return listenLocal(server, port, sockets, stats);
}

/** Starts the device in a child process; resolves with {port, child, close()}. */
function spawnFixedDevice() {
  return forkDevice(__filename, [], 'fixed device');
}

module.exports = { startFixedDevice, spawnFixedDevice, encryptFrame, REPLY_JSON, REPLY_FRAME, SYSINFO };

if (require.main === module) {
  startFixedDevice().then((dev) => {
    process.send({ port: dev.port });
    process.on('disconnect', () => process.exit(0));
  });
}
