// Smoke test of the release build (dist/), served by playwright.config.mjs, at the root and under a sub-path.
import { test, expect } from '@playwright/test';
import { watchForeignRequests, watchErrors, matchedFlags } from './helpers.mjs';

async function checkPlayground(page, url) {
  const origin = new URL(url).origin;
  const foreign = watchForeignRequests(page, origin);
  const errors = watchErrors(page);

  const response = await page.goto(url);
  expect(response.ok()).toBe(true);
  await expect(page).toHaveTitle('Sigmaplay');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sigmaplay');

  // First visit: the LocaltoNet rule, its KQL and one matching and one other event, at once.
  const output = page.getByTestId('kql-output');
  await expect(output).toContainText('imNetworkSession');
  await expect(output).toContainText('DstHostname');
  await expect(page.getByTestId('rule-editor')).toHaveValue(/LocaltoNet/);
  await expect(page.getByTestId('event-result')).toHaveCount(2);
  expect(await matchedFlags(page)).toEqual(['true', 'false']);
  await expect(page.getByTestId('rule-title')).toHaveText('Communication To LocaltoNet Tunneling Service Initiated');
  await expect(page.getByTestId('target-table')).toHaveText('imNetworkSession');
  await expect(page.locator('a.tag', { hasText: 'T1572 Protocol Tunneling' })).toHaveAttribute('href', 'https://attack.mitre.org/techniques/T1572/');

  // Typing updates the output live.
  await page.getByTestId('rule-editor').fill(
    'title: Smoke\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: \\cmd.exe\n  condition: sel\n');
  await expect(output).toContainText('imProcessCreate');

  await page.waitForLoadState('networkidle');
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(errors, 'page errors').toEqual([]);
}

test('page loads with KQL and matches, no request leaves the origin', async ({ page, baseURL }) => {
  await checkPlayground(page, baseURL);
});

test('the build works from a sub-path (relative URLs)', async ({ page, baseURL }) => {
  const base = new URL(baseURL);
  const url = `${base.protocol}//${base.hostname}:${Number(base.port) + 1}/dist/`;
  await checkPlayground(page, url);
});
