// One-click lint fixes: a diagnostic with a fix shows a "Fix" button; clicking it rewrites the rule
// text (as an edit the browser's undo takes back) and the diagnostic goes away. "Fix all" applies
// every safe fix at once.
import { test, expect } from '@playwright/test';
import { open, watchErrors, watchForeignRequests, LOCALTONET } from './helpers.mjs';

const MISSPELT = LOCALTONET.replace('status: test', 'status: experimantal');

/** The diagnostics list item with this code (the code is in the button's title). */
function diagnostic(page, code) {
  return page.getByTestId('diagnostics').locator('li').filter({ has: page.locator(`button[title$="(${code})"]`) });
}

test('Fix rewrites the rule text and the diagnostic goes away; undo brings it back', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);
  const editor = page.getByTestId('rule-editor');
  await editor.fill(MISSPELT);
  const status = diagnostic(page, 'invalid-status');
  await expect(status).toHaveCount(1);
  const fix = status.getByRole('button', { name: /^Fix: write 'experimental'/ });
  await expect(fix).toBeVisible();
  await fix.click();
  await expect(editor).toHaveValue(LOCALTONET.replace('status: test', 'status: experimental'));
  await expect(status).toHaveCount(0);
  // The matching still works on the fixed rule.
  await expect(page.getByTestId('kql-output')).toContainText('localto.net');

  // The fix went through the editing commands: undo restores the misspelt status.
  await editor.focus();
  await page.keyboard.press('ControlOrMeta+z');
  await expect(editor).toHaveValue(MISSPELT);
  await expect(diagnostic(page, 'invalid-status')).toHaveCount(1);

  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('Fix all applies every safe fix, and leaves a fix that changes matching alone', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  const editor = page.getByTestId('rule-editor');
  const messy = MISSPELT.replace('level: high', 'level: High')
    .replace("            - '.localtonet.com'\n", "            - '.localtonet.com'\n            - '*.localto.net'\n")
    .replace('        Initiated:', '        Initiat ed:');
  await editor.fill(messy);
  const fixAll = page.getByRole('button', { name: /^Fix all \(\d+\)$/ });
  await expect(fixAll).toBeVisible();
  // The renamed field would read another field: its Fix says so and is not safe.
  await expect(diagnostic(page, 'field-name-space').getByRole('button', { name: /changes what the rule matches/ })).toBeVisible();
  await fixAll.click();
  const expected = LOCALTONET.replace('status: test', 'status: experimental').replace('        Initiated:', '        Initiat ed:');
  // The '*' goes first; the value it leaves repeats '.localto.net', which the next pass removes, as
  // `sigmaplay check --fix` does (core's fix_all_safe checks again after each pass).
  await expect(editor).toHaveValue(expected);
  for (const code of ['invalid-status', 'invalid-level', 'redundant-wildcard', 'duplicate-value']) {
    await expect(diagnostic(page, code)).toHaveCount(0);
  }
  await expect(diagnostic(page, 'field-name-space')).toHaveCount(1);
  expect(errors).toEqual([]);
});
