'use strict';
// Preloaded (-r) into a spawned CLI by test/cli.test.js: any DNS lookup or UDP
// send ends the process with status 99 and names it, so a test can tell that
// a bad argument was refused before anything touched the network.
const dns = require('dns');
const dgram = require('dgram');

function caught(what) {
  process.stderr.write(`network use in a test that expects none: ${what}\n`);
  process.exit(99);
}
dns.lookup = (host) => caught(`dns.lookup(${JSON.stringify(host)})`);
dgram.Socket.prototype.send = function (msg, ...rest) {
  caught(`udp send to ${rest.filter((x) => typeof x === 'string').join(' ')}`);
};
