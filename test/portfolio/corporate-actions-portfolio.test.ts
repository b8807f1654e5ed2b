/**
 * Model portfolios across real splits of ../shared/data: USO's 1:8 reverse split (2020-04-29),
 * AAPL's 4:1 (2020-08-31) and EEM's 3:1 (2008-07-24). A portfolio created before and valued after
 * matches the adjusted-close path within 0.5%, and no false alert is stored; a split learned late
 * re-values the portfolio on the next run; re-ingesting applies nothing twice. Skipped (only these
 * cases) when the folder is absent.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel } from '../../src/data/panel.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { dateToTs } from '../../src/data/bar.js';
import { listAlerts } from '../../src/monitor/monitor-store.js';
import { monitorPortfolios } from '../../src/monitor/monitor-portfolios.js';
import { ledgerOf } from '../../src/portfolio/ledger-store.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const DATA = resolve(__dirname, '../../../shared/data');
const present = existsSync(join(DATA, 'etf-daily', 'actions')) && existsSync(join(DATA, 'stocks-daily', 'actions'));
const gates = { name: 'none', set: {} };

/** The adjusted close of a symbol on a date (the total-return path a holder of the shares had). */
async function adjClose(db: TestDatabase, symbol: string, date: string): Promise<number> {
  const panel = await loadPanel(db, { symbols: [symbol], interval: '1d', to: dateToTs(date), field: ['adj_close'] });
  const last = panel.dates.length - 1;
  expect(new Date(panel.dates[last]!).toISOString().slice(0, 10)).toBe(date);
  return panel.values.adj_close[0]![last]!;
}

/** Value of a one-symbol portfolio had its shares followed the adjusted close: cash + s p x A(to) / A(from). */
async function adjustedValue(
  db: TestDatabase,
  symbol: string,
  created: { shares: number; price: number; cash: number },
  from: string,
  to: string,
) {
  return created.cash + created.shares * created.price * ((await adjClose(db, symbol, to)) / (await adjClose(db, symbol, from)));
}

