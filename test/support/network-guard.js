'use strict';
// Network guard for the test suite (mocha `require` in .mocharc.json, and every
// Node child the tests start through NODE_OPTIONS): a TCP connect, UDP send or
// DNS query to anything but loopback throws before a packet can leave, and is
// recorded so the current test fails even when the throw is swallowed (a
// library's catch, an 'error' event nobody checks, a child process).
// Tests talk to 127.0.0.1 only; a default such as 255.255.255.255 is tested by
// stubbing the socket, never by sending.
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const dgram = require('dgram');
const dns = require('dns');

const INSTALLED = Symbol.for('tplink-smartplug.network-guard');
const LOG_ENV = 'TPLINK_NET_GUARD_LOG';

/** True for 127.0.0.0/8, ::1 (any spelling, also IPv4-mapped) and the name localhost. */
function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default is localhost
  let h = String(host).toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  const zone = h.indexOf('%');
  if (zone >= 0) h = h.slice(0, zone);
  if (h === 'localhost' || h === 'localhost.') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return mapped[1].startsWith('127.');
    const sl = new net.SocketAddress({ address: h, family: 'ipv6' }).address; // normalised
    return sl === '::1';
  }
  return false;
}

// Violations seen in this process (and, through the log file, in its children).
const seen = [];
let logFile = process.env[LOG_ENV] || null;

function refuse(what, host, port) {
  const where = port === undefined || port === null || port === '' ? String(host) : `${host}:${port}`;
  const msg = `network guard: ${what} to ${where} refused (tests may only talk to loopback)`;
  seen.push(msg);
  if (logFile) {
    try { fs.appendFileSync(logFile, `${msg} [pid ${process.pid}]\n`); } catch { /* parent gone */ }
  }
  const err = new Error(msg);
  err.code = 'ENETGUARD';
  throw err;
}

/** The host and port of net.Socket#connect's argument forms; null for a Unix socket path. */
function connectTarget(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // net.connect() passes its normalised [options, cb]
  if (a !== null && typeof a === 'object') {
    if (a.path !== undefined && a.path !== null) return null;
    return { host: a.host === undefined ? a.hostname : a.host, port: a.port };
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return null; // a path
  return { host: typeof args[1] === 'string' ? args[1] : undefined, port: a };
}

/** The address of dgram.Socket#send's argument forms (mirrors Node's own parsing). */
function sendTarget(args) {
  const [, offset, length, port, address] = args;
  if (address || (port && typeof port !== 'function')) return { host: typeof address === 'string' ? address : undefined, port };
  return { host: typeof length === 'string' ? length : undefined, port: offset };
}

const DNS_QUERIES = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx',
  'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTlsa', 'resolveTxt', 'reverse'];

function wrap(obj, name, check) {
  const orig = obj && obj[name];
  if (typeof orig !== 'function') return;
  const guarded = function (...args) {
    check(args, this);
    return orig.apply(this, args);
  };
  Object.defineProperty(guarded, 'name', { value: orig.name });
  obj[name] = guarded;
}

function install() {
  if (global[INSTALLED]) return;
  global[INSTALLED] = true;

  wrap(net.Socket.prototype, 'connect', (args) => {
    const t = connectTarget(args);
    if (t && !isLoopback(t.host)) refuse('TCP connect', t.host, t.port);
  });
  wrap(dgram.Socket.prototype, 'connect', (args) => {
    const host = typeof args[1] === 'string' ? args[1] : undefined;
    if (!isLoopback(host)) refuse('UDP connect', host, args[0]);
  });
  wrap(dgram.Socket.prototype, 'send', (args, sock) => {
    let connected = false;
    try { sock.remoteAddress(); connected = true; } catch { /* not connected */ }
    if (connected) return; // its address was checked by connect()
    const t = sendTarget(args);
    if (!isLoopback(t.host)) refuse('UDP send', t.host, t.port);
  });
  // lookup() of an IP literal (e.g. dgram's implicit bind to 0.0.0.0) or of localhost
  // stays in the process or /etc/hosts; other names may ask a DNS server. The
  // resolve*() family always asks a DNS server, so every call is refused.
  for (const mod of [dns, dns.promises]) {
    wrap(mod, 'lookup', (args) => { if (!net.isIP(String(args[0])) && !isLoopback(args[0])) refuse('DNS lookup', args[0]); });
    wrap(mod, 'lookupService', (args) => { if (!isLoopback(args[0])) refuse('DNS lookupService', args[0], args[1]); });
    for (const q of DNS_QUERIES) {
      wrap(mod, q, (args) => refuse(`DNS ${q}`, args[0]));
      wrap(mod.Resolver && mod.Resolver.prototype, q, (args) => refuse(`DNS ${q}`, args[0]));
    }
  }

  // Children (Node-RED, the CLI, the simulators) load this file too and append
  // what they refuse to a log file the parent reads after each test.
  const opt = `--require ${JSON.stringify(__filename)}`;
  if (!(process.env.NODE_OPTIONS || '').includes(opt)) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} ${opt}`.trim();
  }
  if (!logFile) {
    logFile = path.join(os.tmpdir(), `tplink-net-guard-${process.pid}.log`);
    fs.writeFileSync(logFile, '');
    process.env[LOG_ENV] = logFile;
    process.on('exit', () => { try { fs.unlinkSync(logFile); } catch { /* gone */ } });
  }
}

install();

let logRead = 0;
/** Violations recorded since the last call, here and in child processes. */
function takeViolations() {
  const out = seen.splice(0);
  if (logFile) {
    try {
      const text = fs.readFileSync(logFile, 'utf8');
      // Our own lines are in `seen` already; the file adds the children's.
      const lines = text.slice(logRead).split('\n').filter((l) => l && !l.endsWith(`[pid ${process.pid}]`));
      logRead = text.length;
      out.push(...lines);
    } catch { /* no file */ }
  }
  return out;
}

// Mocha root hooks: fail the test during which something was refused.
const mochaHooks = {
  afterEach() {
    const v = takeViolations();
    if (v.length) this.test.error(new Error(v.join('\n')));
  },
  afterAll() {
    const v = takeViolations();
    if (v.length) throw new Error(v.join('\n'));
  },
};

module.exports = { mochaHooks, isLoopback, takeViolations };
