/**
 * Rebalance reports sized to each subscriber: their own whole-share book for their amount, from the
 * first rebalance on or after the day they joined. Read back from the mails themselves: for every
 * subscriber and symbol, the shares of one report plus the trades of the next give the shares of
 * the next, exactly; and the mail carries their portfolio since they started against the benchmark.
 * (Seen before: trades were the model's orders scaled with rounding while holdings were whole shares
 * bought afresh, so the two did not reconcile.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { followerBook } from '../../src/portfolio/follower-book.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { getPortfolio, rebalances } from '../../src/portfolio/portfolio-store.js';
import { publishRebalance } from '../../src/report/publish.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];
const gates = { name: 'none', set: {} };
const DAYS = ['2014-07-31', '2014-08-29', '2014-09-30'];
const env = {
  home: '',
  publicUrl: 'https://momentum.example',
  mailFrom: 'reports@momentum.example',
  linkSecret: undefined,
  reportLinkDays: 90,
};

interface Parsed {
  readonly shares: Map<string, number>;
  readonly trades: { side: string; symbol: string; shares: number }[];
  readonly text: string;
  readonly html: string;
}

/** The shares column (after) of the weights table and the trades of a report's plain-text part. */
function parseReport(text: string, html: string): Parsed {
  const weights = text.slice(text.indexOf('NEW WEIGHTS'), text.indexOf('WHY EACH HOLDING'));
  const shares = new Map<string, number>();
  // SYMBOL  before%  after%  change pp  [held ->] shares  $value
  for (const m of weights.matchAll(/^ {2}(SYN-\S+)\s+\S+\s+\S+\s+\S+ pp\s+(?:([\d,]+) -> )?([\d,]+)\s+\$/gm))
    shares.set(m[1]!, Number(m[3]!.replace(/,/g, '')));
  const tradesText = text.slice(text.indexOf('TRADES TO PLACE'), text.indexOf('Cash left after the trades'));
  const trades = [...tradesText.matchAll(/^ {2}(BUY|SELL)\s+(SYN-\S+)\s+([\d,]+) shares/gm)].map((m) => ({
    side: m[1]!,
    symbol: m[2]!,
    shares: Number(m[3]!.replace(/,/g, '')),
  }));
  return { shares, trades, text, html };
}

describe(`rebalance reports sized to each subscriber (${engineName})`, () => {
  let db: TestDatabase;
  const reports = new Map<string, Parsed[]>();
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
    await createPortfolio(
      db,
      'follow',
      {
        strategy: 'xs-momentum',
        hyperparameters: { topPct: 34 },
        symbols: SYMBOLS,
        amount: 100_000,
        asOf: '2014-06-30',
        ignoreGates: true,
      },
      { gates },
    );
    await addSubscriber(db, { portfolio: 'follow', email: 'ann@example.com', name: 'Ann', amount: 25_000, since: '2014-06-30' });
    await addSubscriber(db, { portfolio: 'follow', email: 'bob@example.com', name: 'Bob', amount: 7_777, since: '2014-08-15' });
    env.home = mkdtempSync(join(tmpdir(), 'momentum-subscribers-'));
    await publishRebalance(db, env, 'follow', { asOf: '2014-06-30', benchmark: 'SYN-EQ-US' });
    for (const day of DAYS) {
      await rebalancePortfolio(db, 'follow', { asOf: day, gates });
      await publishRebalance(db, env, 'follow', { asOf: day, benchmark: 'SYN-EQ-US' });
    }
    const rows = await db.kysely.selectFrom('outbox').select(['recipient', 'raw', 'idempotency_key']).orderBy('id').execute();
    for (const row of rows) {
      const mail = await simpleParser(Buffer.from(row.raw));
      reports.set(row.recipient, [...(reports.get(row.recipient) ?? []), parseReport(mail.text ?? '', String(mail.html))]);
    }
    // Four rebalances and a dozen rendered mails: generous on a busy machine (a bound, not a measure).
  }, 600_000);
  afterAll(async () => {
    await db?.close();
  });

  it('starts each subscriber at the first rebalance on or after the day they joined', () => {
    expect(reports.get('ann@example.com')).toHaveLength(DAYS.length + 1); // from the creation on 2014-06-30
    expect(reports.get('bob@example.com')).toHaveLength(DAYS.length - 1); // from 2014-08-29
    // Their first report buys everything with their own amount.
    for (const first of [reports.get('ann@example.com')![0]!, reports.get('bob@example.com')![0]!]) {
      expect(first.trades.every((t) => t.side === 'BUY')).toBe(true);
      expect([...first.shares.values()].some((s) => s > 0)).toBe(true);
    }
  });

  it("reconciles, in the mails themselves: one report's shares plus the next one's trades are the next one's shares", () => {
    let checked = 0;
    for (const [recipient, list] of reports) {
      for (let k = 0; k < list.length; k++) {
        const before = k === 0 ? new Map<string, number>() : list[k - 1]!.shares;
        const expected = new Map(before);
        for (const t of list[k]!.trades) expected.set(t.symbol, (expected.get(t.symbol) ?? 0) + (t.side === 'BUY' ? t.shares : -t.shares));
        const symbols = new Set([...expected.keys(), ...list[k]!.shares.keys()]);
        for (const symbol of symbols) {
          expect(list[k]!.shares.get(symbol) ?? 0, `${recipient} report ${k} ${symbol}`).toBe(expected.get(symbol) ?? 0);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("sizes each report to the subscriber's own money, not the model's", async () => {
    const portfolio = await getPortfolio(db, 'follow');
    const history = [...(await rebalances(db, portfolio.id, 100))].reverse();
    for (const [email, amount, since] of [
      ['ann@example.com', 25_000, '2014-06-30'],
      ['bob@example.com', 7_777, '2014-08-15'],
    ] as const) {
      const steps = await followerBook(db, portfolio, history, { amount, since });
      const last = steps[steps.length - 1]!;
      const total = last.trades.valueAfter;
      // Within a few percent of what they put in (a few months of the market, and costs).
      expect(total / amount).toBeGreaterThan(0.8);
      expect(total / amount).toBeLessThan(1.25);
      const text = reports.get(email)!.at(-1)!.text;
      expect(text).toContain(`Total`);
      expect(text).toMatch(new RegExp(`Total\\s+\\$${Math.floor(total).toLocaleString('en-US')}\\.\\d\\d`));
      // Their since-start chart and summary, against the benchmark with the same money.
      expect(text).toContain('YOUR PORTFOLIO SINCE YOU STARTED');
      expect(text).toMatch(/The same money in SYN-EQ-US would be worth \$[\d,]+\.\d\d\./);
      expect(reports.get(email)!.at(-1)!.html).toContain('data-chart="since-start"');
    }
  });

  it('writes the model report for the model amount, and queues nothing twice', async () => {
    const published = await publishRebalance(db, env, 'follow', { asOf: DAYS[DAYS.length - 1]! });
    expect(published.queued.filter((q) => q.created)).toEqual([]); // already queued: once per subscriber and day
    expect(published.model.text).toMatch(/Total\s+\$(9\d|1\d\d),\d{3}\.\d\d/);
  });
});
