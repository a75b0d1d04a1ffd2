// Behaviour of the playground against the release build: conversion, matching, diagnostics,
// share links, persistence, embed mode, safety of user text.
import { test, expect } from '@playwright/test';
import {
  LOCALTONET, MATCHING_EVENT, OTHER_EVENT, open, matchedFlags, watchErrors, watchForeignRequests,
} from './helpers.mjs';

test('pasting the LocaltoNet rule gives ASIM KQL with imNetworkSession and DstHostname', async ({ page }) => {
  await open(page);
  await page.getByTestId('rule-editor').fill('');
  await page.getByTestId('pipeline-select').selectOption('none');
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await page.getByTestId('pipeline-select').selectOption('sentinel_asim');
  const kql = page.getByTestId('kql-output');
  await expect(kql).toContainText('imNetworkSession');
  await expect(kql).toContainText('DstHostname');
  await expect(kql).toContainText('endswith');
  // Mapping notes list the renames.
  await expect(page.getByTestId('field-mappings')).toContainText('DestinationHostname');
  // Other targets.
  await page.getByTestId('pipeline-select').selectOption('microsoft_xdr');
  await expect(kql).toContainText('DeviceNetworkEvents');
  await page.getByTestId('pipeline-select').selectOption('none');
  await expect(kql).toContainText('DestinationHostname endswith');
});

test('a matching and a non-matching event give one match, with its explanation', async ({ page }) => {
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await page.getByTestId('events-editor').fill(`${JSON.stringify(OTHER_EVENT)}\n${JSON.stringify(MATCHING_EVENT)}\n`);
  const results = page.getByTestId('event-result');
  await expect(results).toHaveCount(2);
  expect(await matchedFlags(page)).toEqual(['false', 'true']);
  await expect(page.getByTestId('match-count')).toHaveText('1 of 2 events match');
  const hit = results.nth(1);
  await expect(hit).toContainText('selection');
  await expect(hit).toContainText('DestinationHostname|endswith');
  await expect(hit).toContainText('abc123.localto.net');
  // The miss says which item failed and the actual value.
  const miss = results.nth(0);
  await expect(miss).toContainText('expects');
  await expect(miss).toContainText('www.example.org');

  // Hovering a result highlights the deciding part of the rule; clicking an item selects it.
  await hit.hover();
  await expect(page.locator('.ce-hl .m-hl').first()).toBeVisible();
  await hit.locator('.item-btn').first().click();
  const sel = await page.getByTestId('rule-editor').evaluate((t) => [document.activeElement === t, t.value.slice(t.selectionStart, t.selectionEnd)]);
  expect(sel[0]).toBe(true);
  expect(sel[1]).toContain('DestinationHostname|endswith');
});

test('invalid YAML gives a diagnostic at the right line, and clicking it moves the cursor there', async ({ page }) => {
  await open(page);
  const bad = 'title: t\nlogsource:\n  product: windows\n   category: x\ndetection:\n  sel:\n    a: b\n  condition: sel\n';
  await page.getByTestId('rule-editor').fill(bad);
  const diag = page.getByTestId('diagnostics').locator('li.sev-err').first();
  await expect(diag).toBeVisible();
  await expect(diag).toHaveAttribute('data-line', '4');
  await expect(diag).toContainText('4:');
  await expect(page.locator('.gm-err')).toHaveCount(1);
  await expect(page.getByTestId('match-count')).toHaveText('rule has errors');
  await diag.locator('button').click();
  const caret = await page.getByTestId('rule-editor').evaluate((t) => [document.activeElement === t, t.value.slice(0, t.selectionStart).split('\n').length]);
  expect(caret).toEqual([true, 4]);
  // Invalid events are reported against the events editor.
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await page.getByTestId('events-editor').fill('{"a": 1}\n{"b": \n');
  await expect(page.getByTestId('diagnostics').locator('li', { hasText: 'events' }).first()).toBeVisible();
});

