'use strict';
// Runs the suite against another Node-RED than the checkout's devDependency:
// with TPLINK_TEST_NODE_RED set to a node_modules folder holding node-red and
// @node-red/* (CI sets it to ci/nr5/node_modules), every file that resolves into
// this checkout's node_modules/node-red or node_modules/@node-red (a bare
// require, require.resolve, the test helper's relative "../node-red/…") is
// taken from that folder instead. Loaded by mocha (.mocharc.json) and, through
// NODE_OPTIONS, by the Node children the tests start (Node-RED, npm start).
// Without the variable it does nothing.
const fs = require('fs');
const path = require('path');
const Module = require('module');

const ENV = 'TPLINK_TEST_NODE_RED';
const INSTALLED = Symbol.for('tplink-smartplug.node-red-override');
const alt = process.env[ENV];

if (alt && !global[INSTALLED]) {
  global[INSTALLED] = true;
  const altDir = path.resolve(alt);
  if (!fs.existsSync(path.join(altDir, 'node-red', 'package.json'))) {
    throw new Error(`${ENV}=${alt}: no node-red/package.json there (run npm ci in that folder's project)`);
  }
  const own = path.join(path.resolve(__dirname, '..', '..'), 'node_modules') + path.sep;
  const mapped = /^(node-red|@node-red[\\/][^\\/]+)([\\/].*)$/;

  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const file = resolve.call(this, request, ...rest);
    if (typeof file !== 'string' || !file.startsWith(own)) return file;
    const m = mapped.exec(file.slice(own.length));
    if (!m) return file;
    const target = path.join(altDir, m[1], m[2]);
    if (!fs.existsSync(target)) {
      const err = new Error(`Cannot find module '${request}' in ${altDir} (${ENV}), which replaces ${file}`);
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
    return target;
  };

  const opt = `--require ${JSON.stringify(__filename)}`;
  if (!(process.env.NODE_OPTIONS || '').includes(opt)) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} ${opt}`.trim();
  }
}
