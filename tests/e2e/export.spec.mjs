// The Export menu of the KQL panel: the rule as a deployable Sentinel analytics rule or Defender
// custom detection, the pre-flight checks inline, the schedule fields, and the downloaded file.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { LOCALTONET, open, watchErrors, watchForeignRequests } from './helpers.mjs';

/** Opens the share link a description holds in a fresh browser context: the state it restores. */
async function openLink(browser, description) {
  const link = description.match(/Playground: (\S+)/)?.[1];
  expect(link, description).toBeTruthy();
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await open(other, link);
  const restored = {
    rule: await other.getByTestId('rule-editor').inputValue(),
    target: await other.getByTestId('pipeline-select').inputValue(),
  };
  await ctx.close();
  return { link, ...restored };
}

async function download(page) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('exports LocaltoNet as a Sentinel rule and a Defender detection, checked and downloaded', async ({ page, browser, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);

  // Sentinel YAML on the default target (ASIM).
  await page.getByTestId('export-menu').locator('summary').click();
  await page.getByTestId('export-sentinel-yaml').click();
  const panel = page.getByTestId('export-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('export-verdict')).toHaveText('Pre-flight checks pass');
  await expect(page.getByTestId('export-document')).toContainText('kind: Scheduled');
  // The description links back to the playground state it was exported from (made asynchronously).
  await expect(page.getByTestId('export-document')).toContainText('Playground: ');
  let file = await download(page);
  expect(file.name).toBe('communication-to-localtonet-tunneling-service-initiated.sentinel.yaml');
  expect(file.text).toContain('kind: Scheduled');
  expect(file.text).toContain('CommandAndControl');
  for (const t of ['T1572', 'T1090', 'T1102']) expect(file.text).toContain(t);
  expect(file.text).toMatch(/entityType: Host/);
  expect(file.text).toContain('queryFrequency: 1h');
  let restored = await openLink(browser, file.text);
  expect(restored.link.startsWith(`${baseURL}#s=`), restored.link).toBe(true);
  expect(restored.rule).toBe(LOCALTONET);
  expect(restored.target).toBe('sentinel_asim');

  // The schedule fields reach the document; a period shorter than the frequency fails a check.
  await page.getByTestId('export-frequency').fill('2h');
  await page.getByTestId('export-period').fill('30m');
  await expect(page.getByTestId('export-verdict')).toContainText('fail');
  await expect(page.getByTestId('export-checks')).toContainText('queryPeriod');
  await page.getByTestId('export-period').fill('4h');
  await expect(page.getByTestId('export-verdict')).toHaveText('Pre-flight checks pass');
  file = await download(page);
  expect(file.text).toContain('queryFrequency: 2h');
  expect(file.text).toContain('queryPeriod: 4h');
  // A field that does not read is named, and the default is used.
  await page.getByTestId('export-threshold').fill('many');
  await expect(page.getByTestId('export-checks')).toContainText('Threshold: expected a whole number');

  // Defender JSON on the Defender XDR target.
  await page.getByTestId('pipeline-select').selectOption('microsoft_xdr');
  await page.getByTestId('export-menu').locator('summary').click();
  await page.getByTestId('export-defender-json').click();
  // The schedule typed for Sentinel is kept: 2h is no Defender period, and the check says so.
  await expect(page.getByTestId('export-verdict')).toContainText('fail');
  await expect(page.getByTestId('export-checks')).toContainText('defender-period');
  await page.getByTestId('export-frequency').fill('3h');
  await expect(page.getByTestId('export-verdict')).toHaveText('Pre-flight checks pass');
  await expect(page.getByTestId('export-document')).toContainText('microsoft_xdr pipeline\\nPlayground: ');
  file = await download(page);
  expect(file.name).toBe('communication-to-localtonet-tunneling-service-initiated.defender.json');
  const rule = JSON.parse(file.text);
  expect(rule.queryCondition.queryText).toContain('DeviceNetworkEvents');
  for (const c of ['Timestamp', 'DeviceId', 'ReportId']) expect(rule.queryCondition.queryText).toContain(c);
  // The link follows the state: this one opens the rule on the Defender target.
  restored = await openLink(browser, rule.detectionAction.alertTemplate.description);
  expect(restored.rule).toBe(LOCALTONET);
  expect(restored.target).toBe('microsoft_xdr');
  expect(rule.schedule.period).toBe('3H');
  expect(rule.detectionAction.alertTemplate.mitreTechniques).toEqual(expect.arrayContaining(['T1572', 'T1090', 'T1102']));

  await page.getByTestId('export-close').click();
  await expect(panel).toHaveCount(0);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
