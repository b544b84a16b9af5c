'use strict';
// Small statistics helpers: medians, percentiles, and the side-by-side runner
// that interleaves variants request by request so load changes hit all alike.

function sorted(xs) {
  return Float64Array.from(xs).sort();
}

/** Percentile by nearest rank, p in [0, 100]. */
function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mean(xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}

const nowNs = () => process.hrtime.bigint();
/**
 * Two turns of the event loop: work a request left behind (a destroyed socket's
 * 'close' handlers run in a later loop phase) is done before the next timing
 * starts, instead of being charged to whichever variant happens to run next.
 */
const settle = () => new Promise((r) => setImmediate(() => setImmediate(r)));
const usSince = (t0) => Number(process.hrtime.bigint() - t0) / 1000;

/**
 * Runs async variants side by side. Each round does `perRound` requests of every
 * variant, interleaved one request at a time in a rotating order. Returns for each
 * variant all latencies (µs) and the per-round medians, so a ratio can be taken
 * round by round (both sides of each ratio saw the same machine load).
 */
async function sideBySide(variants, { rounds, perRound, warmup = 50 }) {
  const names = Object.keys(variants);
  for (let i = 0; i < warmup; i++) for (const n of names) await variants[n]();
  const all = Object.fromEntries(names.map((n) => [n, []]));
  const roundMedians = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const cur = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < perRound; i++) {
      const off = (r * perRound + i) % names.length;
      for (let j = 0; j < names.length; j++) {
        const n = names[(off + j) % names.length];
        const t0 = nowNs();
        await variants[n]();
        cur[n].push(usSince(t0));
        await settle();
      }
    }
    for (const n of names) {
      all[n].push(...cur[n]);
      roundMedians[n].push(median(cur[n]));
    }
  }
  return { all, roundMedians };
}

/** Median over rounds of (a's round median / b's round median). */
function roundRatio(res, a, b) {
  const ra = res.roundMedians[a];
  const rb = res.roundMedians[b];
  return median(ra.map((x, i) => x / rb[i]));
}

/** Memory after three full GCs (the process runs with --expose-gc): rss, heap used and total, external. */
function memorySnapshot() {
  for (let i = 0; i < 3; i++) global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

module.exports = { percentile, median, mean, sideBySide, roundRatio, nowNs, usSince, settle, memorySnapshot };
