// SigmaHQ regression tests in and out: import a regression_data folder's info.yml and event JSON
// (file input, drop, paste, or the example that has one), see whether match_count holds, export
// the current events as a test and import the exported files back.
// Fixture: SigmaHQ's test of proc_creation_win_findstr_recon_everyone (DRL 1.1, see
// static/examples/README.md), kept as the app's example 18.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { open, watchErrors, watchForeignRequests } from './helpers.mjs';

const example = (ext) => readFileSync(new URL(`../../static/examples/18-findstr-everyone.${ext}`, import.meta.url), 'utf8');
const RULE = example('yml');
const INFO = example('info.yml');
const EVENTS = example('events.json');
const RULE_ID = '47e4bab7-c626-47dc-967b-255608c9a920';
const EVENTS_NAME = `${RULE_ID}.json`;

const file = (name, text) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(text) });

async function importFiles(page, files) {
  await page.getByTestId('regression-files').setInputFiles(files);
}

/** Both files of an export, by name. */
async function exportTest(page) {
  const files = {};
  const got = new Promise((resolve) => {
    page.on('download', async (d) => {
      files[d.suggestedFilename()] = readFileSync(await d.path(), 'utf8');
      if (Object.keys(files).length === 2) resolve();
    });
  });
  await page.getByTestId('regression-export').click();
  await got;
  return files;
}

/** SigmaHQ's event JSON: pretty objects one after another. */
function parseStream(text) {
  return JSON.parse(`[${text.trim().replace(/\}\n\{/g, '},{')}]`);
}

test('imports a SigmaHQ regression folder, exports the test and imports it back', async ({ page, baseURL }) => {
  const foreign = watchForeignRequests(page, new URL(baseURL).origin);
  const errors = watchErrors(page);
  await open(page);
  await page.getByTestId('rule-editor').fill(RULE);

  // The folder's two files through the file input: the events load, match_count 1 holds.
  await importFiles(page, [file('info.yml', INFO), file(EVENTS_NAME, EVENTS)]);
  const verdict = page.getByTestId('regression-verdict');
  await expect(verdict).toHaveText('PASS');
  await expect(page.getByTestId('regression-message')).toHaveText('1 of 3 events match; match_count is 1');
  await expect(page.getByTestId('events-editor')).toHaveValue(EVENTS);
  expect(await page.getByTestId('event-result').evaluateAll((els) => els.map((e) => e.dataset.matched))).toEqual(['false', 'false', 'true']);

  // A match_count the events do not reach fails; a rule that is not info.yml's fails too.
  await importFiles(page, [file('info.yml', INFO.replace('match_count: 1', 'match_count: 2'))]);
  await expect(verdict).toHaveText('FAIL');
  await expect(page.getByTestId('regression-message')).toContainText('too few');
  await importFiles(page, [file('info.yml', INFO)]);
  await expect(verdict).toHaveText('PASS');
  await page.getByTestId('rule-editor').fill(RULE.replace(RULE_ID, '00000000-0000-4000-8000-000000000000'));
  await expect(verdict).toHaveText('FAIL');
  await expect(page.getByTestId('regression-panel')).toContainText(`info.yml is for rule ${RULE_ID}`);
  await page.getByTestId('rule-editor').fill(RULE);
  await expect(verdict).toHaveText('PASS');

  // Export: info.yml and <id>.json in SigmaHQ's layout, both parse.
  await page.getByTestId('regression-rule-path').fill('rules/windows/process_creation/proc_creation_win_findstr_recon_everyone.yml');
  const out = await exportTest(page);
  expect(Object.keys(out).sort()).toEqual([EVENTS_NAME, 'info.yml']);
  const folder = 'regression_data/rules/windows/process_creation/proc_creation_win_findstr_recon_everyone';
  expect(out['info.yml']).toContain(`rule_metadata:\n    - id: ${RULE_ID}\n      title: Permission Misconfiguration Reconnaissance Via Findstr.EXE\n`);
  expect(out['info.yml']).toContain('      type: evtx\n      provider: Microsoft-Windows-Sysmon\n      match_count: 1\n');
  expect(out['info.yml']).toContain(`      path: ${folder}/${RULE_ID}.evtx\n`);
  const events = parseStream(out[EVENTS_NAME]);
  expect(events.length).toBe(3);
  expect(events.map((e) => e.Event.EventData.Image)).toEqual(parseStream(EVENTS).map((e) => e.Event.EventData.Image));
  await expect(page.getByTestId('regression-messages')).toContainText(`regression_tests_path: ${folder}/info.yml`);

  // The exported files imported into a fresh page give the same verdict.
  await open(page);
  await page.getByTestId('rule-editor').fill(RULE);
  await importFiles(page, [file('info.yml', out['info.yml']), file(EVENTS_NAME, out[EVENTS_NAME])]);
  await expect(verdict).toHaveText('PASS');
  await expect(page.getByTestId('regression-message')).toHaveText('1 of 3 events match; match_count is 1');

  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('takes the files by drop and by paste, and from the example that has a test', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  const zone = page.getByTestId('regression-drop');

  // Drop the rule with the folder's files: all three load.
  const dropped = await page.evaluateHandle(([rule, info, events, name]) => {
    const data = new DataTransfer();
    data.items.add(new File([rule], 'proc_creation_win_findstr_recon_everyone.yml'));
    data.items.add(new File([info], 'info.yml'));
    data.items.add(new File([events], name));
    return data;
  }, [RULE, INFO, EVENTS, EVENTS_NAME]);
  await zone.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByTestId('regression-verdict')).toHaveText('PASS');
  await expect(page.getByTestId('rule-editor')).toHaveValue(RULE);

  // Paste an info.yml as text: the expectation changes, the events stay.
  await zone.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, INFO.replace('match_count: 1', 'match_count: 3'));
  await expect(page.getByTestId('regression-verdict')).toHaveText('FAIL');
  await expect(page.getByTestId('regression-message')).toHaveText('1 of 3 events match; match_count is 3: too few');

  // The example with regression data.
  await page.getByTestId('rule-editor').fill('');
  await page.getByTestId('regression-example').click();
  await expect(page.getByTestId('regression-verdict')).toHaveText('PASS');
  await expect(page.getByTestId('rule-editor')).toHaveValue(RULE);
  expect(errors).toEqual([]);
});
