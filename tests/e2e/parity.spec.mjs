// The Sigma-vs-KQL panel: per event, the rule's verdict and the KQL query's verdict (generated or
// edited), disagreements with their likely cause, the events-schema selector, KQL errors marked in
// the KQL editor. Everything runs in the page: no request leaves the origin.
import { test, expect } from '@playwright/test';
import { open, watchErrors, watchForeignRequests } from './helpers.mjs';

/** [data-sigma, data-kql, data-agree] of each parity row, in order. */
async function rows(page) {
  return page.getByTestId('parity-row').evaluateAll((els) => els.map((e) => [e.dataset.sigma, e.dataset.kql, e.dataset.agree]));
}

// Only the direction is checked: the second (outbound, non-LocaltoNet) event now matches the query.
const WITHOUT_HOST = 'imNetworkSession\n| where NetworkDirection =~ "Outbound"\n';

test('verdicts side by side; an edited query that drops a condition shows a disagreement and its cause', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);
  const parity = page.getByTestId('parity');
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree');
  expect(await rows(page)).toEqual([['true', 'true', 'true'], ['false', 'false', 'true']]);
  await expect(parity.getByTestId('parity-row').locator('th')).toHaveText(['Event 1', 'Event 2']);
  await expect(page.getByTestId('schema-detected')).toHaveText('detected: Sigma fields');
  await expect(page.getByTestId('parity-cause')).toHaveCount(0);

  // Editing the query reruns it on the events.
  await page.getByTestId('kql-output').fill(WITHOUT_HOST);
  await expect(page.getByTestId('kql-edited')).toBeVisible();
  await expect(page.getByTestId('parity-summary')).toHaveText('1 disagreement');
  expect(await rows(page)).toEqual([['true', 'true', 'true'], ['false', 'true', 'false']]);
  const row = parity.getByTestId('parity-row').nth(1);
  await expect(row).toHaveClass(/disagree/);
  await expect(parity.getByTestId('parity-cause')).toHaveText(/^KQL matches, Sigma does not/);

  // Back to the generated query: both agree again.
  await page.getByTestId('restore-kql').click();
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree');
  expect(await rows(page)).toEqual([['true', 'true', 'true'], ['false', 'false', 'true']]);

  await page.waitForLoadState('networkidle');
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(errors, 'page errors').toEqual([]);
});

test('a KQL error is marked in the KQL editor at its place, and the comparison says the KQL could not run', async ({ page }) => {
  await open(page);
  await page.getByTestId('kql-output').fill('imNetworkSession\n| where DstHostname endswith\n');
  await expect(page.getByTestId('parity-summary')).toHaveText('the KQL could not run');
  expect(await rows(page)).toEqual([['true', 'none', 'false'], ['false', 'none', 'false']]);
  await expect(page.getByTestId('parity-error')).toContainText('KQL 3:1');
  await expect(page.locator('.kql-panel .ce-hl .m-err')).toHaveCount(1);
  await expect(page.locator('.kql-panel .ce-status')).toContainText('Ln 1');
});

test('the events-schema selector: Auto shows what it detected; Target reads the events as table rows', async ({ page }) => {
  await open(page);
  const select = page.getByTestId('schema-select');
  await expect(select).toHaveValue('auto');
  await expect(page.getByTestId('schema-detected')).toHaveText('detected: Sigma fields');

  // Sigma-named events read as if they were rows of the target table: the KQL finds none of its columns.
  await select.selectOption('target');
  await expect(page.getByTestId('parity-summary')).toHaveText('1 disagreement');
  expect(await rows(page)).toEqual([['true', 'false', 'false'], ['false', 'false', 'true']]);
  await expect(page.getByTestId('parity-cause')).toContainText('missing from the KQL row');
  await expect(page.getByTestId('schema-detected')).toHaveCount(0);

  await select.selectOption('sigma');
  await expect(page.getByTestId('parity-summary')).toHaveText('2/2 agree');
  await select.selectOption('auto');
  await expect(page.getByTestId('schema-detected')).toHaveText('detected: Sigma fields');
});
