// The Sigma-vs-KQL panel: per event, the rule's verdict and the KQL query's verdict (generated or
// edited) on the rows each source of the table gives (Sysmon through Event and WindowsEvent,
// Defender), disagreements with their likely cause, the events selector, the rows view, KQL errors
// marked in the KQL editor. Everything runs in the page: no request leaves the origin.
import { test, expect } from '@playwright/test';
import { open, watchErrors, watchForeignRequests } from './helpers.mjs';

/** [data-sigma, data-kql, data-agree] of each parity row, in order. */
async function rows(page) {
  return page.getByTestId('parity-row').evaluateAll((els) => els.map((e) => [e.dataset.sigma, e.dataset.kql, e.dataset.agree]));
}

// Only the direction is checked, the way the query was written before the sources were modelled:
// Sysmon rows carry no NetworkDirection, so they never match it; Defender rows do, for both events.
const WITHOUT_HOST = 'imNetworkSession\n| where NetworkDirection =~ "Outbound"\n';
const DETECTED = 'detected: As their source writes them, read as Sysmon';

test('verdicts side by side; an edited query that drops a condition shows a disagreement and its cause', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);
  const parity = page.getByTestId('parity');
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree on 3 sources');
  expect(await rows(page)).toEqual([['true', 'true', 'true'], ['false', 'false', 'true']]);
  await expect(parity.getByTestId('parity-row').locator('th')).toHaveText(['Event 1', 'Event 2']);
  await expect(page.getByTestId('schema-detected')).toHaveText(DETECTED);
  await expect(page.getByTestId('parity-cause')).toHaveCount(0);

  // Editing the query reruns it on every source's rows.
  await page.getByTestId('kql-output').fill(WITHOUT_HOST);
  await expect(page.getByTestId('kql-edited')).toBeVisible();
  await expect(page.getByTestId('parity-summary')).toHaveText('2 disagreements (Sysmon via Event, Sysmon via WindowsEvent, Defender for Endpoint)');
  expect(await rows(page)).toEqual([['true', 'false', 'false'], ['false', 'false', 'false']]);
  await expect(parity.getByTestId('parity-row').nth(0)).toHaveClass(/disagree/);
  await expect(parity.getByTestId('parity-cause').nth(0)).toContainText('Sysmon via Event: Sigma matches, KQL does not');
  await expect(parity.getByTestId('parity-cause').nth(1)).toHaveText(/^Defender for Endpoint: KQL matches, Sigma does not/);

  // Back to the generated query: both agree again.
  await page.getByTestId('restore-kql').click();
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree on 3 sources');
  expect(await rows(page)).toEqual([['true', 'true', 'true'], ['false', 'false', 'true']]);

  await page.waitForLoadState('networkidle');
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(errors, 'page errors').toEqual([]);
});

test('a KQL error is marked in the KQL editor at its place, and the comparison says the KQL could not run', async ({ page }) => {
  await open(page);
  await page.getByTestId('kql-output').fill('imNetworkSession\n| where DstHostname endswith\n');
  await expect(page.getByTestId('parity-summary')).toHaveText(/^2 disagreements|the KQL could not run/);
  expect(await rows(page)).toEqual([['true', 'none', 'false'], ['false', 'none', 'false']]);
  await expect(page.getByTestId('parity-error')).toContainText('KQL 3:1');
  await expect(page.locator('.kql-panel .ce-hl .m-err')).toHaveCount(1);
  await expect(page.locator('.kql-panel .ce-status')).toContainText('Ln 1');
});

test('the events selector: Auto shows what it detected; Target reads the events as table rows; Sigma maps them by the rule', async ({ page }) => {
  await open(page);
  const select = page.getByTestId('schema-select');
  await expect(select).toHaveValue('auto');
  await expect(page.getByTestId('schema-detected')).toHaveText(DETECTED);

  // Sigma-named events read as if they were rows of the target table: the KQL finds none of its columns.
  await select.selectOption('target');
  await expect(page.getByTestId('parity-summary')).toHaveText('1 disagreement');
  expect(await rows(page)).toEqual([['true', 'false', 'false'], ['false', 'false', 'true']]);
  await expect(page.getByTestId('parity-cause')).toContainText('missing from the KQL row');
  await expect(page.getByTestId('schema-detected')).toHaveCount(0);

  await select.selectOption('sigma');
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree');
  await select.selectOption('source');
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree on 3 sources');
  await select.selectOption('auto');
  await expect(page.getByTestId('schema-detected')).toHaveText(DETECTED);
});

test('per source: a verdict column each, and the rows each source gives', async ({ page }) => {
  await open(page);
  await expect(page.getByTestId('source-summary')).toHaveText('Sysmon via Event 2/2 · Sysmon via WindowsEvent 2/2 · Defender for Endpoint 2/2');
  const head = page.getByTestId('source-parity').locator('thead th');
  await expect(head).toHaveText(['Event', 'Sigma', 'Sysmon via Event', 'Sysmon via WindowsEvent', 'Defender for Endpoint']);
  const cells = page.getByTestId('source-parity').locator('tbody tr').nth(0).locator('td[data-kql]');
  await expect(cells).toHaveCount(3);
  expect(await cells.evaluateAll((els) => els.map((e) => e.dataset.kql))).toEqual(['true', 'true', 'true']);

  // Sysmon's parser puts the process of an initiated connection in Dst* and sets no direction;
  // Defender's keeps only the file name, in Src*, with the direction.
  const views = page.getByTestId('rows-view');
  await expect(views).toHaveCount(3);
  await views.nth(0).locator('summary').click();
  const sysmon = views.nth(0).getByTestId('rows');
  await expect(sysmon).toContainText('DstProcessName: C:\\Users\\alice\\AppData\\Local\\Temp\\ltn\\localtonet.exe\n');
  await expect(sysmon).toContainText('SrcProcessName: \n');
  await expect(sysmon).not.toContainText('NetworkDirection');
  await views.nth(2).locator('summary').click();
  const defender = views.nth(2).getByTestId('rows');
  await expect(defender).toContainText('SrcProcessName: localtonet.exe\n');
  await expect(defender).toContainText('NetworkDirection: Outbound\n');
});
