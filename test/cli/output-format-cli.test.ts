/**
 * Strictly formatted output: every table the CLI prints on a small synthetic market (trades, stored
 * backtests, a sweep, its gate, a simulation, a walk-forward, trials, a portfolio, the data summary)
 * keeps money to cents, shares to 4 decimals (a portfolio's to its lot), percents and ratios to 2,
 * percents written one way per table, drawdowns negative, and never shows a fraction where a percent
 * is meant (formatViolations); the metric lines say the max drawdown as the tables do. --json stays raw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { formatViolations, parseTables } from '../helpers/cli-tables.js';
import { engineName } from '../helpers/test-database.js';

const lenient = ['--min-sharpe', '-5', '--min-cagr', '-1', '--max-drawdown', '1', '--min-trades', '0', '--min-dsr', '0', '--max-pbo', '1'];
const SPEC = ['--universe', 'synthetic', '--from', '2003-01-01', '--to', '2009-12-31'];

describe(`the CLI's tables (${engineName})`, () => {
  let cli: CliEnvironment;
  let backtestId: string;
  let sweepId: string;
  let sweepOutput: string;
  const run = async (args: string[]) => {
    const result = await runCli(args, cli.env);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).not.toBe(1);
    return result;
  };
  /** The tables a command prints, with what is wrong in each. */
  const tablesOf = async (args: string[]) => {
    const tables = parseTables((await run(args)).stdout);
    return { tables, problems: tables.flatMap((t) => formatViolations(t).map((p) => `${args.slice(0, 2).join(' ')}: ${p}`)) };
  };

  beforeAll(async () => {
    cli = await cliEnvironment();
    expect((await run(['ingest', '--source', 'synthetic', '--to', '2014-12-31'])).code).toBe(0);
    const backtest = await run(['backtest', '--strategy', 'xs-momentum', ...SPEC, '--json']);
    backtestId = String((JSON.parse(backtest.stdout) as { id: number }).id);
    const sweep = ['sweep', '--strategy', 'xs-momentum', ...SPEC, '--grid', 'lookback=63,126', '--grid', 'topPct=25,50', '--workers', '1'];
    sweepOutput = (await run(sweep)).stdout;
    sweepId = /^sweep (\d+):/m.exec(sweepOutput)![1]!;
    expect((await run(['gate', '--backtest', backtestId, ...lenient])).code).toBe(0);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('lists trades with shares to 4 decimals and prices and P&L to cents; --json keeps them raw', async () => {
    const { tables, problems } = await tablesOf(['backtests', 'show', backtestId, '--trades']);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.header).toContain('maxShares');
    expect(problems).toEqual([]);
    const raw = JSON.parse((await run(['backtests', 'show', backtestId, '--trades', '--json'])).stdout) as {
      trades: { maxShares: number }[];
    };
    // Fractional shares (no --whole-shares): the JSON has them as computed.
    expect(raw.trades.some((t) => !Number.isInteger(t.maxShares) && String(t.maxShares).split('.')[1]!.length > 4)).toBe(true);
  });

  it("prints a backtest's max drawdown negative in its metric lines, as the backtests list shows it", async () => {
    const shown = (await run(['backtests', 'show', backtestId])).stdout;
    const line = /^\s+max drawdown\s+(\S+) \(peak/m.exec(shown);
    expect(line, shown).not.toBeNull();
    const list = parseTables((await run(['backtests', 'list'])).stdout)[0]!;
    const row = list.rows.find((r) => r[list.header.indexOf('id')] === backtestId)!;
    expect(line![1]).toMatch(/^-\d+\.\d\d%$/);
    expect(line![1]).toBe(row[list.header.indexOf('max_drawdown')]);
  });

  it('shows sweeps, stored backtests, gates, simulations, walk-forwards and trials in one percent unit each', async () => {
    const sweepTables = parseTables(sweepOutput);
    expect(sweepTables).toHaveLength(1);
    const problems = sweepTables.flatMap((t) => formatViolations(t).map((p) => `sweep: ${p}`));
    const commands = [
      ['backtests', 'list'],
      ['gate', '--sweep', sweepId, '--pbo-blocks', '4'],
      ['simulate', '--backtest', backtestId],
      ['simulations'],
      [
        'walkforward',
        '--strategy',
        'xs-momentum',
        '--universe',
        'synthetic',
        '--from',
        '2003-01-01',
        '--grid',
        'lookback=63,126',
        '--train',
        '3y',
        '--test',
        '2y',
      ],
      ['trials'],
      ['data', 'summary'],
    ];
    for (const args of commands) {
      const found = await tablesOf(args);
      expect(found.tables.length, args.join(' ')).toBeGreaterThan(0);
      problems.push(...found.problems);
    }
    expect(problems).toEqual([]);
  });

  it('shows a portfolio, its rebalance and history with money to cents and weights as percents', async () => {
    const problems: string[] = [];
    for (const args of [
      [
        'portfolio',
        'create',
        'core',
        '--strategy',
        'xs-momentum',
        '--universe',
        'synthetic',
        '--amount',
        '100000',
        '--as-of',
        '2014-10-31',
      ],
      ['portfolio', 'show', 'core'],
      ['portfolio', 'rebalance', 'core', '--as-of', '2014-11-28'],
      ['portfolio', 'history', 'core'],
      ['portfolio', 'list'],
      ['monitor', '--portfolio', 'core', '--as-of', '2014-12-31', '--thresholds', '1,2'],
      ['alerts'],
    ]) {
      const found = await tablesOf(args);
      expect(found.tables.length, args.join(' ')).toBeGreaterThan(0);
      problems.push(...found.problems);
    }
    expect(problems).toEqual([]);
  });

  it("shows a portfolio's shares to its lot: whole lots, thousands grouped, scaled amounts rounded down to lots", async () => {
    const lot = 10;
    const shares = (args: string[], output: string) => {
      const table = parseTables(output)[0]!;
      const column = (name: string) => table.rows.map((r) => r[table.header.indexOf(name)]!);
      expect(table.header, args.join(' ')).toContain('shares');
      for (const cell of column('shares')) expect(cell, args.join(' ')).toMatch(/^\d{1,3}(,\d{3})*$/);
      const counts = column('shares').map((cell) => Number(cell.replace(/,/g, '')));
      expect(
        counts.every((n) => n % lot === 0),
        `${args.join(' ')}: ${counts.join(' ')}`,
      ).toBe(true);
      return { counts, price: column('price').map((c) => Number(c.replace(/,/g, ''))), value: column('value') };
    };
    const create = ['portfolio', 'create', 'lots', '--strategy', 'xs-momentum', '--universe', 'synthetic'];
    const args = [...create, '--amount', '10000000', '--lot-size', String(lot), '--as-of', '2014-10-31'];
    const created = shares(args, (await run(args)).stdout);
    expect(Math.max(...created.counts)).toBeGreaterThanOrEqual(1000);
    const show = ['portfolio', 'show', 'lots', '--amount', '123456'];
    const output = (await run(show)).stdout;
    expect(output).toContain('(whole lots of 10 shares rounded down)');
    const scaled = shares(show, output);
    // What the rounded-down lots are worth (price shown to cents), not the unrounded share of the amount.
    scaled.counts.forEach((n, i) => {
      const value = Number(scaled.value[i]!.replace(/,/g, ''));
      expect(Math.abs(value - n * scaled.price[i]!), `${n} x ${scaled.price[i]} = ${value}`).toBeLessThanOrEqual(n * 0.005 + 0.005);
    });
    expect(scaled.counts.some((n) => n > 0)).toBe(true);
  });
});
