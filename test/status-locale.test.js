'use strict';
// Status texts come from the locale files (issue 11): every key the node code
// asks for exists in nodes/locales/en-US/tplink-device.json ("status"), and no
// node sets an English status text of its own. The node tests then check the
// texts as translated by Node-RED's i18n (test/support/nodes.js).
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const SRC = path.join(__dirname, '..', 'src');
const catalog = require('../nodes/locales/en-US/tplink-device.json')['tplink-device'].status;

function sources(dir = SRC) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'simulator' || e.name === 'cli' || e.name === 'core' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Keys asked for: text('key' …), text(x ? 'a' : 'b' …), status.problem(node, 'key'). */
function keysIn(code) {
  const keys = new Set();
  for (const m of code.matchAll(/\btext\(([^,)]*)/g)) for (const k of m[1].matchAll(/'([A-Za-z]+)'/g)) keys.add(k[1]);
  for (const m of code.matchAll(/status\.problem\(\w+, '([A-Za-z]+)'/g)) keys.add(m[1]);
  return keys;
}

describe('status texts from the locale files', () => {
  const files = sources();

  it('every key the nodes use is in the en-US catalog', () => {
    const missing = [];
    let used = 0;
    for (const f of files) {
      for (const k of keysIn(fs.readFileSync(f, 'utf8'))) {
        used++;
        const plural = Object.keys(catalog).some((c) => c.startsWith(`${k}_`));
        if (!(k in catalog) && !plural) missing.push(`${path.relative(SRC, f)}: ${k}`);
      }
    }
    assert.ok(used > 40, `found the keys (${used})`);
    assert.deepStrictEqual(missing, []);
  });

  it('no node writes an English status text itself', () => {
    const literal = [];
    for (const f of files) {
      fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/\b(text|statusText): ['`]/.test(line)) literal.push(`${path.relative(SRC, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepStrictEqual(literal, []);
  });
});
