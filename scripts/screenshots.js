#!/usr/bin/env node
// `npm run screenshots`: regenerates the README's pictures under docs/images/
// by running the browser tests (test/browser.test.js for the editor,
// test/browser-dashboard.test.js for the dashboard page) with SCREENSHOTS=1, so the
// pictures show exactly what the tests check. Needs Chromium (/usr/bin/chromium,
// or CHROMIUM_PATH); without it this fails instead of skipping.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'docs', 'images');
const PICTURES = ['palette.png', 'device-search.png', 'flow.png', 'debug-emeter.png', 'dashboard.png'];

const mtime = (f) => { try { return fs.statSync(path.join(dir, f)).mtimeMs; } catch { return 0; } };
const before = Object.fromEntries(PICTURES.map((f) => [f, mtime(f)]));

const run = spawnSync(process.execPath, [
  require.resolve('mocha/bin/mocha.js', { paths: [root] }),
  '--no-config', '--timeout', '60000', '--exit', path.join('test', 'browser.test.js'), path.join('test', 'browser-dashboard.test.js'),
], { cwd: root, stdio: 'inherit', env: { ...process.env, SCREENSHOTS: '1' } });

const stale = PICTURES.filter((f) => mtime(f) === before[f]);
for (const f of PICTURES) {
  console.log(`${stale.includes(f) ? 'NOT updated' : 'written    '}  ${path.relative(root, path.join(dir, f))}`);
}
if (run.status !== 0) console.error(`browser tests failed (exit ${run.status ?? run.signal}); see above`);
process.exit(stale.length || run.status !== 0 ? 1 : 0);
