/**
 * Report inputs for the rendering tests: a rebalance of five ETFs (one new, one sold) with an
 * equity curve that has a real drawdown, a drawdown alert and a job failure.
 */
import type { DrawdownAlert, JobFailure, RebalanceReport } from '../../src/report/report-models.js';

/** A deterministic equity path: drift, a cycle and a 15% slump in the middle. */
export function equityPath(days: number, start = '2021-01-04', initial = 100_000): { dates: string[]; equity: number[] } {
  const dates: string[] = [];
  const equity: number[] = [];
  const t0 = Date.parse(`${start}T00:00:00Z`);
  let value = initial;
  for (let i = 0, day = 0; i < days; day++) {
    const date = new Date(t0 + day * 86_400_000);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    const slump = i > days * 0.45 && i < days * 0.55 ? -0.0032 : 0;
    value *= 1 + 0.0005 + slump + 0.006 * Math.sin(i / 9);
    dates.push(date.toISOString().slice(0, 10));
    equity.push(value);
    i++;
  }
  return { dates, equity };
}

export function rebalanceReport(overrides: Partial<RebalanceReport> = {}): RebalanceReport {
  const { dates, equity } = equityPath(700);
  return {
    portfolio: { name: 'Global ETF momentum', strategy: 'xs-momentum', universe: 'etf', mode: 'lumpsum', amount: 100_000, currency: 'USD' },
    asOf: '2024-03-01',
    dataAsOf: '2024-02-29',
    dataAgeDays: 1,
    subscriber: { name: 'Alice Example', amount: 25_000, currency: 'USD' },
    rows: [
      {
        symbol: 'SPY',
        name: 'SPDR S&P 500 ETF',
        assetClass: 'equity',
        previousWeight: 0.25,
        weight: 0.3,
        shares: 15,
        value: 7_650,
        price: 510,
        reason: 'Ranked 1st of 12 by 12-month momentum (skipping the last month)',
        signal: 0.284,
      },
      {
        symbol: 'QQQ',
        name: 'Invesco QQQ Trust',
        assetClass: 'equity',
        previousWeight: 0.25,
        weight: 0.25,
        shares: 14,
        value: 6_160,
        price: 440,
        reason: 'Ranked 2nd of 12 by 12-month momentum',
        signal: 0.251,
      },
      {
        symbol: 'GLD',
        name: 'SPDR Gold Shares',
        assetClass: 'commodity',
        previousWeight: 0,
        weight: 0.25,
        shares: 32,
        value: 6_176,
        price: 193,
        reason: 'Ranked 3rd of 12 by 12-month momentum; above its 200-day average',
        signal: 0.132,
      },
      {
        symbol: 'EFA',
        name: 'iShares MSCI EAFE ETF',
        assetClass: 'equity',
        previousWeight: 0.2,
        weight: 0.15,
        shares: 48,
        value: 3_696,
        price: 77,
        reason: 'Ranked 4th of 12 by 12-month momentum',
        signal: 0.094,
      },
      {
        symbol: 'TLT',
        name: 'iShares 20+ Year Treasury Bond ETF',
        assetClass: 'bond',
        previousWeight: 0.3,
        weight: 0,
        shares: 0,
        value: 0,
        price: 93,
        reason: 'Dropped: ranked 9th of 12, outside the top 4',
        signal: -0.061,
      },
    ],
    trades: [
      { side: 'buy', symbol: 'GLD', shares: 32, value: 6_176, price: 193 },
      { side: 'sell', symbol: 'TLT', shares: 80, value: 7_440, price: 93 },
      { side: 'buy', symbol: 'SPY', shares: 3, value: 1_530, price: 510 },
      { side: 'sell', symbol: 'EFA', shares: 16, value: 1_232, price: 77 },
    ],
    cash: 1_318,
    costs: 9.5,
    holdingPeriod: {
      nextRebalance: '2024-04-01',
      exitRule: 'a holding closes below its 200-day moving average, or drops out of the top 4 at a rebalance',
    },
    evidence: {
      backtest: {
        id: 12,
        metrics: {
          period: '2015-01-02 .. 2021-12-31',
          totalReturn: 1.124,
          cagr: 0.113,
          volatility: 0.142,
          sharpe: 0.87,
          maxDrawdown: -0.187,
          trades: 96,
        },
      },
      simulation: {
        id: 3,
        metrics: {
          period: '2022-01-03 .. 2024-02-29',
          totalReturn: 0.152,
          cagr: 0.067,
          volatility: 0.151,
          sharpe: 0.52,
          maxDrawdown: -0.143,
          trades: 31,
        },
        sharpeRatio: 0.6,
      },
      gate: { name: 'default', passed: true, failedReasons: [], dsr: 0.91, pbo: 0.23, trials: 16 },
    },
    gatesIgnored: false,
    gatesFailed: false,
    notes: [],
    performance: { dates, equity, label: 'Backtest #12 followed by out-of-sample simulation #3 (growth of 100,000)' },
    unsubscribeUrl: 'https://momentum.example/unsubscribe?token=abc123&portfolio=1',
    ...overrides,
  };
}

