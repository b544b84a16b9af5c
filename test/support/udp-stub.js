'use strict';
// Tests of a default destination such as 255.255.255.255 stub the UDP socket
// instead of sending (the network guard would refuse the real send): while the
// stub is on, dgram sends are recorded and "succeed" without leaving the process.
const dgram = require('dgram');

/** Replaces dgram.Socket#send; returns {sent: [{address, port, bytes}], restore()}. */
function stubUdpSend() {
  const proto = dgram.Socket.prototype;
  const real = proto.send;
  const sent = [];
  proto.send = function stubbedSend(buf, offset, length, port, address, cb) {
    // Node's two forms: (msg, offset, length, port, address, cb) and (msg, port, address, cb).
    if (!(address || (port && typeof port !== 'function'))) {
      cb = typeof length === 'function' ? length : port;
      address = typeof length === 'string' ? length : undefined;
      port = offset;
    } else if (typeof address === 'function') {
      cb = address;
      address = undefined;
    }
    const bytes = Buffer.isBuffer(buf) ? Buffer.from(buf) : Buffer.from(String(buf));
    sent.push({ address, port, bytes });
    if (typeof cb === 'function') process.nextTick(cb, null, bytes.length);
  };
  return { sent, restore() { proto.send = real; } };
}

module.exports = { stubUdpSend };
