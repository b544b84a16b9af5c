'use strict';
// Shared set-up of the interoperability tests: devices of the independent
// tplink-smarthome-simulator on 127.0.0.1, free ports, and small wire helpers
// written here from docs/protocol.md (not taken from our src/), so a shared mistake
// in our cipher or framing can't hide behind itself.
const dgram = require('dgram');
const net = require('net');
const path = require('path');
const { Device } = require('tplink-smarthome-simulator');

const ROOT = path.resolve(__dirname, '..', '..');
const HOST = '127.0.0.1';

/** XOR autokey, initial key 171 (docs/protocol.md), independent of src/core/cipher.ts. */
function encrypt(text) {
  const plain = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(plain.length);
  let key = 171;
  for (let i = 0; i < plain.length; i++) {
    key ^= plain[i];
    out[i] = key;
  }
  return out;
}

function decrypt(bytes) {
  const out = Buffer.alloc(bytes.length);
  let key = 171;
  for (let i = 0; i < bytes.length; i++) {
    out[i] = bytes[i] ^ key;
    key = bytes[i];
  }
  return out.toString('utf8');
}

/**
 * A port free for both TCP and UDP on 127.0.0.1, below the kernel's ephemeral range
 * (32768+), so no outgoing connection of another test can be sitting on it.
 */
async function freeTcpUdpPort() {
  const canBind = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: HOST, exclusive: true }, () => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => { u.close(); srv.close(() => resolve(false)); });
      u.bind(port, HOST, () => u.close(() => srv.close(() => resolve(true))));
    });
  });
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canBind(port)) return port;
  }
  throw new Error('no free port found');
}

/**
 * A tplink-smarthome-simulator device on 127.0.0.1 (TCP and UDP share one port number).
 * Its quirks handled here:
 * - an 'error' event without a listener (a non-JSON message, a reset socket) throws and
 *   would take the test process down, so every device gets a listener that records it;
 * - with port 0 it binds UDP first and then TCP on the same number, which fails now and
 *   then (EADDRINUSE) and leaves a half-started device whose own retry fires later; so
 *   a checked free port is used, and a failed start is neutralised and tried again.
 */
async function startTheirDevice(model, data = {}) {
  let lastErr;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeTcpUdpPort();
    const dev = new Device({ model, address: HOST, port, data: { alias: `their ${model}`, ...data } });
    dev.errors = [];
    dev.deviceNetworking.on('error', (err) => dev.errors.push(err));
    dev.received = [];
    dev.deviceNetworking.on('data', (d) => dev.received.push(d));
    try {
      await dev.start();
      return dev;
    } catch (err) {
      lastErr = err;
      const srv = dev.deviceNetworking.server;
      if (srv) {
        srv.listen = function () { return this; }; // its delayed retry must not bind later
        srv.close(() => {});
      }
      await dev.stop();
    }
  }
  throw lastErr;
}

async function stopTheirDevice(dev) {
  if (!dev) return;
  await dev.stop();
}

/** One framed TCP request with an own socket; resolves with the decrypted reply text. */
function rawTcp(port, request, { timeout = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const body = encrypt(typeof request === 'string' ? request : JSON.stringify(request));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    const sock = net.createConnection({ host: HOST, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no reply from ${HOST}:${port} in ${timeout} ms`)); }, timeout);
    sock.on('connect', () => sock.write(Buffer.concat([head, body])));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(decrypt(buf.subarray(4, 4 + buf.readUInt32BE(0))));
      }
    });
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

module.exports = { ROOT, HOST, encrypt, decrypt, startTheirDevice, stopTheirDevice, freeTcpUdpPort, rawTcp };
