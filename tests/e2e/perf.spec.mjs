// Budgets, measured and printed (no tight timing assertions: these numbers vary by machine).
//   1. transfer size of the built site: wasm + js + css, gzip -9 (budget 400 KB, not met yet:
//      the test fails above SIZE_LIMIT_KB, see there);
//   2. navigation → first KQL on screen (the app's `sp:first-kql` performance mark; budget 500 ms);
//   3. keystroke → updated KQL + results with 1,000 events: the app's `sp:update-rule` measures,
//      from the input handler to the re-rendered, laid-out page (budget 16 ms main-thread work);
//   4. a 5 MB events paste: time to apply it, and a keystroke in the rule editor afterwards.
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { LOCALTONET, open } from './helpers.mjs';

const DIST = new URL('../../dist/', import.meta.url);

// The product's budget for the transfer size (gzip -9 of the .wasm, .js and .css files).
const SIZE_BUDGET_KB = 520;
// What the test enforces: the size measured when this limit was last set plus a small margin, so
// that any growth fails the suite. Raised from 530 on 2026-12-05 for source-faithful parity (the
// rows of every source of the target table, core/src/sources/): it costs 25.7 KB of gzip, measured
// by building without it (docs/size.md); other size work took 8.4 KB off. Measured 542.9 KB.
// Lowered from 545 the same day: 540.3 KB measured after the core was laid out by stage and the
// web app split into components. Raised to 568 on 2026-12-05 for the tables of issue #10, each
// step measured with this file's method: Windows channels in WindowsEvent (Sysmon's schema, the
// taxonomy's channels) 540.3 -> 545.6 KB; the cloud, Linux and web native tables, Defender's cloud
// tables, parse_json/extract in the evaluator and the schema text of 17 more tables (4.3 -> 10.0 KB
// of it gzipped) 545.6 -> 565.4 KB (docs/size.md). It is above the budget, which is not met:
// lower this as the size comes down, down to SIZE_BUDGET_KB.
// Lowered to 527 on 2026-12-05 (third session): own f64 parsing and Unicode case tables instead of the
// standard library's, compact ATT&CK tables, fewer BTreeMap/HashMap instances; 566.4 -> 525.0 KB, each
// step measured (docs/size.md).
// Raised to 553 on 2026-12-05 (fourth session) for the Export panel, which links core::deploy into the
// wasm: +25.2 KB (537.6 -> 562.8 KB); std's case tables, back through str::to_lowercase in the
// pipeline's XML-markup check, taken out again (-10.3 KB). Measured 552.5 KB (docs/size.md).
// Raised to 555 the same day for the glob scanner of the parse-speed work (#11): 552.5 (branch) -> 554.1 KB
// measured on main after the merge (docs/size.md).
// Raised to 562 the same day for the embeds of issue #13 (Share menu, Embed dialog, the embed page's
// height reports and read-only mode, and static/embed.js, which the app does not load but dist/ serves):
// 554.1 -> 561.7 KB, +7.6 KB, of it embed.js 1.4 KB and the wasm 5.4 KB (docs/size.md).
// Lowered to 554 the same day (wt-deploy): the export's JSON documents written directly instead of
// through serde_json::Value (-1.9 KB) and the YAML without a format! per line (-0.4 KB), less the
// share link in the web export's description (+1.3 KB); measured 553.1 KB (docs/size.md).
// Raised to 582 for the SigmaHQ regression test panel (#13): +17.8 KB on its branch (554.2 -> 572.0 KB),
// 581.1 KB measured with main's embeds and JS package merged (561.7 before it) (docs/size.md).
// Raised to 570 the same day for one-click lint fixes and 25 more lint checks (#13, branch wt-lint):
// 554.1 -> 568.9 KB with this file's method (+14.8 KB; main 6a73951 against wt-lint, both built here),
// the lint's new code and messages; the Unicode predicates were kept out (docs/size.md, docs/lint.md).
// Lowered to 563 the same day (wt-size3): wasm-opt -O1 instead of -Oz (-5.1 KB of gzip), the examples but
// the first fetched from dist/examples/ instead of compiled in (-5.6 KB), seven hook-less components as plain
// view functions (-7.4 KB); 580.5 -> 562.4 KB measured (docs/size.md).
// Set to 582 on main after merging the day's branches: wt-size3's 562.4 KB was measured before the lint
// fixes (+14.8 KB) and azure_monitor's SecurityEvent/auditd/RPC Firewall value formats (+4.6 KB) were
// merged; main measures 581.4 KB (595,314 B: wasm 579,108, js 8,598, css 6,196, embed.js 1,412).
// Raised to 583 for the fix of the Embed dialog's height field (it follows each keystroke; the snippet
// bounds the height): 581.9 -> 582.1 KB measured by this test in CI (snippets included).
// Raised to 585 for FortiGate's event logs on CommonSecurityLog (azure_monitor and sentinel_asim) and
// Zeek's dns/conn logs on imDns/imNetworkSession (wt-fortizeek): main 5aab909 582.8 KB (596,838 B) ->
// 584.7 KB (598,760 B) with the branch merged, both built here (+1.9 KB): the field lists, their notes
// and the CEF extension reading (docs/size.md).
// Lowered the same day (wt-size4): wasm-opt orders functions by name and runs more passes
// (-11.3 KB of gzip), Trunk minifies the CSS (-1.3 KB); 582.1 -> 569.7 KB measured on its own (docs/size.md).
// Then 575 with every branch of the day merged (main 01f25a4 572.4 KB -> 574.2 KB, +1.8 KB: sentinel_asim's
// fallback to the native table when its ASIM schema lacks a field, wt-asimfb; docs/size.md).
// Lowered to 572 the same day (wt-jsmin): Trunk.toml's post_build hook minifies the release build's
// JavaScript with esbuild (scripts/minify-js.mjs; Trunk's own minifier fails on it): the wasm-bindgen glue
// 8,598 -> 6,658 B, embed.js 1,412 -> 851 B, the snippets 595 -> 514 B of gzip; 574.2 -> 571.7 KB (docs/size.md).
// Then 573: the parity panel reads a table row's values back out of its text columns (CEF extensions,
// JSON text, EventData XML; pipeline::read_back), so exported rows of those tables compare correctly:
// 571.7 -> 572.5 KB measured (+0.8 KB, docs/size.md).
// Then 574: review fixes, measured on main: 572.5 -> 573.2 KB (586,946 B): the web's "Fix all" goes through
// core's fix_all_safe, as `sigmaplay check --fix` does (+501 B: 572.7 KB without it), and lint corrections
// (duplicate values by kind, hash values under positional modifiers, legacy tactics; +0.2 KB).
const SIZE_LIMIT_KB = 574;

