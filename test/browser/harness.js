'use strict';
// Harness for the browser tests and the README pictures: Node-RED started in a
// child process on a free loopback port with a throw-away userDir (this checkout
// linked into its node_modules, as scripts/start.js does, and the quiet settings
// of scripts/node-red-settings.js), simulated plugs on 127.0.0.1, and a headless
// Debian Chromium driven by playwright-core that may only talk to 127.0.0.1.
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = require(path.join(ROOT, 'package.json'));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests can't run here, or null when they can. */
function browserMissing() {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
  } catch {
    return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm install)';
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One HTTP request to 127.0.0.1; resolves with {status, headers, body}. */
function request(port, method, urlPath, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath,
      headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Node-RED in a child process. stop() ends it and removes its userDir.
 * `modules`: more packages (devDependencies of this checkout, e.g. the dashboard) linked in beside this one.
 */
async function startNodeRed({ flows = [], packageDir = ROOT, modules = [] } = {}) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-e2e-nr-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(packageDir, path.join(userDir, 'node_modules', PKG.name), 'dir');
  for (const name of modules) {
    const link = path.join(userDir, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] })), link, 'dir');
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  const port = await freePort();
  const log = [];
  const child = spawn(process.execPath, [
    require.resolve('node-red/red.js', { paths: [ROOT] }),
    '--settings', path.join(ROOT, 'scripts', 'node-red-settings.js'),
    '--userDir', userDir,
  ], {
    cwd: userDir,
    env: { ...process.env, PORT: String(port), NODE_RED_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d) => { for (const line of String(d).split('\n')) if (line.trim()) log.push(line); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const stop = async () => {
    if (!exited) {
      child.kill('SIGINT');
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000);
      await exit;
      clearTimeout(t);
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  };

  // Ready once the admin API answers and the flows have started.
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`Node-RED exited (${JSON.stringify(exited)}):\n${log.slice(-30).join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not start on port ${port}:\n${log.slice(-30).join('\n')}`);
    }
    try {
      const r = await request(port, 'GET', '/settings');
      if (r.status === 200 && log.some((l) => /Started flows|Starting flows/.test(l))) break;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    userDir,
    log,
    request: (method, urlPath, opts) => request(port, method, urlPath, opts),
    /** Log lines at [error] or [warn] level since `from` (an index into log). */
    problems: (from = 0) => log.slice(from).filter((l) => /\[(error|warn)\]/.test(l)),
    stop,
  };
}

/** Headless Chromium with a fresh profile; every request not to 127.0.0.1 is aborted. */
async function launchBrowser({ width = 1400, height = 860 } = {}) {
  const { chromium } = require('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tplink-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width, height },
      deviceScaleFactor: 1,
      timeout: 30000,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let host = '';
    try { host = new URL(url).hostname; } catch { /* data:, about: */ }
    if (host === '127.0.0.1' || /^(data|blob|about):/.test(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  // Requests under way, to wait for the editor's own XHRs (e.g. the outlet picker's) to settle.
  const inflight = new Set();
  let lastActivity = Date.now();
  context.on('request', (r) => { inflight.add(r); lastActivity = Date.now(); });
  const finished = (r) => { inflight.delete(r); lastActivity = Date.now(); };
  context.on('requestfinished', finished);
  context.on('requestfailed', finished);
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack || e)));
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const failedResponses = []; // HTTP errors the editor got, as "<status> <method> <path>"
  page.on('response', (r) => {
    if (r.status() >= 400) failedResponses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`);
  });
  return {
    context,
    page,
    blocked,
    pageErrors,
    consoleErrors,
    failedResponses,
    /** Resolves once no request matching `pattern` is under way and none started for `quietMs`. */
    async settle(pattern, { quietMs = 300, timeout = 10000 } = {}) {
      const since = Date.now();
      const deadline = since + timeout;
      for (;;) {
        const busy = [...inflight].some((r) => pattern.test(r.url()));
        if (!busy && Date.now() - Math.max(lastActivity, since) >= quietMs) return;
        if (Date.now() > deadline) throw new Error(`requests matching ${pattern} did not settle in ${timeout} ms`);
        await sleep(50);
      }
    },
    async stop() {
      try { await context.close(); } finally { fs.rmSync(profile, { recursive: true, force: true }); }
    },
  };
}

module.exports = { ROOT, PKG, CHROMIUM, browserMissing, freePort, request, sleep, startNodeRed, launchBrowser };
