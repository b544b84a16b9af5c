'use strict';
// Runs a benchmark section as a child process: its result goes to the parent over
// IPC (or to stdout when run by hand), and any failure is reported, not swallowed.
function run(main) {
  main().then((result) => {
    if (process.send) process.send({ ok: true, result }, () => process.exit(0));
    else { console.log(JSON.stringify(result, null, 2)); process.exit(0); }
  }, (err) => {
    if (process.send) process.send({ ok: false, error: String(err && err.stack || err) }, () => process.exit(1));
    else { console.error(err); process.exit(1); }
  });
}
module.exports = { run };