// Pastes go through the clipboard as a user's would (Playwright's fill types the text through
// the editing engine instead, which takes minutes for 5 MB in any textarea).
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

async function paste(page, testid, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  const el = page.getByTestId(testid);
  await el.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

function events(n, filler = 0) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const host = i % 10 === 0 ? `n${i}.localto.net` : `host${i}.example.org`;
    lines.push(JSON.stringify({
      EventID: 3, Computer: `WKS-${i % 50}.corp.example`, User: `CORP\\user${i % 37}`,
      Image: `C:\\Program Files\\App${i % 13}\\app.exe`, Initiated: i % 10 === 0 || i % 3 ? 'true' : 'false',
      Protocol: 'tcp', SourceIp: `10.0.${i % 250}.${(i * 7) % 250}`, SourcePort: 40000 + (i % 20000),
      DestinationHostname: host, DestinationIp: `198.51.100.${i % 250}`, DestinationPort: 443,
      ...(filler ? { CommandLine: 'x'.repeat(filler) } : {}),
    }));
  }
  return `${lines.join('\n')}\n`;
}

test('budget: transfer size of the built site', async () => {
  const files = readdirSync(DIST, { recursive: true }).filter((f) => /\.(wasm|js|css)$/.test(f) && !f.startsWith('.stage'));
  let gz = 0; let br = 0; let raw = 0;
  const rows = files.map((f) => {
    const data = readFileSync(new URL(f, DIST));
    const g = gzipSync(data, { level: 9 }).length;
    const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    raw += data.length; gz += g; br += b;
    return `${f}: ${data.length} B raw, ${g} B gzip -9, ${b} B brotli`;
  });
  const kb = gz / 1024;
  const verdict = kb <= SIZE_BUDGET_KB ? 'within the budget' : `${(kb - SIZE_BUDGET_KB).toFixed(1)} KB over the budget`;
  console.log(`[budget] transfer size (wasm+js+css):\n  ${rows.join('\n  ')}\n  total: ${raw} B raw, ${kb.toFixed(1)} KB gzip -9 (budget ${SIZE_BUDGET_KB} KB: ${verdict}; the test fails above ${SIZE_LIMIT_KB} KB), ${(br / 1024).toFixed(1)} KB brotli`);
  expect(files.filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
  expect(kb, `transfer size ${kb.toFixed(1)} KB gzip -9 exceeds ${SIZE_LIMIT_KB} KB`).toBeLessThanOrEqual(SIZE_LIMIT_KB);
});

test('budget: navigation to first KQL', async ({ browser, baseURL }) => {
  const cold = []; const warm = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    for (const list of [cold, warm]) {
      await page.goto(baseURL);
      await expect(page.getByTestId('kql-output')).toContainText('imNetworkSession');
      const t = await page.evaluate(() => performance.getEntriesByName('sp:first-kql')[0]?.startTime);
      list.push(t);
    }
    await ctx.close();
  }
  console.log(`[budget] navigation → first KQL (ms, sp:first-kql mark; budget 500): cold cache ${JSON.stringify(stats(cold))}, warm cache ${JSON.stringify(stats(warm))}`);
  expect(Math.max(...cold)).toBeLessThan(5000);
});

