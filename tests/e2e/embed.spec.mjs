// Embeds for documentation pages (docs/embedding.md): static/embed.js turns the
// <pre class="sigma-rule"> blocks of a page into Sigmaplay iframes that fit their content, and the
// Share menu's Embed dialog gives the <iframe> snippet of the current state, pasted as is.
import { test, expect } from '@playwright/test';
import { LOCALTONET, MATCHING_EVENT, OTHER_EVENT, matchedFlags, open, watchErrors } from './helpers.mjs';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

// The project root is served on the port after the site's (playwright.config.mjs): the fixture
// page is there, and the site under /dist/, so the embeds also run from a sub-path.
function rootServer(baseURL) {
  const base = new URL(baseURL);
  return `${base.protocol}//${base.hostname}:${Number(base.port) + 1}`;
}

/** Waits until the iframe is as tall as its page's content, and returns that height. */
async function expectFitted(iframe) {
  const frame = await (await iframe.elementHandle()).contentFrame();
  await expect(iframe.contentFrame().getByTestId('kql-output')).not.toBeEmpty();
  const content = () => frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  await expect.poll(async () => {
    const [box, inner] = await Promise.all([iframe.evaluate((f) => f.getBoundingClientRect().height), content()]);
    return Math.abs(box - inner);
  }).toBeLessThanOrEqual(1);
  // Fitted: nothing to scroll inside the iframe.
  expect(await frame.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
  return content();
}

test('embed.js turns the two rules of a docs page into live iframes that fit their content', async ({ page, browser, baseURL }) => {
  const errors = watchErrors(page);
  await page.goto(`${rootServer(baseURL)}/tests/e2e/fixtures/embed-docs.html`);
  const frames = page.locator('iframe[data-sigmaplay]');
  await expect(frames).toHaveCount(2);
  await expect(page.locator('pre')).toHaveCount(0);
  const sites = await frames.evaluateAll((fs) => fs.map((f) => f.src.split('#')[0]));
  expect(sites).toEqual([`${rootServer(baseURL)}/dist/index.html`, `${rootServer(baseURL)}/dist/index.html`]);

  // The first: editable, Sentinel (the default target); its text is the <pre>'s text, not markup.
  const first = frames.nth(0).contentFrame();
  await expect(first.getByTestId('kql-output')).toContainText('imNetworkSession');
  await expect(first.getByTestId('kql-output')).toContainText('4444');
  expect(await matchedFlags(first)).toEqual(['true', 'false']);
  await expect(first.getByTestId('rule-editor')).toHaveValue(/port 4444\. <b>not markup<\/b> & "quotes"\n/);
  await expect(first.getByTestId('rule-editor')).not.toHaveAttribute('readonly');
  await expect(first.getByTestId('pipeline-select')).toBeHidden();
  await expect(first.getByTestId('share-button')).toBeHidden();
  await expect(first.getByTestId('parity')).toBeHidden();
  const firstHeight = await expectFitted(frames.nth(0));

  // The second, lazily loaded below the fold: read-only, Defender XDR.
  await frames.nth(1).scrollIntoViewIfNeeded();
  const second = frames.nth(1).contentFrame();
  await expect(second.getByTestId('kql-output')).toContainText('DeviceProcessEvents');
  expect(await matchedFlags(second)).toEqual(['true', 'false', 'true']);
  await expect(second.getByTestId('rule-editor')).toHaveAttribute('readonly');
  await expect(second.getByTestId('events-editor')).toHaveAttribute('readonly');
  await expect(second.getByTestId('kql-output')).toHaveAttribute('readonly');
  await expectFitted(frames.nth(1));

  // A height message from any other window than the iframe's own is ignored.
  const before = await frames.evaluateAll((fs) => fs.map((f) => f.style.height));
  await page.evaluate(() => window.postMessage({ type: 'sigmaplay:height', height: 7 }, '*'));
  await page.waitForTimeout(200);
  expect(await frames.evaluateAll((fs) => fs.map((f) => f.style.height))).toEqual(before);

  // Edits in the editable embed: the results follow, the iframe grows with the rule, and
  // "Open in Sigmaplay" carries the edited state to the full app.
  await frames.nth(0).scrollIntoViewIfNeeded();
  const edited = (await first.getByTestId('rule-editor').inputValue())
    .replace('DestinationPort: 4444', 'DestinationPort: 443')
    .replace('level: medium', 'references:\n    - https://example.org/a\n    - https://example.org/b\n    - https://example.org/c\nlevel: medium');
  await first.getByTestId('rule-editor').fill(edited);
  await expect.poll(() => matchedFlags(first)).toEqual(['false', 'true']);
  await expect.poll(() => expectFitted(frames.nth(0))).toBeGreaterThan(firstHeight);
  const open = first.getByTestId('open-in-sigmaplay');
  await expect(open).toHaveAttribute('href', /\/dist\/index\.html#s=[A-Za-z0-9_-]+$/);
  const ctx = await browser.newContext();
  const full = await ctx.newPage();
  await full.goto(await open.getAttribute('href'));
  await expect(full.getByTestId('rule-editor')).toHaveValue(edited);
  await expect(full.locator('.app.embed')).toHaveCount(0);
  await ctx.close();

  expect(errors, 'page errors').toEqual([]);
});

test('the Share menu gives an iframe snippet that a page can paste as is', async ({ page, context, baseURL }) => {
  await open(page);
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await page.getByTestId('events-editor').fill(`${JSON.stringify(MATCHING_EVENT)}\n${JSON.stringify(OTHER_EVENT)}\n`);

  // Keyboard only: open the menu, close it with Escape, open it again and choose Embed….
  await page.getByTestId('share-button').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('share-embed')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-embed')).toBeHidden();
  await expect(page.getByTestId('share-button')).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('share-copy-link')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('share-embed')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('embed-dialog')).toBeVisible();
  await expect(page.getByTestId('share-embed')).toBeHidden();
  await expect(page.getByTestId('embed-readonly')).toBeFocused();

  const snippet = page.getByTestId('embed-snippet');
  const site = baseURL.replace(/\/$/, '');
  await expect(snippet).toHaveValue(new RegExp(`^<iframe src="${site}/#embed&amp;s=[A-Za-z0-9_-]+" [^\\n]* height="480" [^\\n]*></iframe>\\n<script src="${site}/embed\\.js" defer></script>$`));
  // The options: read-only, a height, and without the fitting script.
  await page.keyboard.press('Space');
  await expect(snippet).toHaveValue(/#embed&amp;ro&amp;s=/);
  await page.getByTestId('embed-height').fill('300');
  await page.getByTestId('embed-height').press('Tab');
  await expect(snippet).toHaveValue(/ height="300" /);
  await page.getByTestId('embed-fit').uncheck();
  await expect(snippet).not.toHaveValue(/<script/);
  await page.getByTestId('embed-fit').check();
  await expect(page.getByTestId('embed-preview')).toHaveAttribute('href', /#embed&ro&s=/);

  await page.getByTestId('embed-copy').click();
  await expect(page.getByTestId('toast')).toHaveText('Embed snippet copied');
  const html = await snippet.inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(html);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('embed-dialog')).toHaveCount(0);

  // Pasted into a page of another origin (the other port; Chromium lets a page embed loopback
  // addresses only from a loopback page): the rule, its matches, read-only, fitted to its content.
  const docs = await context.newPage();
  const errors = watchErrors(docs);
  await docs.goto(`${rootServer(baseURL)}/tests/e2e/fixtures/blank.html`);
  await docs.setContent(`<!doctype html><html><body><h1>Our rules</h1>${html}<p>After the embed.</p></body></html>`);
  const iframe = docs.locator('iframe[data-sigmaplay]');
  const frame = iframe.contentFrame();
  await expect(frame.getByTestId('rule-editor')).toHaveValue(LOCALTONET);
  await expect(frame.getByTestId('rule-editor')).toHaveAttribute('readonly');
  expect(await matchedFlags(frame)).toEqual(['true', 'false']);
  await expect(frame.getByTestId('kql-output')).toContainText('imNetworkSession');
  const height = await expectFitted(iframe);
  expect(height).not.toBe(300);
  // The embed may use the clipboard from the other origin (the snippet's `allow`).
  await frame.getByTestId('copy-kql').click();
  await expect(frame.getByTestId('toast')).toHaveText('KQL copied');
  expect(errors, 'page errors').toEqual([]);
});
