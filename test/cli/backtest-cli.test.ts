import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const REFERENCE = resolve(__dirname, '../../../shared/reference');

describe(`momentum backtest, backtests, sweep, strategies, reference (${engineName})`, () => {
  let cli: CliEnvironment;
  beforeAll(async () => {
    cli = await cliEnvironment();
    const ingest = await runCli(['ingest', '--source', 'synthetic', '--to', '2012-12-31'], cli.env);
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('strategies lists the whole library with defaults and sweep ranges', async () => {
    const result = await runCli(['strategies', '--json'], cli.env);
    const names = (JSON.parse(result.stdout) as { name: string }[]).map((s) => s.name);
    expect(names).toEqual([
      'ts-momentum',
      'xs-momentum',
      'dual-momentum',
      'ma-trend',
      'sma-cross',
      'donchian',
      '52w-high',
      'vol-scaled-xs',
      'quality-momentum',
      'earnings-momentum',
      'revision-momentum',
      'mpo',
      'buy-and-hold',
    ]);
  });

  it('backtest prints a readable summary and stores it; list, show and rerun find it; rerun is identical', async () => {
    const run = await runCli(
      [
        'backtest',
        '--strategy',
        'ma-trend',
        '--universe',
        'synthetic',
        '--from',
        '2004-01-01',
        '--benchmark',
        'SYN-EQ-US',
        '--param',
        'window=150',
      ],
      cli.env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Moving-average trend');
    expect(run.stdout).toMatch(/CAGR\s+-?\d+\.\d+%/);
    expect(run.stdout).toContain('vs buy-and-hold SYN-EQ-US');
    const id = /stored as backtest (\d+)/.exec(run.stdout)![1]!;

    const list = JSON.parse((await runCli(['backtests', 'list', '--json'], cli.env)).stdout) as {
      id: number;
      params: { window: number };
    }[];
    expect(list[0]).toMatchObject({ id: Number(id), params: { window: 150 } });
    const show = JSON.parse((await runCli(['backtests', 'show', id, '--trades', '--json'], cli.env)).stdout) as {
      trades: unknown[];
      spec: { params: { window: number } };
    };
    expect(show.spec.params.window).toBe(150);
    expect(show.trades.length).toBeGreaterThan(0);
    const rerun = await runCli(['backtests', 'rerun', id], cli.env);
    expect(rerun.stdout).toContain('data fingerprint: same');
    expect(rerun.stdout).toContain('metrics: identical');
    expect(rerun.code).toBe(0);
  });

  it('sweep runs every combination, stores them under one sweep and prints the best', async () => {
    const result = await runCli(
      [
        'sweep',
        '--strategy',
        'xs-momentum',
        '--universe',
        'synthetic',
        '--grid',
        'lookback=126,252',
        '--grid',
        'topPct=20,50',
        '--workers',
        '2',
        '--json',
      ],
      cli.env,
    );
    expect(result.code, result.stderr).toBe(0);
    const sweep = JSON.parse(result.stdout) as { sweepId: number; combinations: number; best: { backtestId: number }[] };
    expect(sweep.combinations).toBe(4);
    expect(sweep.best).toHaveLength(4);
    const stored = JSON.parse(
      (await runCli(['backtests', 'list', '--sweep', String(sweep.sweepId), '--json'], cli.env)).stdout,
    ) as unknown[];
    expect(stored).toHaveLength(4);
  });

  it.each([
    [['backtest', '--strategy', 'nope', '--universe', 'synthetic'], 'error: strategy: unknown strategy "nope"'],
    [['backtest', '--strategy', 'ma-trend', '--universe', 'synthetic', '--param', 'window=-3'], 'error: params.window'],
    [['backtest', '--strategy', 'ma-trend', '--universe', 'synthetic', '--param', 'windw=30'], 'error: params: Unrecognized key: "windw"'],
    [['backtest', '--strategy', 'ma-trend'], 'error: symbols: give --universe NAME or --symbols A,B'],
    [
      ['backtest', '--strategy', 'ma-trend', '--symbols', 'SYN-GOLD', '--from', '2030-01-01'],
      'error: no 1d bars to trade between 2030-01-01',
    ],
    [['backtest', '--strategy', 'ma-trend', '--symbols', 'NOTHING'], 'error: no 1d bars for NOTHING'],
    [['backtests', 'show', '999999'], 'error: backtest 999999 does not exist'],
    [['sweep', '--strategy', 'xs-momentum', '--universe', 'synthetic', '--grid', 'lookback'], 'error: grid: expected name=value'],
  ])('%j fails with a clear message', async (args, message) => {
    const result = await runCli(args, cli.env);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(1);
  });

  it.skipIf(!existsSync(REFERENCE))('reference prints the case summary with the expected.json field names and values', async () => {
    const result = await runCli(['reference', 'momentum-xs', resolve(REFERENCE, 'momentum-xs/data'), '--target-scale', '0.99'], cli.env);
    expect(result.code, result.stderr).toBe(0);
    const ours = JSON.parse(result.stdout) as Record<string, unknown>;
    const expected = JSON.parse(readFileSync(resolve(REFERENCE, 'momentum-xs/expected.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['trades_closed', 'won', 'lost', 'rebalances', 'first_rebalance', 'order_status_counts'])
      expect(ours[key], key).toEqual(expected[key]);
    expect(Math.abs((ours.final_value as number) / (expected.final_value as number) - 1)).toBeLessThan(1e-9);
    const sma = JSON.parse((await runCli(['reference', 'sma-cross', resolve(REFERENCE, 'sma-cross/data')], cli.env)).stdout) as Record<
      string,
      unknown
    >;
    expect(Object.keys(sma)).toEqual(
      Object.keys((JSON.parse(readFileSync(resolve(REFERENCE, 'sma-cross/expected.json'), 'utf8')) as { summary: object }).summary),
    );
  });
});