test('budget: keystroke to updated KQL and results with 1,000 events', async ({ page }) => {
  test.setTimeout(90_000);
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  const text = events(1000);
  await paste(page, 'events-editor', text);
  await expect(page.getByTestId('event-result')).toHaveCount(1000, { timeout: 20_000 });
  const applyEvents = await page.evaluate(() => performance.getEntriesByName('sp:update-events').map((e) => e.duration));
  await page.evaluate(() => performance.clearMeasures());

  const rule = page.getByTestId('rule-editor');
  await rule.focus();
  await rule.press('Control+End');
  await rule.pressSequentially('# typing a comment, one key at a time', { delay: 30 });
  await page.waitForTimeout(200);
  // Also keys that change the result: edit the endswith value.
  await rule.fill(LOCALTONET);
  await rule.focus();
  await page.evaluate(() => {
    const t = document.querySelector('[data-testid="rule-editor"]');
    const i = t.value.indexOf(".localto.net'") + '.localto.net'.length;
    t.setSelectionRange(i, i);
  });
  await rule.pressSequentially('xyz', { delay: 50 });
  await expect(page.getByTestId('match-count')).toHaveText('0 of 1000 events match');
  await rule.press('Backspace'); await rule.press('Backspace'); await rule.press('Backspace');
  await expect(page.getByTestId('match-count')).toHaveText('100 of 1000 events match');
  const typing = await page.evaluate(() => performance.getEntriesByName('sp:update-rule').map((e) => e.duration));
  const all = typing;
  // The Sigma-vs-KQL comparison runs after a pause in typing (debounced), not per keystroke.
  await expect(page.getByTestId('parity-summary')).toHaveText(/^1000\/1000 agree/, { timeout: 10_000 });
  const parity = await page.evaluate(() => performance.getEntriesByName('sp:parity').map((e) => e.duration));
  console.log(`[budget] keystroke → updated KQL + results, 1,000 events (ms main-thread, sp:update-rule; budget 16): ${JSON.stringify(stats(all))}; applying the 1,000-event paste itself: ${JSON.stringify(applyEvents.map((x) => +x.toFixed(1)))} ms; Sigma-vs-KQL comparison after a pause (sp:parity, not per keystroke): ${JSON.stringify(stats(parity))} ms`);
  expect(parity.length).toBeGreaterThan(0);
  expect(all.length).toBeGreaterThan(0);
});

test('budget: 5 MB events paste stays responsive', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  const text = events(5000, 700); // ≈ 5 MB
  const t0 = Date.now();
  await paste(page, 'events-editor', text);
  await expect(page.getByTestId('match-count')).toHaveText('500 of 5000 events match', { timeout: 60_000 });
  const wall = Date.now() - t0;
  const apply = await page.evaluate(() => performance.getEntriesByName('sp:update-events').map((e) => e.duration));
  await page.evaluate(() => performance.clearMeasures());
  // A keystroke in the events editor only schedules work (debounced).
  const ev = page.getByTestId('events-editor');
  await ev.focus();
  const keyMs = await page.evaluate(async () => {
    const t = document.querySelector('[data-testid="events-editor"]');
    const s = performance.now();
    t.dispatchEvent(new InputEvent('input', { bubbles: true }));
    return performance.now() - s;
  });
  const rule = page.getByTestId('rule-editor');
  await rule.focus();
  await rule.press('Control+End');
  await rule.pressSequentially('#ab', { delay: 50 });
  await page.waitForTimeout(300);
  const ruleKeys = await page.evaluate(() => performance.getEntriesByName('sp:update-rule').map((e) => e.duration));
  await page.waitForTimeout(600);
  const saves = await page.evaluate(() => performance.getEntriesByName('sp:save').map((e) => +e.duration.toFixed(1)));
  const notice = await page.getByRole('alert').allTextContents();
  console.log(`[budget] 5 MB paste (${(text.length / 1e6).toFixed(1)} MB, 5,000 events): wall time to results ${wall} ms, applying it ${JSON.stringify(apply.map((x) => +x.toFixed(1)))} ms; events-editor input handler ${keyMs.toFixed(2)} ms; rule keystroke with 5,000 events ${JSON.stringify(stats(ruleKeys))} ms; saving to localStorage ${JSON.stringify(saves)} ms${notice.length ? `; notice: ${notice.join(' ')}` : ''}`);
  expect(ruleKeys.length).toBeGreaterThan(0);
});
