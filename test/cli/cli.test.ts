import { simpleParser } from 'mailparser';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_SYMBOLS } from '../../src/data/synthetic-market.js';
import { STRATEGIES } from '../../src/strategies/registry.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

describe(`momentum CLI (${engineName})`, () => {
  let cli: CliEnvironment;
  let csv: string;

  beforeAll(async () => {
    cli = await cliEnvironment();
    csv = mkdtempSync(join(tmpdir(), 'momentum-cli-csv-'));
    writeFileSync(
      join(csv, 'ABC.csv'),
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,10.4,100\n2024-01-03,10,9,11,10.5,10.4,100\n2024-01-04,10,11,9,10.5\n2024-01-05,10,11,9,10.7,10.6,100\n',
    );
    writeFileSync(join(csv, 'EMPTY.csv'), '');
  });
  afterAll(async () => {
    rmSync(csv, { recursive: true, force: true });
    await cli.dispose();
  });

  it('demo: ingests the synthetic market, prints the summary marked as synthetic; a second run adds nothing', async () => {
    const first = await runCli(['demo'], cli.env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/1\. ingest \(synthetic market, run 1\): ok; \d{5,} new bars, 0 updated/);
    expect(first.stdout).toContain('SYNTHETIC data: generated for the demo, not market prices');
    for (const symbol of SYNTHETIC_SYMBOLS) expect(first.stdout).toContain(symbol);
    expect(first.stdout).toContain('3. backtests of the strategy library');
    for (const strategy of [
      'ts-momentum',
      'xs-momentum',
      'dual-momentum',
      'ma-trend',
      'sma-cross',
      'donchian',
      '52w-high',
      'vol-scaled-xs',
    ]) {
      expect(first.stdout).toMatch(new RegExp(`\\d+\\s+${strategy}\\s+-?\\d`));
    }
    // The demo chooses among its strategies (not the buy-and-hold baseline): each verdict counts them all, not one.
    // (Strategies reading fundamentals or events sit out: the synthetic market has prices only.)
    const strategies = STRATEGIES.filter((s) => !s.baseline && !s.data).length;
    expect(first.stdout).toContain(`the demo chooses among: ${strategies} trials in this family (trial family`);
    const rows = [...first.stdout.matchAll(/^\s*\d+\s+[\w-]+\s+(?:[-\d.,%]+\s+){5}(\d+)\s+(?:passed|failed)/gm)];
    expect(rows.map((m) => Number(m[1]))).toEqual(Array(strategies).fill(strategies));

    // Then model portfolios, monitoring and the mail: a rebalance report and an alert in the outbox.
    expect(first.stdout).toMatch(/6\. model portfolios of backtest \d+ /);
    expect(first.stdout).toMatch(/demo-lump-sum\s+\d{4}-\d\d-\d\d\s+\d+\s+\d+/);
    expect(first.stdout).toMatch(/demo-monthly-sip\s+\d{4}-\d\d-\d\d\s+\d+\s+\d+/);
    const monitored = /7\. monitoring as of (\d{4}-\d\d-\d\d): demo-lump-sum drawdown.*; (\d+) new alert\(s\) stored, (\d+) mailed/.exec(
      first.stdout,
    );
    expect(monitored).not.toBeNull();
    // Only alerts still true to read are mailed (observed in the last 3 days, on a position still held).
    const mailedAlerts = Number(monitored![3]);
    expect(mailedAlerts).toBeLessThanOrEqual(Number(monitored![2]));
    expect(first.stdout).toContain(`(${1 + mailedAlerts} sent now; SMTP_URL unset: written as .eml files)`);
    const report = /8\. reports: the interactive report (\S+\.html)/.exec(first.stdout)![1]!;
    expect(readFileSync(report, 'utf8')).toContain('<html');
    const emls = [...first.stdout.matchAll(/^\s+(rebalance|alert)\s+([\d.]+) KB\s+(\S+\.eml)$/gm)].map((m) => ({
      kind: m[1]!,
      kb: Number(m[2]),
      path: m[3]!,
    }));
    expect(emls.map((e) => e.kind).sort()).toEqual([...Array<string>(mailedAlerts).fill('alert'), 'rebalance']);
    // Deliverable: each mail well under the 1 MB target, its printed size its size on disk.
    for (const eml of emls) {
      const bytes = readFileSync(eml.path).length;
      expect(bytes).toBeLessThan(1_000_000);
      expect(eml.kb).toBeCloseTo(bytes / 1024, 1);
    }
    expect(first.stdout).toMatch(/largest mail [\d.]+ KB/);
    const rebalanceMail = await simpleParser(readFileSync(emls.find((e) => e.kind === 'rebalance')!.path));
    expect(rebalanceMail.subject).toMatch(/^demo-lump-sum: /);
    expect(rebalanceMail.to).toMatchObject({ value: [{ address: 'subscriber@example.com', name: 'Demo Subscriber' }] });
    expect(rebalanceMail.attachments.map((a) => a.cid).sort()).toEqual([
      'equity-drawdown@momentum',
      'since-start@momentum',
      'weights@momentum',
    ]);
    expect(rebalanceMail.text).toMatch(/\/reports\/demo-lump-sum-\d{4}-\d\d-\d\d-s1\.html\?expires=\d+&sig=/);
    for (const eml of emls.filter((e) => e.kind === 'alert')) {
      const alertMail = await simpleParser(readFileSync(eml.path));
      const observed = /passed the -\d+% alert level on (\d+ \w{3} \d{4}) \(-\d+\.\d%\)$/.exec(alertMail.subject ?? '');
      expect(observed, alertMail.subject).not.toBeNull();
      const ageDays = (Date.parse(`${monitored![1]}T00:00:00Z`) - Date.parse(`${observed![1]} UTC`)) / 86_400_000;
      expect(ageDays).toBeLessThanOrEqual(3);
      expect(alertMail.text).toMatch(/Now, with data to /);
    }
    // Private: the outbox holds unsubscribe tokens, the database everything.
    for (const path of [cli.home, dirname(report), dirname(emls[0]!.path)]) expect(statSync(path).mode & 0o777, path).toBe(0o700);
    for (const path of [report, ...emls.map((e) => e.path)]) expect(statSync(path).mode & 0o777, path).toBe(0o600);

    // The second run serves the web application on the demo's data (`npm run demo -- --serve`).
    const child = spawnCli(['demo', '--serve', '--port', '0'], cli.env);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = finished(child);
    const url = /the web application at (http:\/\/127\.0\.0\.1:\d+)\/ \(Ctrl-C to stop\)/;
    await waitFor(() => url.test(out) || child.exitCode !== null, EVENTUALLY, 'the demo to serve');
    if (!url.test(out)) throw new Error(`the demo did not serve: ${JSON.stringify(await done)}`);
    const base = url.exec(out)![1]!;
    expect(out).toContain("9. the web application on the demo's data (the universe synthetic):");
    const overview = await (await fetch(`${base}/`)).text();
    // The configuration names the synthetic universe too (its description wins); the demo's symbols are all there.
    expect(overview).toContain(`<strong>synthetic</strong> (${SYNTHETIC_SYMBOLS.length} symbols)`);
    expect(overview).not.toContain('No backtests stored yet');
    expect(overview).toContain('demo-lump-sum');
    expect(await (await fetch(`${base}/strategies`)).text()).toContain('<option value="synthetic"');
    child.kill('SIGTERM');
    const second = await done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`: ok; 0 new bars, 0 updated, ${SYNTHETIC_SYMBOLS.length} unchanged`);
    // Nothing is rebalanced, alerted or mailed twice.
    expect(second.stdout).toContain('0 new alert(s) stored');
    expect(second.stdout).toContain('(0 sent now;');
    // Running the same choice again is the same trials: the count does not grow, nor reset.
    expect(second.stdout).toContain(`the demo chooses among: ${strategies} trials in this family`);
    // Two whole demo runs: a generous bound for a busy machine, not a measure of speed.
  }, 600_000);

  it('data summary --json lists each series with first, last and count (and the fundamentals and qualitative data: none)', async () => {
    const result = await runCli(['data', 'summary', '--json'], cli.env);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { series: { symbol: string; bars: number; first: string; sources: string }[] };
    expect(summary).toMatchObject({ fundamentals: [], qualitative: [] });
    const rows = summary.series;
    expect(rows.map((r) => r.symbol)).toEqual([...SYNTHETIC_SYMBOLS].sort());
    expect(rows.every((r) => r.first === '2000-01-03' && r.bars > 6000 && r.sources === 'synthetic')).toBe(true);
  });

  it('ingest --source csv stores the good rows, reports bad rows and files, exits 2 for a partial run', async () => {
    const result = await runCli(['ingest', '--source', 'csv', '--path', csv], cli.env);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/ingest run \d+ \(csv, 1d\): partial; 1 symbol\(s\) ok, 1 failed; 4 rows fetched: 2 new/);
    expect(result.stdout).toContain('ABC rejected line 3 2024-01-03: high 9 is below low 11');
    expect(result.stdout).toContain('ABC rejected line 4 2024-01-04: expected 7 fields, got 5');
    expect(result.stdout).toContain('EMPTY: FAILED: EMPTY.csv is empty');
    const runId = /ingest run (\d+)/.exec(result.stdout)![1]!;
    const issues = await runCli(['data', 'issues', '--run', runId, '--json'], cli.env);
    expect(JSON.parse(issues.stdout)).toHaveLength(2);
    const runs = await runCli(['data', 'runs', '--json'], cli.env);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: Number(runId), status: 'partial', source: 'csv' });
  });

  it.each([
    [
      ['ingest', '--interval', '2d', '--source', 'synthetic'],
      'error: interval: unknown interval "2d"; use one of 1m, 5m, 15m, 1h, 1d, 1wk, 1mo',
    ],
    [['ingest', '--source', 'csv'], 'error: path: the csv source needs --path FILE_OR_FOLDER'],
    [['ingest', '--source', 'ftp'], 'error: source: unknown source "ftp"; use one of yahoo, csv, synthetic'],
    [['ingest', '--universe', 'nope'], 'error: universe: unknown universe "nope"'],
    [
      ['ingest', '--source', 'synthetic', '--from', '2020-13-01'],
      "error: option '--from <date>' argument '2020-13-01' is invalid. 2020-13-01 is not a calendar date (there is no month 13); use YYYY-MM-DD",
    ],
    [['ingest', '--source', 'yahoo'], 'error: symbols: the yahoo source needs --symbols or --universe'],
    [
      ['ingest', '--source', 'synthetic', '--from', '2021-01-01', '--to', '2020-01-01'],
      'error: from: from 2021-01-01 is after to 2020-01-01',
    ],
    [['data', 'issues', '--run', 'x'], 'error: run: expected a whole number'],
  ])('%j fails with a clear message and exit code 1', async (args, message) => {
    const result = await runCli(args, cli.env);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(1);
  });

  it('unknown commands and options show the help and fail', async () => {
    const result = await runCli(['ingset'], cli.env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'ingset'/);
  });

  it('db migrate is idempotent and db status shows every migration applied', async () => {
    const migrate = await runCli(['db', 'migrate'], cli.env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/0 applied now, \d+ already applied/);
    const status = await runCli(['db', 'status'], cli.env);
    expect(status.stdout).toMatch(/001_price_store\.sql\s+applied/);
    expect(status.stdout).not.toContain('pending');
  });
});
