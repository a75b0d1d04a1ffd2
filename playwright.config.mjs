// Playwright end-to-end tests against the release build in dist/ (run `trunk build --release` first).
// Uses Debian's /usr/bin/chromium: never run `npx playwright install` (no browser downloads here).
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT || 18000);
// A second server serves the project root, so the app is reachable under the sub-path /dist/:
// this checks that the build uses relative URLs only.
const SUBPATH_PORT = PORT + 1;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /.*\.spec\.mjs/,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    headless: true,
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
  webServer: [
    {
      command: `python3 -m http.server ${PORT} --bind 127.0.0.1 --directory dist`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: false,
      timeout: 30_000,
      stderr: 'ignore', // python's access log
    },
    {
      command: `python3 -m http.server ${SUBPATH_PORT} --bind 127.0.0.1 --directory .`,
      url: `http://127.0.0.1:${SUBPATH_PORT}/dist/`,
      reuseExistingServer: false,
      timeout: 30_000,
      stderr: 'ignore', // python's access log
    },
  ],
});
