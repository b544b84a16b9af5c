'use strict';
// The editor side of the nodes, without a browser: the served editor scripts
// (resources/) and the inline scripts of every nodes/*.html, run in a vm with
// just enough of RED and jQuery for RED.nodes.registerType to record each
// node's definition (defaults with their validate functions).
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const ROOT = path.join(__dirname, '..', '..');
const MODULE = require('../../package.json').name;
const SERVED = ['tplink-rules.js', 'tplink-editor.js'];

/** `<script>` elements of an editor .html: their src (or null) and inline code. */
function scriptsOf(html) {
  const out = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script>/g;
  let m;
  while ((m = re.exec(html))) {
    const attrs = m[1];
    if (/type="text\/html"/.test(attrs)) continue; // a dialog template
    const src = /\bsrc="([^"]+)"/.exec(attrs);
    out.push({ src: src ? src[1] : null, code: m[2] });
  }
  return out;
}

/**
 * Loads the editor code. `served(file)` gives the text of a resources/ file
 * (default: from disk). Returns {defs, window, listeners} with defs by node type.
 */
function loadEditor({ served = (f) => fs.readFileSync(path.join(ROOT, 'resources', f), 'utf8') } = {}) {
  // After a bare `tsc` the rules script may be older than the runtime's rules: say so.
  const { render, OUT } = require('../../scripts/build-editor-scripts');
  if (!fs.existsSync(OUT) || fs.readFileSync(OUT, 'utf8') !== render()) {
    throw new Error('resources/tplink-rules.js is missing or out of date: run `npm run build`');
  }
  const defs = {};
  const listeners = {}; // RED.events, by event name
  const ctx = {
    console,
    RED: {
      // As the editor does, each definition knows the module that registered it.
      nodes: { registerType: (type, def) => { defs[type] = { ...def, set: { module: MODULE } }; }, node: () => null },
      events: {
        on: (ev, fn) => { (listeners[ev] = listeners[ev] || []).push(fn); },
        off: (ev, fn) => { listeners[ev] = (listeners[ev] || []).filter((f) => f !== fn); },
        emit: (ev, ...args) => { for (const fn of listeners[ev] || []) fn(...args); },
      },
      validators: { number: () => () => true, regex: (re) => (v) => re.test(v) },
      _: (key) => key,
      settings: {},
    },
    // The host/mac validators look for an open dialog's inputs: there is none.
    $: () => ({ length: 0, val: () => undefined }),
  };
  ctx.window = ctx;
  vm.createContext(ctx);
  const files = fs.readdirSync(path.join(ROOT, 'nodes')).filter((f) => /^tplink-.*\.html$/.test(f)).sort();
  const loaded = new Set();
  for (const file of files) {
    for (const s of scriptsOf(fs.readFileSync(path.join(ROOT, 'nodes', file), 'utf8'))) {
      if (s.src) {
        const prefix = `resources/${MODULE}/`;
        if (!s.src.startsWith(prefix)) throw new Error(`${file}: unexpected script ${s.src}`);
        const name = s.src.slice(prefix.length);
        vm.runInContext(served(name), ctx, { filename: name });
        loaded.add(`${file} ${name}`);
      } else {
        vm.runInContext(s.code, ctx, { filename: file });
      }
    }
  }
  return { defs, window: ctx, loaded, files, listeners };
}

module.exports = { loadEditor, scriptsOf, SERVED, MODULE };
