// The KQL output as an editor: editing marks the query edited (it stops following the rule),
// "Restore generated" brings the generated query back, and the edit is saved and shared only
// while it is in effect.
import { test, expect } from '@playwright/test';
import { LOCALTONET, open, watchErrors, watchForeignRequests } from './helpers.mjs';

const EDITED = 'imNetworkSession\n| where DstHostname endswith ".example.org"\n';

test('editing the KQL marks it edited; Restore generated brings the generated query back', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);
  const kql = page.getByTestId('kql-output');
  await expect(kql).toContainText('imNetworkSession');
  const generated = await kql.inputValue();
  expect(generated).toContain('.localto.net');
  await expect(page.getByTestId('kql-edited')).toHaveCount(0);
  await expect(page.getByTestId('restore-kql')).toHaveCount(0);

  await kql.fill(EDITED);
  await expect(page.getByTestId('kql-edited')).toHaveText('edited');
  await expect(kql).toHaveValue(EDITED);
  // The highlighted copy follows the edit (KQL highlighting, user text as text nodes).
  await expect(page.locator('.kql-panel .ce-hl')).toContainText('.example.org');
  await expect(page.locator('.kql-panel .ce-hl script')).toHaveCount(0);

  // An edited query no longer follows the rule.
  await page.getByTestId('rule-editor').fill(LOCALTONET.replace("'.localto.net'", "'.localto.example'"));
  await expect(page.getByTestId('match-count')).toContainText('0 of 2');
  await expect(kql).toHaveValue(EDITED);

  await page.getByTestId('restore-kql').click();
  await expect(page.getByTestId('kql-edited')).toHaveCount(0);
  await expect(kql).toContainText('.localto.example');
  await expect(kql).not.toHaveValue(EDITED);

  // Back to generated: it follows the rule again.
  await page.getByTestId('rule-editor').fill(LOCALTONET);
  await expect(kql).toHaveValue(generated);
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(errors, 'page errors').toEqual([]);
});

test('an edited query is kept across a reload and in share links, and dropped once restored', async ({ page, browser }) => {
  await open(page);
  const kql = page.getByTestId('kql-output');
  await kql.fill(EDITED);
  await page.waitForTimeout(700); // saving is debounced (400 ms)
  await page.reload();
  await expect(page.getByTestId('kql-output')).toHaveValue(EDITED);
  await expect(page.getByTestId('kql-edited')).toBeVisible();

  await page.getByTestId('share-button').click();
  await page.getByTestId('share-copy-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await other.goto(url);
  await expect(other.getByTestId('kql-output')).toHaveValue(EDITED);
  await expect(other.getByTestId('kql-edited')).toBeVisible();
  await ctx.close();

  await page.keyboard.press('Escape');
  await page.getByTestId('restore-kql').click();
  await expect(page.getByTestId('kql-output')).toContainText('.localto.net');
  await page.waitForTimeout(700);
  const saved = await page.evaluate(() => localStorage.getItem('sigmaplay:v1:state'));
  expect(JSON.parse(saved)).not.toHaveProperty('q');
  await page.reload();
  await expect(page.getByTestId('kql-output')).toContainText('.localto.net');
  await expect(page.getByTestId('kql-edited')).toHaveCount(0);
});
