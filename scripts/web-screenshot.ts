/**
 * `npm run screenshot`: the README's picture of the journey's step 2 (choosing a strategy and a
 * universe), taken in the browser of the browser tests from a server on a scratch embedded
 * database, so it shows the pages as they are now. Writes reports/screenshots/web-strategies.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/api/server.js';
import { SYNTHETIC_SYMBOLS } from '../src/data/synthetic-market.js';
import { openDatabase } from '../src/db/database.js';
import { packageRoot } from '../src/util/package-root.js';
import { launchTestBrowser } from '../test/helpers/packaged-chromium.js';

const OUT = join(packageRoot(), 'reports', 'screenshots', 'web-strategies.png');

const home = mkdtempSync(join(tmpdir(), 'momentum-screenshot-'));
const db = await openDatabase({ home });
const server = await startServer({
  port: 0,
  env: {},
  log: () => undefined,
  api: { withDb: (work) => work(db) },
  web: { universes: () => [{ name: 'synthetic', description: 'the seeded synthetic market', symbols: SYNTHETIC_SYMBOLS }] },
});
const browser = await launchTestBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
  await page.goto(`${server.url}/strategies`);
  await page.getByLabel('Universe', { exact: true }).selectOption('synthetic');
  await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
  mkdirSync(join(packageRoot(), 'reports', 'screenshots'), { recursive: true });
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await server.close();
  await db.close();
  rmSync(home, { recursive: true, force: true });
}
