'use strict';
// What users install: `npm pack` must carry the compiled JS, editor HTML, icons,
// locales, the editor scripts in resources/ and examples, nothing from test/, and load in a fresh Node-RED with
// production dependencies only (we have none).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync, spawn } = require('child_process');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');

function get(port, urlPath, accept) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Accept: accept } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

describe('npm package', function () {
  this.timeout(90000);
  let tmp, files, red;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const info = JSON.parse(out)[0];
    files = info.files.map((f) => f.path);
    const userDir = path.join(tmp, 'userDir');
    const dest = path.join(userDir, 'node_modules', pkg.name);
    fs.mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, info.filename), '-C', dest, '--strip-components=1']);
  });

  after(() => {
    if (red) red.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('carries compiled JS, HTML, icons, locales and examples for every node, and nothing from test/', () => {
    for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
      assert.ok(files.includes(file), `${file} packed`);
      assert.ok(files.includes(file.replace(/\.js$/, '.html')), `${type} editor HTML packed`);
      assert.ok(files.includes(`nodes/locales/en-US/${type}.json`), `${type} labels packed`);
      if (type !== 'tplink-device') assert.ok(files.includes(`nodes/locales/en-US/${type}.html`), `${type} help packed`);
    }
    assert.ok(files.some((f) => f.startsWith('nodes/icons/')));
    // the editor scripts every node's .html loads from resources/ (built by npm run build)
    for (const f of ['resources/tplink-rules.js', 'resources/tplink-editor.js']) assert.ok(files.includes(f), `${f} packed`);
    assert.ok(files.some((f) => f.startsWith('examples/') && f.endsWith('.json')));
    for (const bin of Object.values(pkg.bin)) assert.ok(files.includes(bin), `bin ${bin} packed`);
    assert.deepStrictEqual(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('bench/')), []);
    assert.deepStrictEqual(Object.keys(pkg.dependencies || {}), [], 'no runtime dependencies');
  });

  it('loads every node in a fresh Node-RED from the tarball alone', async () => {
    const settings = path.join(tmp, 'settings.js');
    fs.writeFileSync(settings, `module.exports = ${JSON.stringify({
      uiHost: '127.0.0.1', uiPort: 0, flowFile: 'flows.json',
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: { palette: { catalogues: [] }, tours: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      logging: { console: { level: 'info' } },
    })};`);
    // NODE_PATH empty and cwd in tmp: nothing from this checkout's node_modules can be reached.
    red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', settings, '--userDir', path.join(tmp, 'userDir')], {
      cwd: tmp, env: { ...process.env, NODE_PATH: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${log}`)), 60000);
      const onData = (c) => {
        log += c;
        const m = /Server now running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      };
      red.stdout.on('data', onData);
      red.stderr.on('data', onData);
      red.on('exit', (code) => reject(new Error(`Node-RED exited ${code}:\n${log}`)));
    });
    const res = await get(port, '/nodes', 'application/json');
    assert.strictEqual(res.status, 200);
    const sets = JSON.parse(res.body).filter((s) => s.module === pkg.name);
    const types = sets.flatMap((s) => s.types);
    for (const type of Object.keys(pkg['node-red'].nodes)) assert.ok(types.includes(type), `${type} registered`);
    for (const s of sets) assert.ok(s.enabled && !s.err, `${s.id} loaded without error: ${s.err}`);
    // What each node's .html loads: served from the tarball's resources/, the same bytes as built here.
    for (const f of ['tplink-rules.js', 'tplink-editor.js']) {
      const served = await get(port, `/resources/${pkg.name}/${f}`, '*/*');
      assert.strictEqual(served.status, 200, `resources/${pkg.name}/${f} served`);
      assert.strictEqual(served.body, fs.readFileSync(path.join(root, 'resources', f), 'utf8'), `${f} as built`);
    }
    const editorHtml = await get(port, '/nodes', 'text/html');
    assert.match(editorHtml.body, new RegExp(`src="resources/${pkg.name}/tplink-rules\\.js"`));
    const examples = await get(port, '/library/examples/flows/', 'application/json');
    assert.match(examples.body, /node-red-contrib-tplink-smartplug/);
  });
});
