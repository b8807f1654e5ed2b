/**
 * `momentum report backtest` as a user runs it: two real backtests of ../shared/data ETFs, the
 * first's tearsheet with the second beside it written where --out says, one self-contained page
 * (plotly.js in it once), and the default place under MOMENTUM_HOME/reports/; a sweep's page with
 * its heatmap, parallel coordinates, table and gate verdict.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const PERIOD = ['--symbols', 'SPY,TLT,GLD', '--from', '2010-01-01', '--to', '2015-12-31', '--benchmark', 'SPY', '--json'];

describe(`momentum report backtest, report sweep (${engineName})`, () => {
  let cli: CliEnvironment;
  const run = (args: string[]) => runCli(args, cli.env);
  let ids: number[] = [];
  beforeAll(async () => {
    cli = await cliEnvironment();
    const ingest = await run(['ingest', '--source', 'csv', '--path', ETF, '--symbols', 'SPY,TLT,GLD']);
    expect(ingest.code, ingest.stderr).toBe(0);
    ids = [];
    for (const strategy of ['xs-momentum', 'ma-trend']) {
      const result = await run(['backtest', '--strategy', strategy, ...PERIOD]);
      expect(result.code, result.stderr).toBe(0);
      ids.push((JSON.parse(result.stdout) as { id: number }).id);
    }
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('writes the tearsheet of one backtest with another beside it to --out', async () => {
    const out = join(cli.home, 'sheet.html');
    const result = await run(['report', 'backtest', String(ids[0]), '--vs', String(ids[1]), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(out);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // plotly.js once (the loader), however many charts.
    expect(html.match(/DecompressionStream/g)).toHaveLength(1);
    expect(html.match(/Plotly\.newPlot/g)!.length).toBeGreaterThanOrEqual(9);
    const header = /<table data-table="summary">\s*<thead><tr><th>figure<\/th>(.*?)<\/tr><\/thead>/s.exec(html)![1]!;
    expect(header).toContain(`#${ids[0]} xs-momentum`);
    expect(header).toContain(`#${ids[1]} ma-trend`);
    expect(html).toContain('data-table="drawdowns"');
    expect(html.match(/<tr data-drawdown=/g)).toHaveLength(5);
  });

  it('writes to MOMENTUM_HOME/reports by default, and names a backtest that does not exist', async () => {
    const result = await run(['report', 'backtest', String(ids[1])]);
    expect(result.code, result.stderr).toBe(0);
    const path = join(cli.home, 'reports', `backtest-${ids[1]}.html`);
    expect(result.stdout).toContain(path);
    expect(existsSync(path)).toBe(true);
    const missing = await run(['report', 'backtest', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('backtest 999999 does not exist');
  });

  it("writes a gated sweep's page: heatmap, parallel coordinates, every combination, the verdict; refuses a bad metric", async () => {
    const sweep = await run([
      'sweep',
      '--strategy',
      'xs-momentum',
      ...PERIOD,
      '--grid',
      'lookback=63,126',
      '--grid',
      'topPct=34,67',
      '--grid',
      'skip=0,21',
      '--workers',
      '1',
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const sweepId = (JSON.parse(sweep.stdout) as { sweepId: number }).sweepId;
    const gate = await run(['gate', '--sweep', String(sweepId), '--pbo-blocks', '8', '--json']);
    expect(gate.stderr).toBe('');
    const out = join(cli.home, 'sweep.html');
    const result = await run([
      'report',
      'sweep',
      String(sweepId),
      '--metric',
      'cagr',
      '--x',
      'topPct',
      '--y',
      'lookback',
      '--fix',
      'skip=21',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`sweep ${sweepId}: ${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/DecompressionStream/g)).toHaveLength(1);
    expect(html.match(/Plotly\.newPlot/g)).toHaveLength(2);
    expect(html).toContain('CAGR by topPct and lookback: skip = 21');
    expect(html.match(/<tr data-backtest=/g)).toHaveLength(8);
    expect(html).toMatch(/data-role="gate" data-pbo="\d\.\d{3}"/);

    const bad = await run(['report', 'sweep', String(sweepId), '--metric', 'alpha']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('metric: expected one of sharpe');
    const unknown = await run(['report', 'sweep', String(sweepId), '--fix', 'skip=5', '--x', 'topPct']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no combination with skip=5');
  });
});
