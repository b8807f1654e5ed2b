/**
 * `momentum demo --source csv|yahoo --universe NAME`: the same pipeline on real data. Yahoo is not
 * reachable here, so the real ETF prices of ../shared/data (present on this machine) stand in, on a
 * small universe of the configuration file's kind; and the options a user can get wrong.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { formatViolations, parseTables } from '../helpers/cli-tables.js';
import { engineName } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');

describe(`momentum demo on real data (${engineName})`, () => {
  let cli: CliEnvironment;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    cli = await cliEnvironment();
    const config = join(cli.home, 'config.json');
    const member = (symbol: string, asset_class: string) => ({ symbol, asset_class, currency: 'USD', name: `${symbol} ETF` });
    writeFileSync(
      config,
      JSON.stringify({
        universes: {
          'etf-mini': {
            description: 'four ETFs across asset classes',
            interval: '1d',
            symbols: [member('SPY', 'equity'), member('TLT', 'bond'), member('GLD', 'commodity'), member('EFA', 'equity')],
          },
        },
      }),
    );
    env = { ...cli.env, MOMENTUM_CONFIG: config };
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('refuses a real source without a universe, and a universe without a real source', async () => {
    const noUniverse = await runCli(['demo', '--source', 'yahoo'], env);
    expect(noUniverse.code).toBe(1);
    expect(noUniverse.stderr).toContain('universe: --source yahoo needs --universe NAME (see momentum universes)');
    const noSource = await runCli(['demo', '--universe', 'etf-mini'], env);
    expect(noSource.code).toBe(1);
    expect(noSource.stderr).toContain('the synthetic market is its own universe');
  });

  it.skipIf(!existsSync(ETF))('runs the whole pipeline on the ETFs: backtests, portfolios named after the universe, the mail', async () => {
    const result = await runCli(['demo', '--source', 'csv', '--path', ETF, '--universe', 'etf-mini'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1\. ingest \(etf-mini from csv, run 1\): ok; \d{4,} new bars/);
    expect(result.stdout).not.toContain('SYNTHETIC');
    expect(result.stdout).toMatch(/demo-etf-mini-lump-sum\s+\d{4}-\d\d-\d\d\s+\d+/);
    expect(result.stdout).toMatch(/demo-etf-mini-monthly-sip\s+\d{4}-\d\d-\d\d\s+\d+/);
    // Its tables in the CLI's one format (money to cents, percents with %, drawdowns negative).
    const tables = parseTables(result.stdout);
    expect(tables.map((t) => t.header[0])).toEqual(expect.arrayContaining(['id', 'name']));
    expect(tables.flatMap(formatViolations)).toEqual([]);
    const eml = /^\s+rebalance\s+[\d.]+ KB\s+(\S+\.eml)$/m.exec(result.stdout)![1]!;
    expect(readFileSync(eml).length).toBeLessThan(1_000_000);
    const mail = await simpleParser(readFileSync(eml));
    expect(mail.subject).toMatch(/^demo-etf-mini-lump-sum: /);
    expect(String(mail.html)).toMatch(/SPY|TLT|GLD|EFA/);
  });
});
