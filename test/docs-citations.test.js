'use strict';
// Code, tests and docs cite the project's own docs/*.md (issue 11, defect 13: they
// cited a PROTOCOL.md that is not in the repository). Every cited docs file must exist.
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'images']);

function files(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/\.(ts|js|py|md|html|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('documentation citations', () => {
  const sources = [
    ...['src', 'test', 'docs', 'bench', 'examples'].filter((d) => fs.existsSync(path.join(ROOT, d))).flatMap((d) => files(path.join(ROOT, d))),
    ...['README.md'].map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f)),
    ...fs.readdirSync(path.join(ROOT, 'nodes')).filter((f) => f.endsWith('.html')).map((f) => path.join(ROOT, 'nodes', f)),
  ].filter((f) => f !== __filename);

  it('nothing cites PROTOCOL.md (the protocol is described in docs/protocol.md)', () => {
    const citing = sources.filter((f) => /PROTOCOL\.md/.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f));
    assert.deepStrictEqual(citing, []);
  });

  it('every docs/<name>.md cited exists', () => {
    const missing = [];
    for (const f of sources) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bdocs\/([A-Za-z0-9_-]+\.md)\b/g)) {
        if (!fs.existsSync(path.join(ROOT, 'docs', m[1]))) missing.push(`${path.relative(ROOT, f)}: docs/${m[1]}`);
      }
    }
    assert.deepStrictEqual(missing, []);
  });

  it('docs/protocol.md covers the wire, the errors, every module the package sends and the newer firmware', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'protocol.md'), 'utf8');
    for (const heading of ['Wire format', 'Errors', 'Commands the package sends', 'Commands that can break a device', 'Newer firmware generations', 'KLAP', 'AES securePassthrough', 'The SMART dialect', 'Discovery on UDP 20002']) {
      assert.match(doc, new RegExp(`^#+ ${heading}$`, 'm'), heading);
    }
    // Every module.method a command builder can produce is described.
    const srcDir = path.join(ROOT, 'src', 'core', 'commands');
    for (const f of fs.readdirSync(srcDir)) {
      const text = fs.readFileSync(path.join(srcDir, f), 'utf8');
      const mod = /const M = '([A-Za-z_]+)'/.exec(text);
      if (!mod) continue;
      assert.ok(doc.includes(`\`${mod[1]}\``) || doc.includes(`"${mod[1]}"`), `module ${mod[1]} (${f})`);
      for (const m of text.matchAll(/command\(M, '([a-z_]+)'/g)) assert.ok(doc.includes(m[1]), `${mod[1]}.${m[1]} (${f})`);
    }
  });
});
