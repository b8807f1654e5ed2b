/**
 * The generator end to end on a real database (PGlite, or PostgreSQL with DATABASE_URL): targets
 * checked against an independent computation of the strategy's rule from the stored bars, whole
 * shares within the budget, evidence and refusals, stale data, bad input, storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel } from '../../src/data/panel.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { DataError, ValidationError } from '../../src/errors.js';
import { gateBacktest } from '../../src/research/gate-runner.js';
import { addPeriods, generatePortfolio } from '../../src/portfolio/generate.js';
import {
  createPortfolio,
  duePortfolios,
  firstRebalance,
  installmentsDue,
  rebalancePortfolio,
} from '../../src/portfolio/model-portfolio.js';
import { getPortfolio, insertPortfolio, rebalances } from '../../src/portfolio/portfolio-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];
const lenient = { name: 'lenient', set: { minSharpe: -10, minTrades: 1 } };
const impossible = { name: 'impossible', set: { minSharpe: 9 } };
const params = { topPct: 34 };
const base = { strategy: 'xs-momentum', hyperparameters: params, symbols: SYMBOLS, asOf: '2013-12-31', amount: 100_000 } as const;

describe(`portfolio generator (${engineName})`, () => {
  let db: TestDatabase;
  let backtestId: number;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
    const spec = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2003-01-01', to: '2009-12-31', params });
    backtestId = await storeBacktest(db, await runBacktest(db, spec));
    await gateBacktest(db, backtestId, lenient.name, lenient.set);
  });
  afterAll(async () => {
    await db.close();
  });

  it("holds what the strategy's rule picks from the data up to the as-of day, at the latest raw close, within the budget", async () => {
    const proposal = await generatePortfolio(db, base, { gates: lenient });
    // Independent: the 12-1 return (252 and 21 bars back) on adjusted closes at the last bar of
    // 2013 (a month-end rebalance), top floor(6 x 34%) = 2 equally weighted.
    const panel = await loadPanel(db, { symbols: SYMBOLS, interval: '1d', to: '2013-12-31', field: ['adj_close', 'close'] });
    const t = panel.dates.length - 1;
    expect(new Date(panel.dates[t]!).toISOString().slice(0, 10)).toBe('2013-12-31');
    const momentum = SYMBOLS.map((_, j) => panel.values.adj_close[j]![t - 21]! / panel.values.adj_close[j]![t - 252]! - 1);
    const top = [...SYMBOLS.keys()].sort((a, b) => momentum[b]! - momentum[a]!).slice(0, 2);
    expect(proposal.signalDate).toBe('2013-12-31');
    expect(proposal.holdings.map((h) => h.symbol).sort()).toEqual(top.map((j) => SYMBOLS[j]).sort());
    for (const h of proposal.holdings) {
      const j = SYMBOLS.indexOf(h.symbol);
      expect(h.targetWeight).toBeCloseTo(0.5, 12);
      expect(h.score).toBeCloseTo(momentum[j]!, 12);
      expect(h.price).toBe(panel.values.close[j]![t]);
      expect(h.shares).toBe(Math.round(h.shares));
      expect(h.value).toBeCloseTo(h.shares * h.price, 6);
      expect(h.reason).toMatch(/^return from lookback to skip bars ago -?\d+\.\d%, rank [12] of 6$/);
    }
    expect(proposal.invested + proposal.costs + proposal.cash).toBeCloseTo(100_000, 6);
    expect(proposal.cash).toBeGreaterThanOrEqual(0);
    // Whole shares leave less than one share of each holding's price in cash (plus costs).
    expect(proposal.cash).toBeLessThan(Math.max(...proposal.holdings.map((h) => h.price)) * 2);
    expect(proposal.trackingError).toBeLessThanOrEqual(proposal.floorTrackingError);
    expect(proposal.holdingPeriod.until).toBe('2014-01-31');
    expect(proposal.holdingPeriod.exitRule).toMatch(/./);
    expect(proposal.dataAsOf).toBe('2013-12-31');
    expect(proposal.dataAgeDays).toBe(0);
    expect(proposal.evidence).toMatchObject({ verdict: 'passed', gatesIgnored: false, note: null, backtest: { id: backtestId } });
  });

  it('refuses without a passed gate unless told to ignore the gates, and then says so loudly', async () => {
    await expect(generatePortfolio(db, { ...base, hyperparameters: { topPct: 50 } }, { gates: lenient })).rejects.toThrow(
      /no stored backtest of xs-momentum .*--ignore-gates/,
    );
    const unproven = await generatePortfolio(db, { ...base, hyperparameters: { topPct: 50 }, ignoreGates: true }, { gates: lenient });
    expect(unproven.evidence).toMatchObject({ verdict: 'no-backtest', gatesIgnored: true });
    expect(unproven.evidence.note).toMatch(/^GATES IGNORED: no stored backtest/);

    const failing = await storeBacktest(
      db,
      await runBacktest(db, parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, to: '2009-12-31', params: { topPct: 20 } })),
    );
    await gateBacktest(db, failing, impossible.name, impossible.set);
    await expect(generatePortfolio(db, { ...base, hyperparameters: { topPct: 20 } }, { gates: lenient })).rejects.toThrow(
      new RegExp(`backtest ${failing} failed the impossible gates \\(1 trial in this family\\): .*--ignore-gates`),
    );
    const ignored = await generatePortfolio(
      db,
      { ...base, backtestId: failing, strategy: undefined, ignoreGates: true },
      { gates: lenient },
    );
    expect(ignored.evidence.note).toMatch(new RegExp(`^GATES IGNORED: backtest ${failing} failed the impossible gates`));
    expect(ignored.spec.params.topPct).toBe(20);
  });

  it('refuses stale data unless allowed, and then warns', async () => {
    const stale = { ...base, asOf: '2015-02-15' };
    await expect(generatePortfolio(db, stale, { gates: lenient })).rejects.toThrow(
      'the latest 1d bar is from 2014-12-31, 46 days before 2015-02-15 (more than 5): ingest fresh data (momentum ingest), or pass --allow-stale (allowStale: true)',
    );
    const allowed = await generatePortfolio(db, { ...stale, allowStale: true }, { gates: lenient });
    expect(allowed.warnings.some((w) => w.startsWith('STALE DATA: the latest 1d bar is from 2014-12-31'))).toBe(true);
    expect(allowed.dataAgeDays).toBe(46);
  });

  it('says clearly what is wrong with bad input', async () => {
    const gates = { gates: lenient };
    await expect(generatePortfolio(db, { ...base, amount: 0 }, gates)).rejects.toThrow('amount: must be more than 0');
    await expect(generatePortfolio(db, { ...base, amount: -5 }, gates)).rejects.toThrow(ValidationError);
    await expect(generatePortfolio(db, { ...base, symbols: [...SYMBOLS, 'NOPE'] }, gates)).rejects.toThrow(
      'unknown symbol NOPE: not in the price store; ingest first (momentum ingest) or fix the spelling',
    );
    await expect(generatePortfolio(db, { ...base, amount: 5 }, gates)).rejects.toThrow(DataError);
    await expect(generatePortfolio(db, { ...base, amount: 5 }, gates)).rejects.toThrow(/the budget of 5.00 buys no lot of any holding/);
    await expect(generatePortfolio(db, { ...base, currency: 'EUR' }, gates)).rejects.toThrow(
      /is quoted in USD but the portfolio is in EUR/,
    );
    await expect(generatePortfolio(db, { ...base, mode: 'sip' }, gates)).rejects.toThrow('sip: a SIP needs a plan');
    await expect(generatePortfolio(db, { ...base, asOf: '2013-02-30' }, gates)).rejects.toThrow(/asOf/);
  });

  it('plans a SIP: the amount now, then the installment every month', async () => {
    const sip = await generatePortfolio(
      db,
      { ...base, mode: 'sip', amount: 5_000, sip: { installment: 5_000, every: 'month', count: 6 } },
      { gates: lenient },
    );
    expect(sip.schedule).toEqual(
      ['2013-12-31', '2014-01-31', '2014-02-28', '2014-03-31', '2014-04-30', '2014-05-31'].map((date) => ({ date, amount: 5_000 })),
    );
    expect(sip.invested + sip.costs + sip.cash).toBeCloseTo(5_000, 6);
    expect(addPeriods('2024-01-31', 'quarter', 1)).toBe('2024-04-30');
    expect(addPeriods('2024-12-30', 'week', 1)).toBe('2025-01-06');
  });

  it('stores a model portfolio with its first rebalance, and refuses a taken name', async () => {
    const created = await createPortfolio(db, 'Synthetic momentum', base, { gates: lenient });
    const stored = await getPortfolio(db, 'Synthetic momentum');
    expect(stored.request).toMatchObject({ strategy: 'xs-momentum', symbols: SYMBOLS, amount: 100_000, mode: 'lumpsum', currency: 'USD' });
    expect(stored.backtestId).toBe(backtestId);
    const [first] = await rebalances(db, stored.id);
    expect(first).toMatchObject({
      id: created.rebalanceId,
      asOf: '2013-12-31',
      signalDate: '2013-12-31',
      nextRebalance: '2014-01-31',
      contribution: 100_000,
    });
    expect(first!.holdings.map((h) => [h.symbol, h.shares])).toEqual(created.proposal.holdings.map((h) => [h.symbol, h.shares]));
    expect(first!.orders.every((o) => o.side === 'buy' && o.shares > 0)).toBe(true);
    expect(first!.cash).toBeCloseTo(created.proposal.cash, 9);
    expect(first!.evidence.backtest?.id).toBe(backtestId);
    // The evidence reads back whole through its schema; a row that does not parse names itself.
    expect(first!.evidence).toEqual(JSON.parse(JSON.stringify(created.proposal.evidence)));
    const evidence = JSON.stringify(first!.evidence);
    const rebalance = db.kysely.updateTable('portfolio_rebalances').where('id', '=', created.rebalanceId);
    await rebalance.set({ evidence: JSON.stringify({ ...first!.evidence, verdict: 'maybe' }) }).execute();
    await expect(rebalances(db, stored.id)).rejects.toThrow(
      `rebalance ${created.rebalanceId}'s evidence as stored do not read back at verdict`,
    );
    await rebalance.set({ evidence }).execute();
    await expect(createPortfolio(db, 'Synthetic momentum', base, { gates: lenient })).rejects.toThrow(
      /a portfolio named Synthetic momentum exists/,
    );
    await expect(createPortfolio(db, '<b>bad</b>', base, { gates: lenient })).rejects.toThrow(/is not a portfolio name/);
  });

  it('rebalances against what the portfolio holds: sells first, value conserved less costs, once per day', async () => {
    await createPortfolio(db, 'rebalanced', base, { gates: lenient });
    expect(await duePortfolios(db, '2014-01-30')).not.toContain('rebalanced');
    expect(await duePortfolios(db, '2014-01-31')).toContain('rebalanced');
    const dry = await rebalancePortfolio(db, 'rebalanced', { asOf: '2014-01-31', gates: lenient, dryRun: true });
    expect(dry.rebalanceId).toBeNull();
    expect(await rebalances(db, dry.portfolio.id)).toHaveLength(1);

    const result = await rebalancePortfolio(db, 'rebalanced', { asOf: '2014-01-31', gates: lenient });
    expect(result.mode).toBe('full');
    const { previous, rebalance } = result;
    // Independent: the previous shares at the closes of 2014-01-31, plus the cash.
    const panel = await loadPanel(db, { symbols: SYMBOLS, interval: '1d', to: '2014-01-31', field: 'close' });
    const t = panel.dates.length - 1;
    const close = (s: string) => panel.values.close[SYMBOLS.indexOf(s)]![t]!;
    const before = previous.holdings.reduce((sum, h) => sum + h.shares * close(h.symbol), previous.cash);
    expect(rebalance.value).toBeCloseTo(before - rebalance.costs, 6);
    const after = rebalance.holdings.reduce((sum, h) => sum + h.shares * close(h.symbol), rebalance.cash);
    expect(after).toBeCloseTo(rebalance.value, 6);
    expect(rebalance.cash).toBeGreaterThanOrEqual(0);
    const sides = rebalance.orders.map((o) => o.side);
    expect(sides.indexOf('buy') === -1 || sides.lastIndexOf('sell') < sides.indexOf('buy')).toBe(true);
    // Shares move exactly by the orders.
    for (const h of rebalance.holdings) {
      const was = previous.holdings.find((p) => p.symbol === h.symbol)?.shares ?? 0;
      const traded = rebalance.orders
        .filter((o) => o.symbol === h.symbol)
        .reduce((n, o) => n + (o.side === 'buy' ? o.shares : -o.shares), 0);
      expect(h.shares).toBe(was + traded);
    }
    expect(rebalance.signalDate).toBe('2014-01-31');
    const again = await rebalancePortfolio(db, 'rebalanced', { asOf: '2014-01-31', gates: lenient });
    expect(again).toMatchObject({ alreadyDone: true, rebalanceId: result.rebalanceId });
    expect(await rebalances(db, result.portfolio.id)).toHaveLength(2);
    await expect(rebalancePortfolio(db, 'rebalanced', { asOf: '2014-01-15', gates: lenient })).rejects.toThrow(/would go back in time/);
  });

  it('adds SIP installments due since the last rebalance and, while the signal is unchanged, only buys', async () => {
    const sip = { installment: 1_000, every: 'week' as const, count: null };
    await createPortfolio(db, 'weekly sip', { ...base, mode: 'sip', amount: 5_000, sip }, { gates: lenient });
    expect(installmentsDue('2013-12-31', '2013-12-31', '2014-01-15', sip)).toBe(2);
    expect(await duePortfolios(db, '2014-01-07')).toContain('weekly sip');
    const result = await rebalancePortfolio(db, 'weekly sip', { asOf: '2014-01-15', gates: lenient });
    expect(result.mode).toBe('contribution');
    expect(result.rebalance.contribution).toBe(2_000);
    expect(result.rebalance.orders.every((o) => o.side === 'buy')).toBe(true);
    expect(result.rebalance.signalDate).toBe('2013-12-31');
  });

  it("with the MPO optimiser, trades toward the strategy's targets only as far as forecasts pay for the costs", async () => {
    const plain = await generatePortfolio(db, base, { gates: lenient });
    const cheap = await generatePortfolio(db, { ...base, optimizer: 'mpo' }, { gates: lenient });
    const dear = await generatePortfolio(
      db,
      { ...base, optimizer: 'mpo', costs: { bps: 2_000, slippageBps: 0, fixedFee: 0 } },
      { gates: lenient },
    );
    const targetOf = (symbol: string) => plain.holdings.find((h) => h.symbol === symbol)?.targetWeight ?? 0;
    for (const h of [...cheap.holdings, ...dear.holdings]) expect(h.targetWeight).toBeLessThanOrEqual(targetOf(h.symbol) + 1e-9);
    const invested = (p: typeof plain) => p.holdings.reduce((sum, h) => sum + h.targetWeight, 0);
    expect(invested(dear)).toBeLessThan(invested(cheap));
    // Independent: forecasts are half the 12-1 momentum per month; a position worth buying at 10 bps has a positive forecast.
    for (const h of cheap.holdings) expect(h.forecast).toBeGreaterThan(0);
    expect(cheap.holdings.every((h) => /MPO \d+\.\d% of the strategy's 50\.0%/.test(h.reason))).toBe(true);
  });

  it('writes a portfolio and its rebalance whole or not at all (a failure half way leaves nothing)', async () => {
    const proposal = await generatePortfolio(db, base, { gates: lenient });
    const record = firstRebalance(proposal);
    // The last order breaks a check constraint (shares > 0): holdings and earlier orders are already written by then.
    const broken = { ...record, orders: [...record.orders, { ...record.orders[0]!, shares: 0 }] };
    const count = async () =>
      Promise.all(
        (['portfolios', 'portfolio_rebalances', 'portfolio_holdings', 'portfolio_orders'] as const).map(
          async (table) => (await db.kysely.selectFrom(table).select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
        ),
      );
    const before = await count();
    await expect(insertPortfolio(db, 'half written', proposal.request, null, broken)).rejects.toThrow();
    expect(await count()).toEqual(before);
  });
});