describe.skipIf(!present)(`model portfolios across real splits (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new CsvProvider({ path: join(DATA, 'etf-daily') }), { symbols: ['USO', 'EEM'], interval: '1d' });
    await ingest(db, new CsvProvider({ path: join(DATA, 'stocks-daily') }), { symbols: ['AAPL'], interval: '1d' });
  });
  afterAll(async () => {
    await db?.close();
  });

  const create = (name: string, symbol: string, asOf: string) =>
    createPortfolio(
      db,
      name,
      { strategy: 'xs-momentum', hyperparameters: { topPct: 100 }, symbols: [symbol], amount: 10_000, asOf, ignoreGates: true },
      { gates },
    );

  /** A one-symbol portfolio created on `from` and monitored on `asOf`, and the value its adjusted path gives. */
  async function monitoredAcross(name: string, symbol: string, from: string, asOf: string) {
    const { proposal } = await create(name, symbol, from);
    const held = proposal.holdings[0]!;
    const run = await monitorPortfolios(db, { portfolio: name, asOf });
    const expected = await adjustedValue(db, symbol, { shares: held.shares, price: held.price, cash: proposal.cash }, from, asOf);
    return { proposal, held, run, state: run.portfolios[0]!, expected };
  }

  it('USO: the rebalance after the 1:8 reverse split starts from 285 shares, not 2280, and is worth the adjusted path', async () => {
    const { proposal } = await create('usotest', 'USO', '2020-04-01');
    const held = proposal.holdings[0]!;
    expect(held.shares).toBe(2280);
    const result = await rebalancePortfolio(db, 'usotest', { asOf: '2020-05-01', gates });
    expect(result.corporateActions).toEqual([
      expect.objectContaining({ symbol: 'USO', exDate: '2020-04-29', kind: 'split', sharesBefore: 2280, sharesAfter: 285, cash: 0 }),
    ]);
    expect(result.trades!.holdings.find((h) => h.symbol === 'USO')!.previousShares).toBe(285);
    const expected = await adjustedValue(db, 'USO', { shares: 2280, price: held.price, cash: proposal.cash }, '2020-04-01', '2020-05-01');
    expect(Math.abs(result.trades!.valueBefore / expected - 1)).toBeLessThan(0.005);
    expect(result.trades!.valueBefore).toBeGreaterThan(5_000);
    expect(result.trades!.valueBefore).toBeLessThan(6_000);
    // Recorded once in the ledger, against the rebalance whose holdings it changed.
    const ledger = await ledgerOf(db.kysely, result.portfolio.id);
    expect(ledger.map((e) => [e.rebalanceId, e.symbol, e.exDate, e.sharesAfter])).toEqual([[result.previous.id, 'USO', '2020-04-29', 285]]);
  });

  it('AAPL: monitored across the 4:1 split it is worth the adjusted path, with no drawdown and no alert', async () => {
    const { proposal, held, run, state, expected } = await monitoredAcross('aapl', 'AAPL', '2020-08-03', '2020-09-01');
    expect(Math.abs(state.value / expected - 1)).toBeLessThan(0.005);
    expect(state.positions[0]!.shares).toBe(held.shares * 4);
    // The dividend of 2020-08-07 (0.82 a share, before the split) is in the cash.
    expect(state.cash).toBeCloseTo(proposal.cash + held.shares * 0.82, 9);
    expect(state.drawdown).toBeGreaterThan(-0.05);
    expect(state.positions[0]!.drawdown).toBeGreaterThan(-0.05);
    expect(run.newAlerts).toEqual([]);
    expect(await listAlerts(db, { portfolio: 'aapl' })).toEqual([]);
  });

  it('EEM: a portfolio held across the 3:1 split of 2008 follows the adjusted path, and its alerts are true drawdowns', async () => {
    const { held, state, expected } = await monitoredAcross('eem', 'EEM', '2008-07-01', '2008-08-29');
    expect(Math.abs(state.value / expected - 1)).toBeLessThan(0.005);
    expect(state.positions[0]!.shares).toBe(held.shares * 3);
    // EEM really fell in the summer of 2008: every alert stored is a drawdown of the adjusted path.
    const peak = await adjClose(db, 'EEM', '2008-07-01');
    for (const alert of await listAlerts(db, { portfolio: 'eem' })) {
      const adjusted = (await adjClose(db, 'EEM', alert.observedAt)) / peak - 1;
      expect(adjusted).toBeLessThanOrEqual(alert.threshold + 0.005);
    }
  });
});

describe.skipIf(!present)(`a split learned late, and re-ingests (${engineName})`, () => {
  let db: TestDatabase;
  let folder: string;
  const actionsFile = () => join(folder, 'actions', 'AAPL.csv');
  const reingest = () => ingest(db, new CsvProvider({ path: folder }), { symbols: ['AAPL'], interval: '1d' });

  beforeAll(async () => {
    db = await openTestDatabase();
    folder = mkdtempSync(join(tmpdir(), 'momentum-actions-'));
    mkdirSync(join(folder, 'actions'));
    copyFileSync(join(DATA, 'stocks-daily', 'AAPL.csv'), join(folder, 'AAPL.csv'));
    // The events file as it was before the 2020 split was known.
    const real = readFileSync(join(DATA, 'stocks-daily', 'actions', 'AAPL.csv'), 'utf8');
    writeFileSync(actionsFile(), real.replace('2020-08-31,split,4.0\n', ''));
  });
  afterAll(async () => {
    await db?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('re-values the portfolio on the next run once the split arrives, and applies it once however often it is ingested', async () => {
    await reingest();
    const { proposal } = await createPortfolio(
      db,
      'late',
      {
        strategy: 'xs-momentum',
        hyperparameters: { topPct: 100 },
        symbols: ['AAPL'],
        amount: 10_000,
        asOf: '2020-08-03',
        ignoreGates: true,
      },
      { gates },
    );
    const held = proposal.holdings[0]!;
    const before = (await monitorPortfolios(db, { portfolio: 'late', asOf: '2020-09-01', thresholds: [0.9] })).portfolios[0]!;
    // Without the event the shares look 71% cheaper.
    expect(before.drawdown).toBeLessThan(-0.6);

    writeFileSync(actionsFile(), readFileSync(join(DATA, 'stocks-daily', 'actions', 'AAPL.csv'), 'utf8'));
    const learned = await reingest();
    expect(learned.symbols[0]!.notes).toContain('corporate actions (actions/AAPL.csv): 1 new, 0 restated, 37 already stored');
    const after = (await monitorPortfolios(db, { portfolio: 'late', asOf: '2020-09-02', thresholds: [0.9] })).portfolios[0]!;
    expect(after.positions[0]!.shares).toBe(held.shares * 4);
    const expected = await adjustedValue(
      db,
      'AAPL',
      { shares: held.shares, price: held.price, cash: proposal.cash },
      '2020-08-03',
      '2020-09-02',
    );
    expect(Math.abs(after.value / expected - 1)).toBeLessThan(0.005);

    // Ingest again (nothing new), monitor again: one split and one dividend in the ledger, the same value.
    const again = await reingest();
    expect(again.symbols[0]!.notes.filter((n) => n.startsWith('corporate actions'))).toEqual([]);
    const repeat = (await monitorPortfolios(db, { portfolio: 'late', asOf: '2020-09-02', thresholds: [0.9] })).portfolios[0]!;
    expect(repeat.value).toBe(after.value);
    const ledger = await ledgerOf(db.kysely, repeat.portfolioId);
    expect(ledger.map((e) => [e.exDate, e.kind])).toEqual([
      ['2020-08-07', 'dividend'],
      ['2020-08-31', 'split'],
    ]);
  });
});
