/**
 * What the provider ingests (`fundamentals ingest`, `qualitative ingest`) share: their flags checked
 * before any request, the outcomes printed (or as JSON), and the exit code from them.
 */
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { parseList } from './options.js';

/**
 * The symbols of `--symbols`, once `--source` is known; `alternative` follows "use yahoo" in the
 * message for an unknown source.
 * @example providerSymbols({ source: 'yahoo', symbols: 'AAPL, MSFT' }, 'fundamentals') // ['AAPL', 'MSFT']
 */
export function providerSymbols(flags: { readonly source: string; readonly symbols: string }, kind: string, alternative = ''): string[] {
  if (flags.source !== 'yahoo')
    throw new ValidationError('source', `unknown ${kind} source ${JSON.stringify(flags.source)}; use yahoo${alternative}`);
  const symbols = parseList(flags.symbols) ?? [];
  if (symbols.length === 0) throw new ValidationError('symbols', 'give at least one symbol, e.g. --symbols AAPL,MSFT');
  return symbols;
}

export interface ProviderIngest<O extends { readonly status: string }> {
  /** How messages name the data, e.g. 'fundamentals'. */
  readonly kind: string;
  /** Said after "use yahoo" for an unknown source. */
  readonly alternative?: string;
  /** Fetches and stores each symbol (loaded once the flags are checked). */
  readonly ingest: (db: Database, symbols: readonly string[]) => Promise<O[]>;
  readonly describe: (outcomes: readonly O[]) => string[];
}

/**
 * Checks the flags, then ingests and prints each symbol's outcome; a failed symbol sets exit code 1
 * (2 when others were stored).
 */
export async function runProviderIngest<O extends { readonly status: string }>(
  flags: { readonly source: string; readonly symbols: string; readonly json?: boolean },
  output: Output,
  run: ProviderIngest<O>,
): Promise<void> {
  const symbols = providerSymbols(flags, run.kind, run.alternative);
  await withLightDatabase(async (db) => {
    const outcomes = await run.ingest(db, symbols);
    if (flags.json) output.out(JSON.stringify(outcomes, null, 2));
    else for (const line of run.describe(outcomes)) output.out(line);
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    if (failed > 0) process.exitCode = failed === outcomes.length ? 1 : 2;
  });
}
