/**
 * The research gates as a new user meets them, on the real SPY prices of ../shared/data: a gate
 * cannot be passed by re-running a sweep's best alone; a configuration that never trades is judged,
 * not crashed on; a walk-forward's trades add up to its equity; impossible dates are refused.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const IN_SAMPLE = ['--from', '2003-01-01', '--to', '2014-12-31'];

describe(`research integrity on real SPY prices (${engineName})`, () => {
  let cli: CliEnvironment;
  const run = (args: string[]) => runCli(args, cli.env);
  beforeAll(async () => {
    cli = await cliEnvironment();
    const ingest = await run(['ingest', '--source', 'csv', '--path', ETF, '--symbols', 'SPY']);
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('closes the re-run loophole: a sweep, a lone re-run of its best, then portfolio create is refused with the trial count', async () => {
    const sweep = JSON.parse((await run(['sweep', '--strategy', 'donchian', '--symbols', 'SPY', ...IN_SAMPLE, '--json'])).stdout) as {
      sweepId: number;
      combinations: number;
      best: { backtestId: number; params: Record<string, unknown> }[];
    };
    expect(sweep.combinations).toBe(4);
    const best = sweep.best[0]!;
    expect(best.params).toMatchObject({ entry: 20, exit: 20 });
    const gated = await run(['gate', '--sweep', String(sweep.sweepId)]);
    expect(gated.stdout).toMatch(new RegExp(`^\\s+${best.backtestId}\\s+false\\s.*minDeflatedSharpe`, 'm'));
    expect(gated.stdout).toContain('4 trials in this family');

    const rerun = await run(['backtest', '--strategy', 'donchian', '--symbols', 'SPY', ...IN_SAMPLE, '--param', 'exit=20', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const created = await run([
      'portfolio',
      'create',
      'loophole',
      '--strategy',
      'donchian',
      '--symbols',
      'SPY',
      '--param',
      'exit=20',
      '--amount',
      '100000',
      '--as-of',
      '2015-01-02',
    ]);
    expect(created.code).toBe(1);
    expect(created.stderr).toMatch(/failed the default gates \(4 trials in this family\)/);
    expect(created.stderr).toContain('deflated Sharpe ratio');

    const families = await run(['trials']);
    expect(families.stdout).toMatch(/donchian\s+SPY\s+1d\s+2003-01-02 \.\. 2014-12-31\s+4\s+5/);
    const id = /^\s*(\d+)\s+strategy\s+donchian/m.exec(families.stdout)![1]!;
    const family = await run(['trials', '--family', id]);
    expect(family.stdout).toContain('4 trials in this family (5 runs)');
    expect(family.stdout).toMatch(/entry=20 exit=20 .*\ssweep\s+2\s/);
  });

  it('gates a sweep whose configurations include one that never trades (the issue, as reported)', async () => {
    const sweep = JSON.parse(
      (
        await run([
          'sweep',
          '--strategy',
          'ma-trend',
          '--symbols',
          'SPY',
          '--from',
          '2008-09-01',
          '--to',
          '2009-04-30',
          '--grid',
          'window=21,210',
          '--json',
        ])
      ).stdout,
    ) as { sweepId: number; best: { backtestId: number; params: { window: number } }[] };
    const gated = await run(['gate', '--sweep', String(sweep.sweepId)]);
    expect(gated.stderr).toBe('');
    expect(gated.code).toBe(3); // judged: nothing passed (too few trades), no crash
    expect(gated.stdout).toMatch(/sweep \d+: 2 configurations; PBO/);
    const flat = sweep.best.find((b) => b.params.window === 210)!.backtestId;
    const lone = await run(['gate', '--backtest', String(flat)]);
    expect(lone.stderr).toBe('');
    expect(lone.stdout).toMatch(/skipped\s+skipped: constant returns/);
    expect(lone.stdout).toContain('Sharpe 0 (constant returns)');
    const simulated = await run(['simulate', '--backtest', String(flat)]);
    expect(simulated.stderr).toMatch(/error: gates: backtest \d+ failed its gates \(default, 2 trials in this family\): .*closed trades 0/);
  });

  it('walk-forward: trades open at a window end are closed at its last mark; turnover and --benchmark as in a backtest', async () => {
    const result = await run([
      'walkforward',
      '--strategy',
      'ma-trend',
      '--symbols',
      'SPY',
      '--from',
      '2005-01-01',
      '--grid',
      'window=105,210',
      '--benchmark',
      'SPY',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/turnover \(ann\.\) \/ time in market\s+\d+\.\d\dx \/ \d+\.\d%/);
    expect(result.stdout).toMatch(/vs buy-and-hold SPY\s+excess CAGR/);
    expect(result.stdout).toMatch(/^\s+Sharpe\s+-?\d+\.\d\d\s+-?\d+\.\d\d$/m); // the benchmark's beside the strategy's
    expect(result.stdout).toMatch(/\d+ trade\(s\) open at a window's end closed at its last mark for the statistics/);
  });

  it.each([
    [['backtest', '--strategy', 'ma-trend', '--symbols', 'SPY', '--from', '2008-02-30'], "option '--from <date>'"],
    [['backtest', '--strategy', 'ma-trend', '--symbols', 'SPY', '--from', '2020-13-45'], "option '--from <date>'"],
    [
      ['portfolio', 'create', 'x', '--strategy', 'ma-trend', '--symbols', 'SPY', '--amount', '1', '--as-of', '2020-02-30'],
      "'--as-of <date>'",
    ],
  ])('refuses the impossible date in %j, naming the option', async (args, option) => {
    const result = await run(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(option);
    expect(result.stderr).toMatch(/is not a calendar date/);
  });
});
