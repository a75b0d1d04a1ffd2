// Smoke test of the release build (dist/), served by playwright.config.mjs.
import { test, expect } from '@playwright/test';

/** Records every request whose origin differs from `origin` (data: and blob: URLs are local). */
function watchForeignRequests(page, origin) {
  const foreign = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin) foreign.push(req.url());
  });
  return foreign;
}

/** Collects uncaught page errors and console errors. */
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

async function checkPlayground(page, url) {
  const origin = new URL(url).origin;
  const foreign = watchForeignRequests(page, origin);
  const errors = watchErrors(page);

  const response = await page.goto(url);
  expect(response.ok()).toBe(true);
  await expect(page).toHaveTitle('Sigmaplay');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sigmaplay');

  const rule = page.getByTestId('rule-editor');
  const events = page.getByTestId('events-editor');
  const output = page.getByTestId('kql-output');
  await expect(rule).toBeVisible();
  await expect(events).toBeVisible();
  await expect(output).toContainText('sigmaplay-core ');
  await expect(output).toContainText('rule: 0 characters');

  await rule.fill('title: Smoke\n');
  await expect(output).toContainText('rule: 13 characters');
  await rule.pressSequentially('ab');
  await expect(output).toContainText('rule: 15 characters');

  await events.fill('{"EventID": 4688}');
  await expect(events).toHaveValue('{"EventID": 4688}');
  await expect(output).toContainText('rule: 15 characters');

  await page.waitForLoadState('networkidle');
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(errors, 'page errors').toEqual([]);
}

test('page loads, typing a rule updates the output, no request leaves the origin', async ({ page, baseURL }) => {
  await checkPlayground(page, baseURL);
});

test('the build works from a sub-path (relative URLs)', async ({ page, baseURL }) => {
  const base = new URL(baseURL);
  const url = `${base.protocol}//${base.hostname}:${Number(base.port) + 1}/dist/`;
  await checkPlayground(page, url);
});
