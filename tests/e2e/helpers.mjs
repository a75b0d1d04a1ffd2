// Shared helpers for the end-to-end tests.
import { expect } from '@playwright/test';
import { readFileSync } from 'node:fs';

export const LOCALTONET = readFileSync(new URL('../../static/examples/01-localtonet-tunnel.yml', import.meta.url), 'utf8');

export const MATCHING_EVENT = {
  EventID: 3, Image: 'C:\\Users\\bob\\AppData\\Local\\Temp\\lt.exe', Initiated: 'true',
  DestinationHostname: 'abc123.localto.net', DestinationIp: '203.0.113.9', DestinationPort: 443,
};
export const OTHER_EVENT = {
  EventID: 3, Image: 'C:\\Program Files\\App\\app.exe', Initiated: 'true',
  DestinationHostname: 'www.example.org', DestinationIp: '198.51.100.1', DestinationPort: 443,
};

/** Records every request whose origin differs from the page's (data: and blob: are local). */
export function watchForeignRequests(page, origin) {
  const foreign = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin) foreign.push(req.url());
  });
  return foreign;
}

/** Collects uncaught page errors and console errors. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** Opens the page with an empty localStorage and waits for the first KQL. */
export async function open(page, url = '/') {
  await page.goto(url);
  await expect(page.getByTestId('kql-output')).not.toBeEmpty();
}

/** The data-matched values of the event results, in order. */
export async function matchedFlags(page) {
  return page.getByTestId('event-result').evaluateAll((els) => els.map((e) => e.dataset.matched));
}