test('share link round trip restores rule, events, target and pipeline exactly', async ({ page, browser, baseURL }) => {
  await open(page);
  const rule = `${LOCALTONET}# é😀 "quotes" <tags> & ampersands\n`;
  const events = `${JSON.stringify(MATCHING_EVENT)}\n`;
  const pipeline = 'name: demo\ntransformations:\n  - type: field_name_suffix\n    suffix: _x\n';
  await page.getByTestId('rule-editor').fill(rule);
  await page.getByTestId('events-editor').fill(events);
  await page.getByTestId('pipeline-select').selectOption('microsoft_xdr');
  await page.locator('details.pipeline > summary').click();
  await page.getByTestId('pipeline-editor').fill(pipeline);
  await page.getByTestId('share-button').click();
  await page.getByTestId('share-copy-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  expect(url.startsWith(baseURL)).toBe(true);
  expect(url).toContain('#s=');

  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await other.goto(url);
  await expect(other.getByTestId('rule-editor')).toHaveValue(rule);
  await expect(other.getByTestId('events-editor')).toHaveValue(events);
  await expect(other.getByTestId('pipeline-editor')).toHaveValue(pipeline);
  await expect(other.getByTestId('pipeline-select')).toHaveValue('microsoft_xdr');
  expect(await matchedFlags(other)).toEqual(['true']);
  // The payload is dropped from the address bar once restored (saved locally instead).
  await expect.poll(() => new URL(other.url()).hash).toBe('');
  await ctx.close();

  // The keyboard shortcut opens the same box.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-url')).toHaveCount(0);
  await page.keyboard.press('Control+Shift+S');
  await expect(page.getByTestId('share-url')).toHaveValue(url);
});

test('a damaged share link says so and still shows the playground', async ({ page }) => {
  await page.goto('/#s=AAAA');
  await expect(page.getByRole('alert')).toContainText('share link could not be opened');
  await expect(page.getByTestId('kql-output')).toContainText('imNetworkSession');
});

test('reload keeps the state (localStorage)', async ({ page }) => {
  await open(page);
  const rule = LOCALTONET.replace('level: high', 'level: low');
  await page.getByTestId('rule-editor').fill(rule);
  await page.getByTestId('events-editor').fill(JSON.stringify(OTHER_EVENT));
  await page.getByTestId('pipeline-select').selectOption('microsoft_xdr');
  await page.waitForTimeout(700); // saving is debounced (400 ms)
  await page.reload();
  await expect(page.getByTestId('rule-editor')).toHaveValue(rule);
  await expect(page.getByTestId('events-editor')).toHaveValue(JSON.stringify(OTHER_EVENT));
  await expect(page.getByTestId('pipeline-select')).toHaveValue('microsoft_xdr');
  expect(await matchedFlags(page)).toEqual(['false']);
});

test('a rule title with markup renders as text', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const errors = watchErrors(page);
  await open(page);
  const evil = '<img src=x onerror=alert(1)>';
  const rule = LOCALTONET.replace(/^title: .*$/m, `title: '${evil}'`)
    .replace('- Legitimate use of the LocaltoNet service.', `- '${evil}'`)
    .replace('- https://localtonet.com/documents/supported-tunnels', "- 'javascript:alert(2)'");
  await page.getByTestId('rule-editor').fill(rule);
  await expect(page.getByTestId('rule-title')).toHaveText(evil);
  await page.getByTestId('events-editor').fill(`{"DestinationHostname": "${evil}"}`);
  await expect(page.getByTestId('event-result')).toHaveCount(1);
  await page.locator('.rc-more > summary').click();
  await expect(page.locator('.refs')).toContainText('javascript:alert(2)');
  expect(await page.locator('.refs a[href^="javascript"]').count()).toBe(0);
  await page.waitForTimeout(300);
  expect(await page.locator('img').count()).toBe(0);
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

test('examples gallery loads rules whose events match as labelled', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  await open(page);
  const gallery = page.getByTestId('examples');
  const n = await gallery.locator('button.example').count();
  expect(n).toBeGreaterThanOrEqual(12);
  await gallery.locator('[data-example="05-powershell-public-ip"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(/cidr/);
  await expect(page.getByTestId('pipeline-select')).toHaveValue('microsoft_xdr');
  await expect(page.getByTestId('kql-output')).toContainText('ipv4_is_in_range');
  expect(await matchedFlags(page)).toEqual(['true', 'false']);
  await gallery.locator('[data-example="06-base64-reverse-shell"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(/base64offset/);
  expect(await matchedFlags(page)).toEqual(['true', 'false']);
  await gallery.locator('[data-example="04-ssh-root-login"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(/keywords:/);
  expect(await matchedFlags(page)).toEqual(['true', 'false']);
  expect(foreign).toEqual([]);
});

test('an example that fails to load says so and leaves the texts alone', async ({ page }) => {
  // Examples but the first are fetched from dist/examples/ when chosen (web/src/examples.rs).
  await page.route('**/examples/02-certutil-download.yml', (route) => route.fulfill({ status: 404, body: '' }));
  await open(page);
  const rule = await page.getByTestId('rule-editor').inputValue();
  await page.getByTestId('examples').locator('[data-example="02-certutil-download"]').click();
  await expect(page.getByTestId('toast')).toContainText('Certutil download');
  await expect(page.getByTestId('toast')).toContainText('examples/02-certutil-download.yml (HTTP 404)');
  await expect(page.getByTestId('rule-editor')).toHaveValue(rule);
  // The first example is compiled in: it loads without a request.
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.getByTestId('examples').locator('[data-example="03-run-key-temp"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(/registry_set/);
  await page.getByTestId('examples').locator('[data-example="01-localtonet-tunnel"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(rule);
  expect(requests.filter((u) => u.includes('/examples/'))).toEqual([
    expect.stringContaining('examples/03-run-key-temp.yml'),
    expect.stringContaining('examples/03-run-key-temp.events.json'),
  ]);
});

test('a correlation example: filter suppression, correlation hits and their KQL', async ({ page }) => {
  await open(page);
  await page.getByTestId('examples').locator('[data-example="15-brute-force-correlation"]').click();
  await expect(page.getByTestId('rule-editor')).toHaveValue(/correlation:/);
  await expect.poll(() => matchedFlags(page)).toEqual(['true', 'true', 'false', 'true', 'false']);
  const corr = page.getByTestId('correlation-result');
  await expect(corr).toHaveCount(1);
  await expect(corr).toHaveAttribute('data-matched', 'true');
  await expect(corr).toContainText('TargetUserName = frank');
  await expect(corr).toContainText('events 1, 2, 4');
  // The filtered event says why it does not match.
  const third = page.getByTestId('event-result').nth(2);
  const why = third.getByRole('button', { name: 'Why?' });
  if (await why.count()) await why.click();
  await expect(third).toContainText("suppressed by filter 'Service Accounts Are Expected To Fail'");
  // The KQL: the filter as `and not`, the correlation as a summarize by bin.
  const kql = page.getByTestId('kql-output');
  await expect(kql).toContainText('not(TargetUsername startswith "svc_"');
  await expect(kql).toContainText('summarize sigma_events = count()');
  await expect(kql).toContainText('bin(sigma_time, 5m), TargetUserName');
});

test('embed mode is compact and does not overwrite the saved state', async ({ page }) => {
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET.replace('level: high', 'level: critical'));
  await page.waitForTimeout(700);
  await page.goto('/?embed=1');
  await expect(page.locator('.app.embed')).toBeVisible();
  await expect(page.getByTestId('examples')).toHaveCount(0);
  await expect(page.getByTestId('kql-output')).toContainText('imNetworkSession');
  await page.getByTestId('rule-editor').fill('title: embedded\n');
  await page.waitForTimeout(700);
  await page.goto('/#embed');
  await expect(page.locator('.app.embed')).toBeVisible();
  await page.goto('/');
  await expect(page.getByTestId('rule-editor')).toHaveValue(/level: critical/);
});

test('theme toggle, help popover and copy shortcut', async ({ page }) => {
  await open(page);
  const html = page.locator('html');
  const before = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveAttribute('data-theme', before ? 'light' : 'dark');
  await page.getByTestId('theme-toggle').click();
  await expect(html).not.toHaveAttribute('data-theme', /.+/);
  await page.getByTestId('help-button').click();
  await expect(page.getByTestId('help')).toContainText('Ctrl/⌘');
  await expect(page.getByTestId('help')).toContainText('Copy the KQL');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).toHaveCount(0);
  await page.keyboard.press('Control+Shift+C');
  await expect(page.getByTestId('toast')).toBeVisible();
});

test('editors accept typing, and Ctrl+Enter applies edits', async ({ page }) => {
  await open(page);
  const rule = page.getByTestId('rule-editor');
  await rule.fill('');
  await rule.pressSequentially('title: typed\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n');
  await expect(page.getByTestId('kql-output')).toContainText('imProcessCreate');
  await expect(page.getByTestId('rule-title')).toHaveText('typed');
  await rule.press('Control+Enter');
  await expect(page.getByTestId('kql-output')).toContainText('imProcessCreate');
});

test('custom pipeline: applied before the target, its errors marked in its editor', async ({ page }) => {
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await page.getByTestId('pipeline-select').selectOption('none');
  await page.locator('details.pipeline > summary').click();
  const pipe = page.getByTestId('pipeline-editor');
  await pipe.fill('name: rename\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      DestinationHostname: RemoteUrl\n');
  await expect(page.getByTestId('kql-output')).toContainText('RemoteUrl endswith');
  await pipe.fill('name: broken\ntransformations: [\n');
  await expect(page.getByTestId('kql-output')).toContainText('No KQL');
  const d = page.getByTestId('diagnostics').locator('li', { hasText: 'pipeline' }).first();
  await expect(d).toBeVisible();
  await d.locator('button').click();
  expect(await pipe.evaluate((t) => document.activeElement === t)).toBe(true);
  // Clicking an event's label selects the event in the events editor.
  await pipe.fill('');
  await page.getByTestId('event-result').nth(1).locator('.ev-link').click();
  const sel = await page.getByTestId('events-editor').evaluate((t) => [document.activeElement === t, t.value.slice(0, t.selectionStart).split('\n').length]);
  expect(sel).toEqual([true, 15]);
});
