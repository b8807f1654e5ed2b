/**
 * `momentum data summary` and `momentum data issues --fundamentals` over stored fundamentals: a CSV
 * import (two symbols, one with values stored flagged), bars of an ETF from a CSV and the synthetic
 * market, and a universe of the configuration file; text and --json, and the options refused.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliSuite } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const FUNDAMENTALS = [
  'symbol,field,period_end,period_type,value,reported_date',
  'AAPL,revenue,2023-12-30,quarterly,119.575e9,2024-02-01',
  'AAPL,revenue,2024-03-30,quarterly,90.753e9,2024-05-02',
  'AAPL,eps_diluted,2024-03-30,quarterly,1.53,2024-05-02',
  'MSFT,revenue,2024-03-31,quarterly,-5,',
  'MSFT,total_debt,2024-03-31,quarterly,5e13,',
].join('\n');

describe(`momentum data summary and issues: fundamentals (${engineName})`, () => {
  const suite = cliSuite('data-fundamentals');
  let env: NodeJS.ProcessEnv;
  const cli = async (...args: string[]) => {
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    const config = join(suite.dir, 'momentum.config.json');
    writeFileSync(config, JSON.stringify({ universes: { stocks: { symbols: ['AAPL', 'MSFT', 'SPY', 'NVDA'] } } }));
    env = { ...suite.cli.env, MOMENTUM_CONFIG: config };
  });

  it('the summary says when no fundamentals are stored, and how to get some', async () => {
    const out = await cli('data', 'summary');
    expect(out).toContain('no bars stored yet');
    expect(out).toContain('no fundamentals stored; momentum fundamentals ingest --source yahoo --symbols AAPL');
    expect(out).toContain('no qualitative data stored; momentum qualitative ingest --source yahoo --symbols AAPL');
    expect(JSON.parse(await cli('data', 'summary', '--json'))).toEqual({ series: [], fundamentals: [], qualitative: [] });
    expect(await cli('data', 'issues', '--fundamentals')).toBe(
      'no fundamental values stored flagged\n\nno symbols in use (no stored series, no portfolios) to check for fundamentals; name a universe with --universe\n',
    );
  });

  it('the summary gives per symbol the values, fields, latest period end and known_at, and flagged ones', async () => {
    writeFileSync(join(suite.dir, 'f.csv'), FUNDAMENTALS);
    expect(await cli('fundamentals', 'import', '--path', join(suite.dir, 'f.csv'))).toContain(
      '5 rows: 5 stored, 0 unchanged, 2 flagged, 0 rejected, 0 repeated',
    );
    writeFileSync(join(suite.dir, 'SPY.csv'), 'date,open,high,low,close,adj_close,volume\n2024-01-02,470,475,468,472,470,1000\n');
    await cli('ingest', '--source', 'csv', '--path', join(suite.dir, 'SPY.csv'));
    await cli('ingest', '--source', 'synthetic', '--from', '2024-01-02', '--to', '2024-01-05');

    const out = await cli('data', 'summary');
    expect(out).toMatch(/^SPY\s+1d\s+2024-01-02\s+2024-01-02\s+1\s+csv/m);
    expect(out).toMatch(/^symbol\s+values\s+fields\s+latest_period_end\s+latest_known_at\s+flagged$/m);
    expect(out).toMatch(/^AAPL\s+3\s+2\s+2024-03-30\s+2024-05-02T00:00:00\.000Z\s+0$/m);
    // no reported date: the quarter's end plus the 45-day lag
    expect(out).toMatch(/^MSFT\s+2\s+2\s+2024-03-31\s+2024-05-15T00:00:00\.000Z\s+2$/m);
    expect(out).toContain('2 symbol(s), 5 fundamental values, 2 flagged (momentum data issues --fundamentals)');

    const json = JSON.parse(await cli('data', 'summary', '--symbols', 'msft,SPY', '--json'));
    expect(json.series.map((s: { symbol: string }) => s.symbol)).toEqual(['SPY']);
    expect(json.fundamentals).toEqual([
      { symbol: 'MSFT', values: 2, fields: 2, latest_period_end: '2024-03-31', latest_known_at: '2024-05-15T00:00:00.000Z', flagged: 2 },
    ]);
  });

  it('issues --fundamentals lists the flagged values and the symbols in use without fundamentals', async () => {
    const out = await cli('data', 'issues', '--fundamentals');
    expect(out).toContain('2 fundamental value(s) stored flagged');
    expect(out).toMatch(/^MSFT\s+revenue\s+2024-03-31\s+quarterly\s+-5\s+negative\s+csv\s+2024-05-15T00:00:00\.000Z$/m);
    expect(out).toMatch(/^MSFT\s+total_debt\s+2024-03-31\s+quarterly\s+\S+\s+absurd\s+csv\s/m);
    // in use: the stored series (SPY; the synthetic market's are not real instruments) and portfolios (none)
    expect(out).toContain(
      '1 of 1 symbol(s) of the symbols in use (stored series and portfolios) without fundamentals (an ETF, a currency or an index has none): SPY',
    );
  });

  it('issues --fundamentals --universe checks its members; --json gives the same', async () => {
    const json = JSON.parse(await cli('data', 'issues', '--fundamentals', '--universe', 'stocks', '--json'));
    expect(json).toEqual({
      of: 'the universe stocks',
      flagged: [
        {
          symbol: 'MSFT',
          field: 'revenue',
          period_end: '2024-03-31',
          period_type: 'quarterly',
          value: -5,
          flag: 'negative',
          source: 'csv',
          known_at: '2024-05-15T00:00:00.000Z',
        },
        expect.objectContaining({ symbol: 'MSFT', field: 'total_debt', value: 5e13, flag: 'absurd' }),
      ],
      without_fundamentals: ['SPY', 'NVDA'],
    });
    expect(await cli('data', 'issues', '--fundamentals', '--universe', 'stocks')).toContain(
      '2 of 4 symbol(s) of the universe stocks without fundamentals (an ETF, a currency or an index has none): SPY, NVDA',
    );
  });

  it.each([
    [[], 'error: run: give --run <id> (an ingest run: momentum data runs) or --fundamentals'],
    [['--run', '1', '--fundamentals'], 'error: run: give --run <id> or --fundamentals, not both'],
    [['--run', '1', '--universe', 'stocks'], 'error: universe: --universe goes with --fundamentals'],
    [['--fundamentals', '--universe', 'nope'], 'error: universe: unknown universe "nope"'],
  ])('data issues %j fails with a clear message', async (args, message) => {
    const result = await runCli(['data', 'issues', ...args], env);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(1);
  });
});
