/**
 * A real subscriber's rebalance mail (published from the database for their own amount) laid out by
 * headless Chromium: the page shows their money, their shares and their portfolio since they
 * started, not the model's. Screenshot in test-artifacts/browser/subscriber-report.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { publishRebalance } from '../../src/report/publish.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { ARTIFACTS, saveScreenshot } from '../helpers/screenshot.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];

declare const document: { readonly body: { readonly innerText: string } };

describe(`a subscriber's rebalance mail in Chromium (${engineName})`, () => {
  let db: TestDatabase;
  let browser: Browser;
  let home: string;
  let html = '';
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'momentum-subscriber-'));
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 5 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
    await createPortfolio(
      db,
      'shown',
      {
        strategy: 'xs-momentum',
        hyperparameters: { topPct: 50 },
        symbols: SYMBOLS,
        amount: 100_000,
        asOf: '2014-08-29',
        ignoreGates: true,
      },
      { gates: { name: 'none', set: {} } },
    );
    await addSubscriber(db, { portfolio: 'shown', email: 'zoe@example.com', name: 'Zoe', amount: 7_777, since: '2014-08-29' });
    await rebalancePortfolio(db, 'shown', { asOf: '2014-09-30', gates: { name: 'none', set: {} } });
    const env = {
      home,
      publicUrl: 'https://momentum.example',
      mailFrom: 'reports@momentum.example',
      linkSecret: undefined,
      reportLinkDays: 90,
    };
    await publishRebalance(db, env, 'shown', { asOf: '2014-08-29', benchmark: 'SYN-EQ-US' });
    await publishRebalance(db, env, 'shown', { asOf: '2014-09-30', benchmark: 'SYN-EQ-US' });
    const row = await db.kysely.selectFrom('outbox').select('raw').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const mail = await simpleParser(Buffer.from(row.raw), { keepCidLinks: true });
    html = String(mail.html);
    for (const a of mail.attachments) {
      if (a.cid) html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
    }
    browser = await launchTestBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await db?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("shows the subscriber's own amount, shares and since-start chart", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.setContent(html, { waitUntil: 'load' });
    await saveScreenshot(page, 'subscriber-report.png');
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('Dear Zoe,');
    // Their book is worth about what they put in a month ago, nowhere near the model's 100,000.
    const sized = /sized for your \$([\d,]+\.\d\d)/.exec(text);
    expect(sized).not.toBeNull();
    const amount = Number(sized![1]!.replace(/,/g, ''));
    expect(amount).toBeGreaterThan(6_000);
    expect(amount).toBeLessThan(9_500);
    expect(text).toContain('Your portfolio since you started');
    expect(text).toMatch(
      /Since 29 Aug 2014 you put in \$7,777\.00; on 30 Sep 2014 it is worth \$[\d,]+\.\d\d\. The same money in SYN-EQ-US/,
    );
    const loaded = await page.evaluate(() =>
      Array.from((document as unknown as { images: ArrayLike<{ alt: string; naturalWidth: number }> }).images).map((i) => [
        i.alt,
        i.naturalWidth,
      ]),
    );
    expect(loaded).toEqual(expect.arrayContaining([['Your portfolio since you started against SYN-EQ-US', 1184]]));
    await page.close();
  });
});
