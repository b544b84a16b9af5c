'use strict';
// What the benchmark devices share: listening on 127.0.0.1 with a close() that drops
// every open socket, and running a device file in its own process (it reports its
// port over IPC), so its CPU is not the client's.

const { fork } = require('child_process');

/** server.listen(port, 127.0.0.1); resolves with {port, stats, close()}. */
function listenLocal(server, port, sockets, stats) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        stats,
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}

/** Forks `file` with `args`; resolves with {port, pid, close()} once it sends {port}. */
function forkDevice(file, args, what) {
  const child = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${what} exited early (${code})`)));
    child.once('message', (m) => {
      child.removeAllListeners('exit');
      resolve({
        port: m.port,
        pid: child.pid,
        close: () => new Promise((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

module.exports = { listenLocal, forkDevice };
