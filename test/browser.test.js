'use strict';
// The editor in a real browser: Node-RED started by this test (free loopback
// port, temporary userDir with this checkout linked in), simulated plugs on
// 127.0.0.1, and headless Debian Chromium that may reach 127.0.0.1 only.
// The steps build on each other (one editor session), as a user would.
// With SCREENSHOTS=1 (`npm run screenshots`) the same steps write the README's
// pictures under docs/images/.
// Without Chromium the suite is skipped (and says why), except in CI (CI=true),
// where a missing browser is a failure.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, PKG, browserMissing, startNodeRed, launchBrowser } = require('./browser/harness');
const E = require('./browser/editor');
const { SimulatorNetwork, KlapPlugSimulator } = require('../nodes/simulator');
const { CURRENT_VERSION } = require('../nodes/common/migrate');

const IN_CI = /^(1|true)$/i.test(process.env.CI || '');
// In CI, and when the pictures are asked for, a missing browser is a failure, not a skip.
const MUST_RUN = IN_CI || E.screenshotsWanted();
const missing = browserMissing();
const TITLE = 'editor in a real browser (Chromium, Node-RED, simulated plugs)';
const LOCALES = path.join(ROOT, 'nodes', 'locales', 'en-US');

const types = Object.keys(PKG['node-red'].nodes);
const CONFIG_TYPE = 'tplink-device';
const CATEGORY = 'TP-Link'; // the palette category every node of the package declares
// The id of the palette section the editor files a category's nodes under (its escapeCategory()).
const SECTION_ID = `red-ui-palette-${CATEGORY.replace(/[\x00-\x2c\x2e-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]/g, '_')}`;
const paletteTypes = types.filter((t) => t !== CONFIG_TYPE);

function catalog(type) {
  try { return JSON.parse(fs.readFileSync(path.join(LOCALES, `${type}.json`), 'utf8'))[type] || {}; } catch { return {}; }
}
/** The first paragraph of a node's help (its palette tooltip), as text. */
function helpIntro(type) {
  const candidates = [path.join(LOCALES, `${type}.html`), path.join(ROOT, 'nodes', `${type}.html`)];
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    const html = fs.readFileSync(file, 'utf8');
    const block = new RegExp(`data-help-name=["']${type}["'][^>]*>([\\s\\S]*?)</script>`).exec(html);
    const p = block && /<p>([\s\S]*?)<\/p>/.exec(block[1]);
    if (p) return p[1].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
  }
  return null;
}

