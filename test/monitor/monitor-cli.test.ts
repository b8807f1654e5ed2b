import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { MonitorResult } from '../../src/monitor/monitor-portfolios.js';
import type { MonitorAlert } from '../../src/monitor/monitor-store.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';
import { seedBars, seedPortfolio, seedRebalance } from './monitor-fixtures.js';

describe(`momentum monitor, alerts (${engineName})`, () => {
  let cli: CliEnvironment;

  beforeAll(async () => {
    cli = await cliEnvironment();
    // The CLI's own database: seeded, then closed so the CLI can open it.
    const db = await openDatabase(cli.url ? { url: cli.url } : { home: cli.home });
    try {
      await seedBars(db, 'AAA', { '2024-01-01': 100, '2024-01-02': 94, '2024-01-03': 89, '2024-01-04': 99 });
      await seedBars(db, 'BBB', { '2024-01-01': 50, '2024-01-02': 50, '2024-01-03': 50 });
      const id = await seedPortfolio(db, 'core', { symbols: ['AAA', 'BBB'] });
      await seedRebalance(db, id, '2024-01-01', 1000, [
        { symbol: 'AAA', shares: 50, price: 100, targetWeight: 0.5 },
        { symbol: 'BBB', shares: 80, price: 50, targetWeight: 0.4 },
      ]);
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('monitor prints the state and the new alerts', async () => {
    const run = await runCli(['monitor', '--portfolio', 'core', '--as-of', '2024-01-03', '--trailing-stop', '10'], cli.env);
    expect(run.code, run.stderr).toBe(0);
    // 1000 + 50 x 89 + 80 x 50 = 9450 against 10,000: -5.5%
    expect(run.stdout).toContain('monitor as of 2024-01-03');
    expect(run.stdout).toContain('portfolio core (ma-trend, USD): value 9,450.00, drawdown -5.5% from 10,000.00 on 2024-01-01');
    // Prices and values to cents, as every table shows money.
    expect(run.stdout).toMatch(/AAA\s+50\s+89\.00\s+4,450\.00\s+47\.1%\s+50\.0%\s+-2\.9%\s+-11\.0%\s+100\.00 2024-01-01\s+2024-01-03\s+0/);
    expect(run.stdout).toContain('EXIT AAA: 11.0% below its peak of 100 on 2024-01-01, past the 10.0% trailing stop');
    expect(run.stdout).toContain('new alerts (3):');
    expect(run.stdout).toMatch(/AAA\s+-5\.0%\s+-6\.0%\s+2024-01-02/);
    expect(run.stdout).toMatch(/AAA\s+-10\.0%\s+-11\.0%\s+2024-01-03/);
    expect(run.stdout).toMatch(/portfolio\s+-5\.0%\s+-5\.5%\s+2024-01-03/);
  });

  it('monitor --json gives the result object; a later day ends recovered episodes', async () => {
    const run = await runCli(['monitor', '--as-of', '2024-01-04', '--json'], cli.env);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as MonitorResult;
    expect(result.asOf).toBe('2024-01-04');
    expect(result.newAlerts).toEqual([]);
    expect(result.portfolios[0]).toMatchObject({ portfolio: 'core', value: 1000 + 50 * 99 + 80 * 50, lastBarDate: '2024-01-04' });
    // BBB has no bar on the 4th: one day old, not stale
    expect(result.portfolios[0]!.positions.find((p) => p.symbol === 'BBB')).toMatchObject({
      lastBarDate: '2024-01-03',
      ageDays: 1,
      stale: false,
    });
  });

  it('alerts lists stored alerts, newest first, with how each ended', async () => {
    const list = await runCli(['alerts', '--portfolio', 'core'], cli.env);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+portfolio\s+scope\s+threshold\s+drawdown\s+observed\s+peak\s+rebalance\s+ended$/);
    expect(lines).toHaveLength(5);
    // AAA back to -1% on the 4th: both its episodes and the portfolio's recovered
    expect(lines.slice(2).every((line) => line.endsWith('recovered 2024-01-04'))).toBe(true);
    const json = JSON.parse((await runCli(['alerts', '--json'], cli.env)).stdout) as MonitorAlert[];
    expect(json.map((a) => [a.observedAt, a.symbol, a.threshold])).toEqual([
      ['2024-01-03', 'AAA', -0.1],
      ['2024-01-03', null, -0.05],
      ['2024-01-02', 'AAA', -0.05],
    ]);
    expect((await runCli(['alerts', '--open'], cli.env)).stdout.trim()).toBe('no alerts');
  });

  it.each([
    [['monitor', '--portfolio', 'nope'], 'error: no portfolio named "nope"; there are core'],
    [
      ['monitor', '--as-of', '2024-13-01'],
      "error: option '--as-of <date>' argument '2024-13-01' is invalid. 2024-13-01 is not a calendar date (there is no month 13)",
    ],
    [['monitor', '--thresholds', '5,,10'], 'error: thresholds: expected percentages separated by commas'],
    [['monitor', '--trailing-stop', '150'], 'error: trailing-stop: expected a percentage between 0 and 100'],
    [['monitor', '--basis', 'adjusted'], 'error: basis: expected one of close, total-return, got "adjusted"'],
    [['alerts', '--limit', '0'], 'error: limit: expected a whole number from 1 to 100000'],
  ])('%j fails with a message that says what to do', async (args, message) => {
    const run = await runCli(args, cli.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });
});
