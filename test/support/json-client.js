'use strict';
// Runs an interoperability client (test/interop/*.js) in a child Node process and
// reads its verdict: the last line of stdout as JSON. Asynchronous, so a simulator
// in this process's event loop keeps answering it; killed after 15 s.

const { spawn } = require('child_process');

/** argv after the Node binary; env is added to this process's. Resolves {code, result, stderr}. */
function runJsonClient(argv, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() || '{}';
      let result;
      try {
        result = JSON.parse(line);
      } catch {
        result = { ok: false, error: `no JSON from the client: ${out} ${err}` };
      }
      resolve({ code, result, stderr: err });
    });
  });
}

module.exports = { runJsonClient };
