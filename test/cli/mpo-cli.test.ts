/** `momentum optimize` and `momentum serve` as a user runs them: real child processes of the built command. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/config.js';
import { subscriberPage, writeReportPage } from '../../src/report/report-pages.js';
import { finished, ROOT, runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { MPO_EXAMPLE } from '../helpers/mpo-request.js';
import { spawnedProcesses } from '../helpers/processes.js';

const ENV = { MOMENTUM_API_TOKEN: '' };

interface RunBody {
  output: { weights: Record<string, Record<string, number | null>>; trades: Record<string, Record<string, number | null>> };
  status: number;
  message?: string;
}

/** The CLI with `input` on its stdin (the shared helper leaves stdin closed). */
function runCliWithStdin(args: readonly string[], input: string): Promise<CliResult> {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist/cli/cli.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  return finished(child);
}

describe('momentum optimize', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-mpo-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the response JSON for a request file (exit 0)', async () => {
    const result = await runCli(['optimize', file('example.json', MPO_EXAMPLE)], ENV);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as RunBody;
    expect(body.status).toBe(0);
    expect(body.output.weights.CASH!['2']).toBeCloseTo(0.8, 9);
    expect(Object.keys(body.output.trades.GOOG!)).toEqual(['1', '2', '3']);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('reads the request from stdin with -, and indents with --pretty', async () => {
    const result = await runCliWithStdin(['optimize', '-', '--pretty'], JSON.stringify(MPO_EXAMPLE));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\{\n {2}"output": \{\n/);
    expect((JSON.parse(result.stdout) as RunBody).status).toBe(0);
  });

  it('a malformed request prints every field problem and exits 1', async () => {
    const request = {
      ...MPO_EXAMPLE,
      initial_weights: { GOOG: 0.5, APPL: 0, CASH: 1 },
      estimated_returns: { ...MPO_EXAMPLE.estimated_returns, MSFT: { '1': 0 } },
      parameters: { ...MPO_EXAMPLE.parameters, trade_cost: 0.02 },
    };
    const result = await runCli(['optimize', file('malformed.json', request)], ENV);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: invalid request, 3 problem(s):');
    expect(result.stderr).toContain('  initial_weights: weights must sum to 1 (they sum to 1.5)');
    expect(result.stderr).toContain('  estimated_returns.MSFT: not an asset of initial_weights');
    expect(result.stderr).toMatch(/ {2}parameters\.trade_cost: is the old name of transaction_cost/);
  });

  it('invalid JSON and a missing file exit 1 with the reason', async () => {
    const invalid = await runCliWithStdin(['optimize', '-'], '{"initial_weights":');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: request: stdin is not valid JSON: /);
    const missing = await runCli(['optimize', join(dir, 'nope.json')], ENV);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: request: cannot read .*nope\.json: ENOENT/);
  });

  it('an infeasible request prints the status 1 response and exits 2', async () => {
    const request = { ...MPO_EXAMPLE, parameters: { ...MPO_EXAMPLE.parameters, min_cash_balance: 1.5 } };
    const result = await runCli(['optimize', file('infeasible.json', request)], ENV);
    expect(result.code).toBe(2);
    const body = JSON.parse(result.stdout) as RunBody;
    expect(body.status).toBe(1);
    expect(body.message).toMatch(/infeasible/);
    expect(result.stderr).toMatch(/^not optimal \(status 1\): infeasible/);
  });
});

describe('momentum serve', () => {
  const processes = spawnedProcesses();
  it('prints its URL, answers POST /api/run and a signed report link, and exits 0 on SIGTERM after closing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'momentum-serve-'));
    const child = processes.track(
      spawnCli(['serve', '--port', '0', '--workers', '1', '--time-limit', '10'], { ...ENV, MOMENTUM_HOME: home }),
    );
    const result = finished(child);
    const url = await new Promise<string>((resolveUrl, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /serving POST (http:\/\/127\.0\.0\.1:\d+)\/api\/run/.exec(seen);
        if (match) resolveUrl(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL`)));
    });
    const response = await fetch(`${url}/api/run`, {
      method: 'POST',
      body: JSON.stringify(MPO_EXAMPLE),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as RunBody).status).toBe(0);

    // A page published in its MOMENTUM_HOME, behind a link signed with the secret it keeps there.
    const env = readEnvironment({ MOMENTUM_HOME: home, MOMENTUM_PUBLIC_URL: url });
    const page = subscriberPage(env, 'core', '2024-03-01', 1);
    writeReportPage(env, page.file, '<p>the report</p>');
    const served = await fetch(page.url);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('<p>the report</p>');
    expect((await fetch(`${page.url}x`)).status).toBe(403); // a signature not its own

    child.kill('SIGTERM');
    const { code, signal, stderr } = await result;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).toMatch(/POST \/api\/run 200 \d+ ms/);
    expect(stderr).toContain('SIGTERM: finishing requests in flight');
    expect(stderr).toContain('stopped');
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses a non-loopback host without a token (exit 1)', async () => {
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: refusing to listen on 0\.0\.0\.0 without an API token/);
  });

  it('names a bad option', async () => {
    const result = await runCli(['serve', '--port', '99999'], ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: port: expected a whole number from 0 to 65535, got "99999"');
  });
});