describe(missing && !MUST_RUN ? `${TITLE} [skipped: ${missing}]` : TITLE, function () {
  this.timeout(60000);
  this.slow(20000);

  let net; // simulated plugs: [0] HS110 "Kitchen kettle", [1] HS100 "Desk lamp", [2] HS300 "Power strip"
  let klap; // a KP115 with KLAP firmware and an account
  const KLAP_ACCOUNT = { username: 'Browser@Example.com', password: 'Typed In The Dialog 7' };
  let red; // Node-RED child process
  let browser; // Chromium
  let page;
  const ids = {}; // editor node ids of what the steps build
  const timings = [];
  let t0;

  before(async function () {
    if (missing) {
      if (MUST_RUN) throw new Error(`browser tests need Chromium ${IN_CI ? 'in CI' : 'for the screenshots'}: ${missing}`);
      console.warn(`      browser tests skipped: ${missing}`);
      this.skip();
    }
    t0 = Date.now();
    net = await SimulatorNetwork.start({
      host: '127.0.0.1',
      discoveryPort: 0,
      devices: [
        { model: 'hs110', alias: 'Kitchen kettle' },
        { model: 'hs100', alias: 'Desk lamp' },
        { model: 'hs300', alias: 'Power strip' },
      ],
    });
    klap = await KlapPlugSimulator.start({ model: 'kp115-klap', host: '127.0.0.1', discoveryPort: null, alias: 'Klap plug', ...KLAP_ACCOUNT });
    red = await startNodeRed();
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10000);
    await page.goto(red.url);
    await page.locator(`.red-ui-palette-node[data-palette-type="${paletteTypes[0]}"]`).waitFor({ timeout: 20000 });
    // The editor is ready once its workspace exists and nothing is loading.
    await page.waitForFunction(() => window.RED && RED.workspaces && RED.workspaces.active());
    timings.push(['start (sims, Node-RED, Chromium, editor)', Date.now() - t0]);
  });

  after(async function () {
    const errors = [];
    for (const stop of [() => browser && browser.stop(), () => red && red.stop(), () => net && net.stop(), () => klap && klap.stop()]) {
      try { await stop(); } catch (e) { errors.push(e); }
    }
    if (t0 && process.env.BROWSER_TEST_TIMINGS) {
      for (const [what, ms] of timings) console.log(`      ${what}: ${ms} ms`);
    }
    if (errors.length) throw errors[0];
  });

  let stepStart;
  beforeEach(() => { stepStart = Date.now(); });
  afterEach(function () {
    if (stepStart && this.currentTest) timings.push([this.currentTest.title, Date.now() - stepStart]);
    if (this.currentTest && this.currentTest.state === 'failed' && red) {
      console.log(`      Node-RED log (last lines):\n${red.log.slice(-15).map((l) => `        ${l}`).join('\n')}`);
    }
  });
  afterEach(async function () {
    // After a failed step, close whatever dialog it left open so the next step starts clean.
    if (page && this.currentTest && this.currentTest.state === 'failed') {
      // One picture per failing step, overwritten by the next run.
      const slug = this.currentTest.title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60);
      const file = path.join(os.tmpdir(), `tplink-e2e-failure-${slug}.png`);
      if (await page.screenshot({ path: file }).then(() => true, () => false)) console.log(`      screenshot of the failure: ${file}`);
      await E.closeDialogs(page);
    }
  });

  it('lists every node type of the package in the palette, in its category, with its label', async () => {
    const found = await page.evaluate((list) => list.map((type) => {
      const def = RED.nodes.getType(type);
      const el = document.querySelector(`.red-ui-palette-node[data-palette-type="${type}"]`);
      return {
        type,
        registered: !!def,
        category: def && def.category,
        label: el && el.getAttribute('data-palette-label'),
        parent: el && el.parentElement && el.parentElement.id,
        visible: !!(el && el.offsetParent),
      };
    }), types);
    const config = found.find((f) => f.type === CONFIG_TYPE);
    assert.deepStrictEqual(config, { type: CONFIG_TYPE, registered: true, category: 'config', label: null, parent: null, visible: false },
      'the device config node is registered as a config node, so it is not in the palette');
    for (const f of found.filter((x) => x.type !== CONFIG_TYPE)) {
      assert.ok(f.registered, `${f.type} is registered in the editor`);
      assert.strictEqual(f.category, CATEGORY, `${f.type} category`);
      assert.strictEqual(f.parent, SECTION_ID, `${f.type} sits in the ${CATEGORY} section`);
      assert.ok(f.visible, `${f.type} is shown`);
      assert.strictEqual(f.label, catalog(f.type).paletteLabel || f.type, `${f.type} palette label`);
    }
    const section = page.locator('.red-ui-palette-category', { has: page.locator(`#${SECTION_ID}`) });
    await section.scrollIntoViewIfNeeded();
    await E.shot(page, 'palette.png', section);
  });

  it(`heads the palette section with the category name "${CATEGORY}"`, async () => {
    const heading = await page.locator('.red-ui-palette-category', { has: page.locator(`#${SECTION_ID}`) })
      .locator('.red-ui-palette-header span').first().textContent();
    // Node-RED 4 takes the part of a category before its first "-" as the section
    // heading ("TP-Link" -> "TP"), unless the node's message catalogue has
    // palette.label.<that part>; underscores show as spaces.
    assert.strictEqual(heading.trim(), CATEGORY, 'the palette heading shows the category the nodes declare');
  });

  it('finds the simulated HS110 with Search in a new device config dialog; picking it fills host and port', async () => {
    ids.inject = await E.dropFromPalette(page, 'inject', 160, 100);
    ids.relay = await E.dropFromPalette(page, 'tplink-relay', 390, 100);
    await E.wire(page, ids.inject, ids.relay);
    assert.strictEqual(await page.evaluate((r) => RED.nodes.filterLinks({ target: RED.nodes.node(r) }).length, ids.relay), 1, 'inject wired to relay');

    await E.onCanvas(page, ids.relay).dblclick();
    await page.locator('#node-input-action').waitFor();
    await page.selectOption('#node-input-action', 'on');
    await page.click('#node-input-btn-device-add');
    const dialog = page.locator('.red-ui-tray', { has: page.locator('#node-config-input-host') });
    await dialog.waitFor();
    await page.fill('#node-config-input-broadcast', '127.0.0.1');
    await page.fill('#node-config-input-discoveryPort', String(net.discoveryPort));
    await page.click('#tplink-device-search');
    const items = page.locator('#tplink-device-search-results .tplink-search-item');
    await items.nth(net.members.length - 1).waitFor();
    const listed = await items.allTextContents();
    assert.strictEqual(listed.length, net.members.length, `one entry per simulated plug: ${listed.join(' | ')}`);
    const hs110 = items.filter({ hasText: 'Kitchen kettle' });
    assert.match(await hs110.textContent(), /HS110/);
    await hs110.click();
    assert.strictEqual(await page.inputValue('#node-config-input-host'), '127.0.0.1');
    assert.strictEqual(await page.inputValue('#node-config-input-port'), String(net.members[0].port));
    assert.strictEqual(await page.inputValue('#node-config-input-name'), 'Kitchen kettle', 'the alias becomes the name');
    await E.shot(page, 'device-search.png', dialog);

    await page.click('#node-config-dialog-ok');
    await dialog.waitFor({ state: 'detached' });
    const picked = await page.inputValue('#node-input-device');
    ids.device = picked;
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const d = RED.nodes.node(id);
      return d && { type: d.type, host: d.host, port: Number(d.port), name: d.name, valid: d.valid };
    }, ids.device);
    assert.deepStrictEqual(saved, { type: CONFIG_TYPE, host: '127.0.0.1', port: net.members[0].port, name: 'Kitchen kettle', valid: true });
    assert.strictEqual(await page.evaluate((id) => RED.nodes.node(id).device, ids.relay), ids.device, 'the relay uses the new device');
  });

  it('deploys; the inject turns the simulated plug on and the relay node shows "on"', async () => {
    assert.ok(ids.relay && ids.device, 'the relay and its device were added by the previous step');
    ids.debug = await E.dropFromPalette(page, 'debug', 620, 100);
    await E.wire(page, ids.relay, ids.debug);
    await E.deploy(page);
    const deployed = JSON.parse((await red.request('GET', '/flows')).body);
    assert.ok(deployed.some((n) => n.id === ids.relay && n.type === 'tplink-relay' && n.device === ids.device), 'relay deployed');
    assert.strictEqual(net.members[0].device.relay(), false, 'the plug starts off');
    await E.onCanvas(page, ids.inject).locator('.red-ui-flow-node-button').click();
    assert.strictEqual(await E.waitForStatus(page, ids.relay, 'on'), 'on');
    assert.strictEqual(net.members[0].device.relay(), true, 'the simulated HS110 is on');
    assert.strictEqual(await page.evaluate((id) => RED.nodes.node(id).status.fill, ids.relay), 'green');
  });

  it('shows the selected node\'s help in the help sidebar', async () => {
    await E.onCanvas(page, ids.relay).click();
    await E.showSidebarTab(page, 'help');
    const intro = helpIntro('tplink-relay');
    assert.ok(intro, 'tplink-relay has help with a first paragraph');
    const help = page.locator(`${E.SIDEBAR_CONTENT} .red-ui-help`).filter({ hasText: intro.slice(0, 40) });
    await help.first().waitFor();
    const text = await help.first().textContent();
    for (const heading of ['Inputs', 'Outputs', 'Details']) assert.ok(text.includes(heading), `help has ${heading}`);
    await E.showSidebarTab(page, 'info');
  });

  it('marks a bad device port and a bad relay outlet as invalid', async () => {
    await E.onCanvas(page, ids.relay).dblclick();
    await page.locator('#node-input-action').waitFor();
    // The relay's outlet: "other" in the outlet picker, then a bad child id.
    // The outlet picker asks the device for its outlets (several times) and
    // redraws on each answer, resetting a choice made meanwhile: let it settle.
    await browser.settle(/\/tplink-smartplug\//);
    const picker = page.locator('.tplink-outlet-picker select');
    if (await picker.count()) await picker.selectOption('__custom');
    await page.fill('#node-input-outlet', '');
    await page.locator('#node-input-outlet').pressSequentially('!!'); // typed: the editor validates on keyup
    await page.locator('#node-input-outlet.input-error').waitFor();
    await page.fill('#node-input-outlet', '');
    await page.locator('#node-input-outlet').press('Backspace');
    await page.locator('#node-input-outlet:not(.input-error)').waitFor({ state: 'attached' });
    // The device's port, in its config dialog.
    await page.click('#node-input-btn-device-edit');
    await page.locator('#node-config-input-port').waitFor();
    await page.fill('#node-config-input-port', '');
    await page.locator('#node-config-input-port').pressSequentially('abc');
    await page.locator('#node-config-input-port.input-error').waitFor();
    // The runtime's rule (issue 11, defect 3): out of range and fractional ports too. The
    // dialog validates a field on "change", at once.
    const marked = await page.evaluate((values) => values.map((v) => {
      const input = $('#node-config-input-port').val(v).trigger('change');
      return [v, input.hasClass('input-error')];
    }), ['70000', '9999', '19100.5', '65535', '-1', '0']);
    assert.deepStrictEqual(marked, [['70000', true], ['9999', false], ['19100.5', true], ['65535', false], ['-1', true], ['0', true]]);
    await page.click('#node-config-dialog-cancel');
    await page.locator('#node-config-input-port').waitFor({ state: 'detached' });
    await page.click('#node-dialog-cancel');
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    const after = await page.evaluate((r) => ({ dirty: RED.nodes.dirty(), relay: RED.nodes.node(r).valid }), ids.relay);
    assert.deepStrictEqual(after, { dirty: false, relay: true }, 'cancelled edits change nothing');
  });

  it('imports an example through Import > Examples and deploys it without errors', async () => {
    const logFrom = red.log.length;
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-import');
    await page.locator('#red-ui-clipboard-dialog').waitFor();
    await page.click('#red-ui-clipboard-dialog-import-tab-examples-link-button, a[href="#red-ui-clipboard-dialog-import-tab-examples"]');
    const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await tree.locator('.red-ui-treeList-label', { hasText: PKG.name }).click();
    await tree.locator('.red-ui-treeList-label', { hasText: /^emeter$/ }).click();
    await page.click('#red-ui-clipboard-dialog-ok');
    // The imported nodes follow the mouse until a click puts them down.
    await page.waitForFunction(() => RED.nodes.filterNodes({ type: 'tplink-emeter' }).length === 1);
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    await page.mouse.move(chart.x + 160, chart.y + 200, { steps: 4 });
    await page.mouse.click(chart.x + 160, chart.y + 200);
    const imported = await page.evaluate(() => {
      const em = RED.nodes.filterNodes({ type: 'tplink-emeter' })[0];
      const debug = RED.nodes.filterNodes({ type: 'debug' }).find((d) => RED.nodes.filterLinks({ source: em, target: d }).length);
      return { emeter: em.id, debugName: debug && debug.name };
    });
    assert.ok(imported.debugName, 'the example has a named debug node after the emeter');
    ids.emeter = imported.emeter;
    // Point the example's device (127.0.0.1:9999) at the simulated HS110: edit it from the emeter node.
    await E.onCanvas(page, ids.emeter).dblclick();
    await page.click('#node-input-btn-device-edit');
    await page.locator('#node-config-input-port').waitFor();
    await page.fill('#node-config-input-port', String(net.members[0].port));
    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-input-port').waitFor({ state: 'detached' });
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });

    await E.showSidebarTab(page, 'debug');
    await page.click('#red-ui-sidebar-debug-clear'); // only the example's output from here on
    await E.deploy(page);
    // The example's inject fires once a second after the deploy; the reading reaches the debug sidebar.
    await E.waitForStatus(page, ids.emeter, /^\d+(\.\d+)? W$/);
    const msg = page.locator(`${E.SIDEBAR_CONTENT} .red-ui-debug-msg`, { hasText: imported.debugName }).first();
    await msg.waitFor();
    const errors = await page.locator(`${E.SIDEBAR_CONTENT} .red-ui-debug-msg-level-20`).count();
    assert.strictEqual(errors, 0, 'no error in the debug sidebar');
    const bad = await page.evaluate(() => RED.nodes.filterNodes({}).filter((n) => /^tplink-/.test(n.type) && (n.valid === false || (n.status && n.status.fill === 'red')))
      .map((n) => `${n.type} ${n.id}: ${JSON.stringify(n.status)} valid=${n.valid}`));
    assert.deepStrictEqual(bad, [], 'no TP-Link node invalid or with a red status');
    assert.deepStrictEqual(red.problems(logFrom).filter((l) => /\[error\]/.test(l)), [], 'no error in the Node-RED log');
    const text = await msg.textContent();
    assert.match(text, /power|current|voltage/i, 'the reading is in the debug sidebar');
    assert.deepStrictEqual(browser.pageErrors, [], 'no uncaught error in the editor');

    // Pictures: the deployed flows with their status dots, and the reading in the debug sidebar.
    await E.closeNotifications(page);
    // Deselect with a click on empty canvas, clear of the corners (Node-RED 5 keeps the sidebar toggles in the bottom right one).
    await page.mouse.click(chart.x + chart.width / 2, chart.y + chart.height - 120);
    // (The edit dialogs scroll the canvas to keep the edited node in sight: back to the top left.)
    await page.evaluate(() => { const c = document.getElementById('red-ui-workspace-chart'); c.scrollTop = 0; c.scrollLeft = 0; });
    await E.shot(page, 'flow.png', await E.clipAround(page, ['#red-ui-workspace-chart g.red-ui-flow-node-group'], 30, '#red-ui-workspace-chart'));
    const first = msg.locator('.red-ui-debug-msg-object-handle:visible').first(); // Node-RED 5 keeps hidden ones too
    if (await first.count()) await first.click();
    const sidebar = await page.locator('#red-ui-sidebar').boundingBox();
    const end = await msg.boundingBox();
    await E.shot(page, 'debug-emeter.png', { x: sidebar.x, y: sidebar.y, width: sidebar.width, height: end.y + end.height + 12 - sidebar.y });
  });

  it('opens every node type\'s edit dialog without errors, every label translated, every type with help', async () => {
    const problems = [];
    const errorsBefore = browser.pageErrors.length;
    const unresolved = /\btplink-[a-z]+\.[A-Za-z]+\.[A-Za-z.]+/; // an i18n key shown as is
    for (const type of types) {
      const help = await page.evaluate((t) => (RED.nodes.getNodeHelp(t) || '').replace(/<[^>]+>/g, ' ').trim(), type);
      if (help.length < 40) problems.push(`${type}: no help`);
      let id;
      if (type === CONFIG_TYPE) {
        id = ids.device;
        await page.evaluate((d) => RED.editor.editConfig('', 'tplink-device', d, 'node-input'), id);
      } else {
        id = await E.dropFromPalette(page, type, 200, 400);
        await E.onCanvas(page, id).dblclick();
      }
      const prefix = type === CONFIG_TYPE ? 'node-config' : 'node';
      const tray = page.locator('.red-ui-tray', { has: page.locator(`#${prefix}-dialog-cancel`) }).last();
      await tray.waitFor();
      await page.waitForTimeout(100); // let oneditprepare's deferred work run
      const seen = await tray.evaluate((el) => [
        el.innerText,
        ...[...el.querySelectorAll('[placeholder],[title]')].map((e) => `${e.getAttribute('placeholder') || ''} ${e.getAttribute('title') || ''}`),
      ].join('\n'));
      const raw = unresolved.exec(seen);
      if (raw) problems.push(`${type}: untranslated "${raw[0]}" in its dialog`);
      // The config node's dialog is cancelled; a dropped node is deleted again from its dialog.
      const button = type === CONFIG_TYPE ? '#node-config-dialog-cancel' : '#node-dialog-delete';
      await page.click(button);
      await page.locator(button).waitFor({ state: 'detached' });
      if (type !== CONFIG_TYPE) assert.strictEqual(await page.evaluate((n) => !!RED.nodes.node(n), id), false, `${type} removed again`);
    }
    const errors = browser.pageErrors.slice(errorsBefore);
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(errors, [], 'no uncaught error in the editor');
  });

  it('saves the schedule and anti-theft dialogs\' weekdays, sunset and one-off date as chosen, and shows them again', async () => {
    assert.ok(ids.device, 'the device was added by an earlier step');
    const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const ticked = () => page.evaluate((week) => week.filter((d) => document.getElementById(`node-input-day-${d}`).checked), WEEK);
    const shown = (sel) => page.locator(sel).isVisible();
    async function open(id, type) {
      await E.onCanvas(page, id).dblclick();
      await page.locator('#node-input-operation').waitFor();
      const labels = await page.locator(`.${type}-days label:has(input[type=checkbox])`).allTextContents();
      assert.deepStrictEqual(labels.map((l) => l.trim()), WEEK.map((d) => catalog(type).day[d]), `${type}: a box per weekday, Monday first`);
    }
    async function setDays(want) {
      for (const d of WEEK) await page.locator(`#node-input-day-${d}`).setChecked(want.includes(d));
    }
    async function close(button) {
      await page.click(button);
      await page.locator(button).waitFor({ state: 'detached' });
    }

    // tplink-schedule: Sun, Tue, Thu, Fri; at sunset 20 minutes earlier; once, on 2031-07-04.
    ids.schedule = await E.dropFromPalette(page, 'tplink-schedule', 300, 480);
    await open(ids.schedule, 'tplink-schedule');
    await page.selectOption('#node-input-device', ids.device);
    assert.deepStrictEqual(await ticked(), ['mon', 'tue', 'wed', 'thu', 'fri'], 'a new schedule: Monday to Friday');
    assert.strictEqual(await shown('.tplink-schedule-rule'), false, '"list rules" needs no rule fields');
    await page.selectOption('#node-input-operation', 'add');
    assert.deepStrictEqual([await shown('.tplink-schedule-rule'), await shown('.tplink-schedule-id')], [true, false], '"add rule": rule fields, no rule id');
    assert.deepStrictEqual([await shown('#node-input-time'), await shown('.tplink-schedule-offset')], [true, false], 'time of day: no offset');
    await setDays(['sun', 'tue', 'thu', 'fri']);
    await page.selectOption('#node-input-timeType', 'sunset');
    assert.deepStrictEqual([await shown('#node-input-time'), await shown('.tplink-schedule-offset')], [false, true], 'sunset: offset, no clock');
    await page.fill('#node-input-offset', '-20');
    await page.selectOption('#node-input-repeat', 'once');
    assert.deepStrictEqual([await shown('.tplink-schedule-days'), await shown('.tplink-schedule-date')], [false, true], 'once: a date, no weekdays');
    await page.fill('#node-input-date', '2031-07-04');
    await close('#node-dialog-ok');

    // tplink-antitheft: Mon, Wed, Thu, Fri; from sunset to 22:45; once, on 2031-12-24.
    ids.antitheft = await E.dropFromPalette(page, 'tplink-antitheft', 300, 540);
    await open(ids.antitheft, 'tplink-antitheft');
    await page.selectOption('#node-input-device', ids.device);
    assert.deepStrictEqual(await ticked(), WEEK, 'a new anti-theft rule: every day');
    await page.selectOption('#node-input-operation', 'add');
    await setDays(['mon', 'wed', 'thu', 'fri']);
    await page.selectOption('#node-input-startType', 'sunset');
    assert.deepStrictEqual([await shown('#node-input-start'), await shown('#node-input-end')], [false, true], 'sunset start: no start clock');
    await page.fill('#node-input-end', '22:45');
    await page.selectOption('#node-input-repeat', 'once');
    assert.deepStrictEqual([await shown('.tplink-antitheft-days'), await shown('.tplink-antitheft-date')], [false, true], 'once: a date, no weekdays');
    await page.fill('#node-input-date', '2031-12-24');
    await close('#node-dialog-ok');

    // What the runtime gets: every property of the two nodes, exactly (and the version the editor gave them).
    await E.deploy(page);
    const flows = JSON.parse((await red.request('GET', '/flows')).body);
    const props = (id) => {
      const n = flows.find((f) => f.id === id);
      assert.ok(n, `${id} deployed`);
      const { x, y, z, wires, ...rest } = n; // eslint-disable-line no-unused-vars
      return rest;
    };
    assert.deepStrictEqual(props(ids.schedule), {
      id: ids.schedule, type: 'tplink-schedule', name: '', device: ids.device, operation: 'add', ruleId: '',
      days: 'sun,tue,thu,fri', timeType: 'sunset', time: '07:00', offset: '-20', ruleAction: 'on',
      repeat: 'once', date: '2031-07-04', ruleName: '', enabled: true, outlet: '', version: CURRENT_VERSION,
    });
    assert.deepStrictEqual(props(ids.antitheft), {
      id: ids.antitheft, type: 'tplink-antitheft', name: '', device: ids.device, operation: 'add', ruleId: '',
      days: 'mon,wed,thu,fri', startType: 'sunset', start: '18:00', endType: 'time', end: '22:45',
      frequency: '', duration: '', repeat: 'once', date: '2031-12-24', ruleName: '', enabled: true, outlet: '', version: CURRENT_VERSION,
    });

    // Reopened, the dialogs show what was saved; back to weekly, the same days are ticked.
    await open(ids.schedule, 'tplink-schedule');
    assert.deepStrictEqual(await ticked(), ['tue', 'thu', 'fri', 'sun']);
    assert.deepStrictEqual(await page.evaluate(() => ['timeType', 'offset', 'repeat', 'date'].map((p) => $(`#node-input-${p}`).val())),
      ['sunset', '-20', 'once', '2031-07-04']);
    assert.deepStrictEqual([await shown('#node-input-time'), await shown('.tplink-schedule-offset'), await shown('.tplink-schedule-days'), await shown('.tplink-schedule-date')],
      [false, true, false, true]);
    await page.selectOption('#node-input-repeat', 'weekly');
    assert.deepStrictEqual([await shown('.tplink-schedule-days'), await shown('.tplink-schedule-date')], [true, false], 'weekly: weekdays, no date');
    await close('#node-dialog-cancel');

    await open(ids.antitheft, 'tplink-antitheft');
    assert.deepStrictEqual(await ticked(), ['mon', 'wed', 'thu', 'fri']);
    assert.deepStrictEqual(await page.evaluate(() => ['startType', 'endType', 'end', 'repeat', 'date'].map((p) => $(`#node-input-${p}`).val())),
      ['sunset', 'time', '22:45', 'once', '2031-12-24']);
    assert.deepStrictEqual([await shown('#node-input-start'), await shown('#node-input-end'), await shown('.tplink-antitheft-days')], [false, true, false]);
    await close('#node-dialog-cancel');
    assert.strictEqual(await page.evaluate(() => RED.nodes.dirty()), false, 'reopening and cancelling changed nothing');
  });

  it('brings a flow saved by an older version (no version, a blank timeout) to the current shape, and deploys it so', async () => {
    const logFrom = red.log.length;
    // As version 0 saved it: no version, the timeout left blank (the runtime used 5000 ms), no transport.
    const old = [
      { id: 'old0dev', type: 'tplink-device', name: 'old plug', host: '127.0.0.1', port: String(net.members[1].port), timeout: '' },
      { id: 'old0relay', type: 'tplink-relay', name: 'old relay', device: 'old0dev', action: 'get', outlet: '', x: 520, y: 620, wires: [[]] },
    ];
    const inEditor = await page.evaluate((nodes) => {
      nodes[1].z = RED.workspaces.active();
      RED.nodes.import(nodes);
      RED.nodes.dirty(true);
      RED.view.redraw(true);
      const dev = RED.nodes.node('old0dev');
      const relay = RED.nodes.node('old0relay');
      RED.editor.validateNode(dev);
      return { timeout: dev.timeout, transport: dev.transport, protocol: dev.protocol, version: dev.version, devValid: dev.valid, relayVersion: relay.version };
    }, old);
    assert.deepStrictEqual(inEditor, { timeout: 5000, transport: 'tcp', protocol: 'legacy', version: CURRENT_VERSION, devValid: true, relayVersion: CURRENT_VERSION });
    await E.deploy(page);
    const flows = JSON.parse((await red.request('GET', '/flows')).body);
    const dev = flows.find((n) => n.id === 'old0dev');
    assert.deepStrictEqual([dev.timeout, dev.version], [5000, CURRENT_VERSION], 'deployed in the current shape');
    assert.deepStrictEqual(red.problems(logFrom).filter((l) => /\[error\]/.test(l)), [], 'no error in the Node-RED log');
  });

  it('saves protocol KLAP and the account (credential store only: never in GET /flows), switches the KLAP plug, and shows what answered', async () => {
    const inject = await E.dropFromPalette(page, 'inject', 160, 700);
    const relay = await E.dropFromPalette(page, 'tplink-relay', 390, 700);
    await E.wire(page, inject, relay);
    await E.onCanvas(page, relay).dblclick();
    await page.locator('#node-input-action').waitFor();
    await page.selectOption('#node-input-action', 'on');
    await browser.settle(/\/tplink-smartplug\//);
    await page.locator('#node-input-btn-device-add').click();
    const dialog = page.locator('.red-ui-tray', { has: page.locator('#node-config-input-host') });
    await dialog.waitFor();
    // A new device: auto, blank port; legacy shows the transport and hides the account; KLAP the other way round.
    assert.strictEqual(await page.inputValue('#node-config-input-protocol'), 'auto');
    assert.strictEqual(await page.getAttribute('#node-config-input-port', 'placeholder'), '9999, then 80');
    await page.selectOption('#node-config-input-protocol', 'legacy');
    assert.deepStrictEqual([await page.isVisible('#node-config-input-username'), await page.isVisible('#node-config-input-transport')], [false, true]);
    await page.selectOption('#node-config-input-protocol', 'klap');
    assert.deepStrictEqual([await page.isVisible('#node-config-input-username'), await page.isVisible('#node-config-input-transport')], [true, false]);
    assert.strictEqual(await page.getAttribute('#node-config-input-port', 'placeholder'), '80');
    assert.strictEqual(await page.getAttribute('#node-config-input-password', 'type'), 'password');
    await page.fill('#node-config-input-name', 'Klap plug');
    await page.fill('#node-config-input-host', '127.0.0.1');
    await page.fill('#node-config-input-port', String(klap.port));
    await page.fill('#node-config-input-username', KLAP_ACCOUNT.username);
    await page.fill('#node-config-input-password', KLAP_ACCOUNT.password);
    await page.click('#node-config-dialog-ok');
    await dialog.waitFor({ state: 'detached' });
    const device = await page.inputValue('#node-input-device');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await E.deploy(page);

    const flowsText = (await red.request('GET', '/flows')).body;
    const saved = JSON.parse(flowsText).find((n) => n.id === device);
    assert.deepStrictEqual([saved.protocol, Number(saved.port), saved.credentials], ['klap', klap.port, undefined]);
    assert.ok(!flowsText.includes(KLAP_ACCOUNT.password) && !flowsText.includes(KLAP_ACCOUNT.username), 'no account in GET /flows');
    const creds = JSON.parse((await red.request('GET', `/credentials/tplink-device/${device}`)).body);
    assert.deepStrictEqual(creds, { username: KLAP_ACCOUNT.username, has_password: true });

    assert.strictEqual(klap.device.relay(), false);
    await E.onCanvas(page, inject).locator('.red-ui-flow-node-button').click();
    assert.strictEqual(await E.waitForStatus(page, relay, 'on'), 'on');
    assert.strictEqual(klap.device.relay(), true, 'the KLAP plug is on');

    // Reopened: the choice is kept, the password is not sent back, and the dialog says what answered.
    await page.evaluate((id) => RED.editor.editConfig('', 'tplink-device', id, 'node-input'), device);
    await dialog.waitFor();
    assert.strictEqual(await page.inputValue('#node-config-input-protocol'), 'klap');
    assert.notStrictEqual(await page.inputValue('#node-config-input-password'), KLAP_ACCOUNT.password);
    await page.waitForFunction(() => /found: KLAP \(v2 hash, port \d+\)/.test($('#tplink-device-protocol-found').text()));
    await page.click('#node-config-dialog-cancel');
    await dialog.waitFor({ state: 'detached' });
  });

  it('reached nothing but 127.0.0.1, and logged no error in the browser console', () => {
    assert.deepStrictEqual(browser.blocked, [], 'requests the browser tried to make elsewhere (all aborted)');
    // Expected: the outlet picker asking the imported example's device at its
    // original address (127.0.0.1:9999, no plug there) before it was pointed at the simulator.
    const expected = /^502 GET \/tplink-smartplug\/outlets\?host=127\.0\.0\.1&port=9999&protocol=legacy$/;
    assert.deepStrictEqual(browser.failedResponses.filter((r) => !expected.test(r)), [], 'HTTP errors');
    // Every failed request also shows as "Failed to load resource" in the console; those are checked above.
    assert.deepStrictEqual(browser.consoleErrors.filter((m) => !/^Failed to load resource/.test(m)), [], 'errors in the browser console');
  });
});
