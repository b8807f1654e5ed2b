/**
 * The rebalance mail lists, under each new holding, its latest stored headlines: at most three,
 * newest first, none published after the rebalance's day, escaped and linked; a holding kept from
 * the previous rebalance gets none. Read back from the queued mail itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import type { NewsHeadline } from '../../src/data/qualitative.js';
import { storeNewsHeadlines } from '../../src/data/qualitative-store.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { getPortfolio, rebalances } from '../../src/portfolio/portfolio-store.js';
import { publishRebalance } from '../../src/report/publish.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];
const gates = { name: 'none', set: {} };
const env = {
  home: '',
  publicUrl: 'https://momentum.example',
  mailFrom: 'reports@momentum.example',
  linkSecret: undefined,
  reportLinkDays: 90,
};
const AS_OF = '2014-06-30';
const LATER = ['2014-07-31', '2014-08-29', '2014-09-30', '2014-10-31', '2014-11-28'];

/** Five headlines per symbol, one a day up to AS_OF's eve, plus one published the day after AS_OF. */
function headlinesOf(symbol: string): NewsHeadline[] {
  const at = (iso: string) => Date.parse(`${iso}T14:30:00Z`);
  const days = ['2014-06-25', '2014-06-26', '2014-06-27', '2014-06-29', '2014-06-30', '2014-07-01'];
  return days.map((day, i) => ({
    symbol,
    id: `${symbol}-${i}`,
    title: `${symbol} story ${i} <b>"bold"</b> & more`,
    publisher: 'Wire & Co',
    link: `https://news.example/${symbol}/${i}?a=1&b=2`,
    publishedAt: at(day),
    source: 'test',
  }));
}

async function mailOf(db: TestDatabase, recipient: string, asOf: string): Promise<{ html: string; text: string }> {
  const rows = await db.kysely
    .selectFrom('outbox')
    .select(['raw', 'idempotency_key'])
    .where('recipient', '=', recipient)
    .orderBy('id')
    .execute();
  const row = rows.find((r) => r.idempotency_key.includes(asOf));
  if (!row) throw new Error(`no mail for ${recipient} on ${asOf}: ${rows.map((r) => r.idempotency_key).join(', ')}`);
  const mail = await simpleParser(Buffer.from(row.raw));
  return { html: String(mail.html), text: mail.text ?? '' };
}

describe(`headlines of new holdings in the rebalance mail (${engineName})`, () => {
  let db: TestDatabase;
  let held: string[];
  let keptNext: string[];
  let newNext: string[];
  let mixed: string;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
    await storeNewsHeadlines(db, SYMBOLS.flatMap(headlinesOf));
    await createPortfolio(
      db,
      'news',
      { strategy: 'xs-momentum', hyperparameters: { topPct: 34 }, symbols: SYMBOLS, amount: 100_000, asOf: AS_OF, ignoreGates: true },
      { gates },
    );
    await addSubscriber(db, { portfolio: 'news', email: 'ann@example.com', name: 'Ann', amount: 25_000, since: AS_OF });
    env.home = mkdtempSync(join(tmpdir(), 'momentum-headlines-'));
    await publishRebalance(db, env, 'news', { asOf: AS_OF });
    for (const day of LATER) {
      await rebalancePortfolio(db, 'news', { asOf: day, gates });
      await publishRebalance(db, env, 'news', { asOf: day });
    }
    const portfolio = await getPortfolio(db, 'news');
    const history = [...(await rebalances(db, portfolio.id, 100))].reverse();
    const holds = (k: number) => history[k]!.holdings.filter((h) => h.targetWeight > 0).map((h) => h.symbol);
    held = holds(0);
    // the first later rebalance that both keeps a holding and adds one
    const k = history.findIndex(
      (_, i) => i > 0 && holds(i).some((s) => holds(i - 1).includes(s)) && holds(i).some((s) => !holds(i - 1).includes(s)),
    );
    if (k < 0) throw new Error('no rebalance keeps one holding and adds another: choose other days');
    mixed = history[k]!.asOf;
    keptNext = holds(k).filter((s) => holds(k - 1).includes(s));
    newNext = holds(k).filter((s) => !holds(k - 1).includes(s));
  }, 600_000);
  afterAll(async () => {
    await db?.close();
  });

  it('lists the three newest headlines up to the day of the rebalance under each new holding, escaped and linked', async () => {
    const { html, text } = await mailOf(db, 'ann@example.com', AS_OF);
    expect(held.length).toBeGreaterThan(0);
    for (const symbol of held) {
      // 4, 3 and 2 (published by the end of 30 June), never 5 (1 July) nor the older ones
      for (const i of [4, 3, 2]) {
        expect(html).toContain(
          `<a href="https://news.example/${symbol}/${i}?a&#x3D;1&amp;b&#x3D;2" style="color:#1d4ed8;">${symbol} story ${i} &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; more</a>`,
        );
        expect(text).toContain(`- ${symbol} story ${i} <b>"bold"</b> & more (Wire & Co, 2014-06-`);
        expect(text).toContain(`https://news.example/${symbol}/${i}?a=1&b=2`);
      }
      for (const i of [0, 1, 5]) expect(html).not.toContain(`news.example/${symbol}/${i}?`);
      expect(text.indexOf(`${symbol} story 4`)).toBeLessThan(text.indexOf(`${symbol} story 3`));
    }
    expect(html).not.toContain('<b>"bold"</b>');
    for (const symbol of SYMBOLS.filter((s) => !held.includes(s))) expect(html).not.toContain(`news.example/${symbol}/`);
  });

  it('gives a holding kept from the previous rebalance no headlines, and a holding new in it its own', async () => {
    const { html } = await mailOf(db, 'ann@example.com', mixed);
    expect(keptNext.length).toBeGreaterThan(0);
    expect(newNext.length).toBeGreaterThan(0);
    for (const symbol of keptNext) expect(html).not.toContain(`news.example/${symbol}/`);
    // every stored headline was published by then: the newest three are 5, 4 and 3
    for (const symbol of newNext) for (const i of [5, 4, 3]) expect(html).toContain(`news.example/${symbol}/${i}?`);
  });
});