/** The same report with gates ignored and failed. */
export function ungatedReport(overrides: Partial<RebalanceReport> = {}): RebalanceReport {
  const base = rebalanceReport();
  return rebalanceReport({
    gatesIgnored: true,
    gatesFailed: true,
    evidence: {
      ...base.evidence,
      gate: {
        name: 'default',
        passed: false,
        failedReasons: ['Sharpe 0.41 is below the minimum 0.50', 'max drawdown 31.0% is above the maximum 25.0%'],
        dsr: 0.42,
        pbo: 0.61,
      },
    },
    notes: ['The out-of-sample period overlaps the backtest by 20 bars.'],
    ...overrides,
  });
}

export function drawdownAlert(overrides: Partial<DrawdownAlert> = {}): DrawdownAlert {
  const { dates, equity } = equityPath(400);
  return {
    alertId: 7,
    portfolio: { name: 'Global ETF momentum', strategy: 'xs-momentum', currency: 'USD' },
    subscriber: { name: 'Alice Example' },
    asOf: '2024-03-01',
    observedAt: '2024-02-28',
    threshold: -0.1,
    drawdown: -0.123,
    peakDate: '2024-01-12',
    now: { drawdown: -0.118, peakDate: '2024-01-12', recoveredAt: null },
    peakValue: 112_400,
    value: 98_575,
    positions: [
      {
        symbol: 'QQQ',
        name: 'Invesco QQQ Trust',
        weight: 0.27,
        drawdown: -0.182,
        peakDate: '2024-01-10',
        exitTriggered: true,
        note: 'closed 3.1% below its 200-day average',
      },
      { symbol: 'SPY', name: 'SPDR S&P 500 ETF', weight: 0.31, drawdown: -0.094, peakDate: '2024-01-12', exitTriggered: false, note: null },
      { symbol: 'GLD', name: 'SPDR Gold Shares', weight: 0.26, drawdown: -0.021, peakDate: '2024-02-20', exitTriggered: false, note: null },
    ],
    exitRules:
      'A holding is sold when it closes below its 200-day moving average; the rest are held until the next monthly rebalance on 1 Apr 2024.',
    dataAsOf: '2024-02-29',
    dataAgeDays: 1,
    performance: { dates, equity, label: 'Portfolio value since the 1 Jan 2023 rebalance' },
    unsubscribeUrl: 'https://momentum.example/unsubscribe?token=abc123',
    ...overrides,
  };
}

export function jobFailure(overrides: Partial<JobFailure> = {}): JobFailure {
  return {
    job: 'ingest',
    runId: 42,
    scheduledFor: '2024-03-01T03:30:00.000Z',
    startedAt: new Date('2024-03-01T03:30:01.250Z'),
    endedAt: new Date('2024-03-01T03:31:05.750Z'),
    error: 'ProviderError: yahoo returned HTTP 503 for SPY\n    at fetchBars (src/data/providers/yahoo-provider.ts:88:11)',
    counts: { symbols: 12, stored: 9, failed: 3 },
    host: 'worker-1',
    ...overrides,
  };
}
