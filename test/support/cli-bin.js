'use strict';
// Runs the tplink-smartplug bin as a user would, for the CLI test files, and
// checks its one-line failures.
const assert = require('assert');
const path = require('path');
const { execFile } = require('child_process');

const BIN = path.join(__dirname, '..', '..', 'nodes', 'cli', 'tplink-smartplug.js');

/**
 * Runs the bin; resolves {code, stdout, stderr} (never rejects on a non-zero exit).
 * `noNetwork` preloads cli-no-lookup.js: any lookup or UDP send ends it with status 99.
 */
function runCli(args, { noNetwork = false, env = {}, timeout = 10000 } = {}) {
  const pre = noNetwork ? ['-r', path.join(__dirname, 'cli-no-lookup.js')] : [];
  // No account from the caller's environment leaks into a test.
  const base = { ...process.env };
  delete base.TPLINK_USERNAME;
  delete base.TPLINK_PASSWORD;
  return new Promise((resolve) => {
    execFile(process.execPath, [...pre, BIN, ...args], { timeout, env: { ...base, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** A failure: the given status, one line on stderr matching `re`, no stack trace. */
function assertFails(r, code, re) {
  assert.strictEqual(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.strictEqual(lines.length, 1, `one line expected: ${r.stderr}`);
  assert.match(lines[0], /^tplink-smartplug: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

module.exports = { runCli, assertFails };
