'use strict';
// Small helpers for driving the Node-RED editor with Playwright (selectors from
// /work/shared/NODE-RED-NOTES.md "Driving the editor from a test").
const fs = require('fs');
const path = require('path');

const SHOTS_DIR = path.resolve(__dirname, '..', '..', 'docs', 'images');

/** Screenshots are written only when asked for (SCREENSHOTS=1, `npm run screenshots`). */
const screenshotsWanted = () => process.env.SCREENSHOTS === '1';

/** A PNG under docs/images/, of a locator or of a clip of the page. */
async function shot(page, name, target) {
  if (!screenshotsWanted()) return null;
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, name);
  // No blinking caret or half-finished animation in the pictures.
  const opts = { path: file, animations: 'disabled', caret: 'hide' };
  if (!target) await page.screenshot(opts);
  else if (typeof target.screenshot === 'function') await target.screenshot(opts);
  else await page.screenshot({ ...opts, clip: target });
  return file;
}

/** The union of some elements' boxes, with a margin, clamped to the viewport (or to `within`'s box). */
async function clipAround(page, selectors, margin = 16, within = null) {
  const boxes = [];
  for (const sel of selectors) {
    const loc = page.locator(sel);
    for (let i = 0; i < await loc.count(); i++) {
      const b = await loc.nth(i).boundingBox();
      if (b) boxes.push(b);
    }
  }
  if (!boxes.length) throw new Error(`nothing to clip: ${selectors.join(', ')}`);
  const vp = page.viewportSize();
  const area = (within && await page.locator(within).boundingBox()) || { x: 0, y: 0, width: vp.width, height: vp.height };
  const x = Math.max(area.x, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(area.y, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(area.x + area.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(area.y + area.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  return { x, y, width: right - x, height: bottom - y };
}

/** Drags a palette entry onto the canvas at (x, y) in canvas coordinates; resolves with the new node's id. */
async function dropFromPalette(page, type, x, y) {
  const before = await nodeIds(page, type);
  const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await entry.scrollIntoViewIfNeeded();
  await entry.dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x, y } });
  const after = await nodeIds(page, type);
  const added = after.filter((id) => !before.includes(id));
  if (added.length !== 1) throw new Error(`dropping ${type} from the palette added ${added.length} nodes`);
  return added[0];
}

/** Ids of the editor's nodes of one type, in the order the editor holds them. */
function nodeIds(page, type) {
  return page.evaluate((t) => {
    const ids = [];
    RED.nodes.eachNode((n) => { if (n.type === t) ids.push(n.id); });
    return ids;
  }, type);
}

/** A node on the canvas. */
const onCanvas = (page, id) => page.locator(`g.red-ui-flow-node-group[id="${id}"]`);

/** Wires output `port` of one node to the input of another by dragging between the ports. */
async function wire(page, fromId, toId) {
  await onCanvas(page, fromId).locator('.red-ui-flow-port-output .red-ui-flow-port').first()
    .dragTo(onCanvas(page, toId).locator('.red-ui-flow-port-input .red-ui-flow-port'));
}

/** Waits for a node's status label to read `text` (string or RegExp); resolves with the label. */
async function waitForStatus(page, id, text, timeout = 10000) {
  const pattern = text instanceof RegExp ? { source: text.source, flags: text.flags } : { exact: text };
  try {
    await page.waitForFunction(({ nodeId, p }) => {
      const el = document.querySelector(`g.red-ui-flow-node-group[id="${nodeId}"] .red-ui-flow-node-status-label`);
      const s = el ? el.textContent.trim() : '';
      return p.exact !== undefined ? s === p.exact : new RegExp(p.source, p.flags).test(s);
    }, { nodeId: id, p: pattern }, { timeout });
  } catch (err) {
    // Say what the node showed instead, so a failure explains itself.
    const shown = await page.evaluate((nodeId) => {
      const el = document.querySelector(`g.red-ui-flow-node-group[id="${nodeId}"] .red-ui-flow-node-status-label`);
      return el ? el.textContent.trim() : '(no status)';
    }, id).catch(() => '(page gone)');
    err.message = `status of ${id} never became ${String(text)} within ${timeout} ms; it shows "${shown}": ${err.message}`;
    throw err;
  }
  return onCanvas(page, id).locator('.red-ui-flow-node-status-label').textContent();
}

/** Clicks Deploy and waits for the editor's "Successfully deployed" notification. */
async function deploy(page) {
  await closeNotifications(page);
  await page.click('#red-ui-header-button-deploy');
  const note = page.locator('.red-ui-notification', { hasText: /deployed|Deploy/i }).first();
  await note.waitFor({ timeout: 10000 });
  const text = (await note.textContent()).trim();
  if (!/Successfully deployed/.test(text)) throw new Error(`deploy said: ${text}`);
  await page.waitForFunction(() => !RED.nodes.dirty(), null, { timeout: 5000 });
}

/** Removes the editor's notifications (they cover the header in screenshots). */
async function closeNotifications(page) {
  // Through the editor's own close() (removing the elements would break its timers).
  const open = await page.evaluate(() => {
    const notes = [...document.querySelectorAll('.red-ui-notification')];
    notes.forEach((n) => { if (typeof n.close === 'function') n.close(); });
    return notes.length;
  });
  if (open) await page.locator('.red-ui-notification').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}

/** Cancels open edit dialogs (innermost first) and the import dialog. */
async function closeDialogs(page) {
  for (let i = 0; i < 5; i++) {
    const cancel = page.locator('#node-config-dialog-cancel:visible, #node-dialog-cancel:visible, #red-ui-clipboard-dialog-cancel:visible').first();
    if (!(await cancel.count())) break;
    await cancel.click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(300);
  }
  await page.keyboard.press('Escape').catch(() => {});
}

/** The sidebar's content area: an id up to Node-RED 4, a class (one per sidebar section) from Node-RED 5. */
const SIDEBAR_CONTENT = ':is(#red-ui-sidebar-content, .red-ui-sidebar-content)';

/** Shows a sidebar tab ('info', 'help', 'debug', 'config') by clicking its button, on both editors. */
async function showSidebarTab(page, tab) {
  // Node-RED 5: one tab bar of buttons under the canvas; clicking the tab on show hides it.
  const button = page.locator(`button[data-tab-id="${tab}"]`);
  if (await button.count()) {
    const selected = () => button.evaluate((b) => b.classList.contains('selected'));
    await button.click();
    if (!(await selected())) await button.click(); // it was on show, and the first click hid it
    await page.locator(`button[data-tab-id="${tab}"].selected`).waitFor({ state: 'attached', timeout: 5000 });
    return;
  }
  // Node-RED 3 and 4: a link per tab above the sidebar.
  await page.click(`#red-ui-tab-${tab}-link-button`);
  await page.locator(`#red-ui-tab-${tab}.active`).waitFor({ state: 'attached', timeout: 5000 });
}

module.exports = {
  SHOTS_DIR, screenshotsWanted, shot, clipAround, dropFromPalette, nodeIds, onCanvas, wire,
  waitForStatus, deploy, closeNotifications, closeDialogs, showSidebarTab, SIDEBAR_CONTENT,
};
