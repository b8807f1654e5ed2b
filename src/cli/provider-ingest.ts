/**
 * What the provider ingests (`fundamentals ingest`, `qualitative ingest`) share: their flags checked
 * before any request, and the exit code from the per-symbol outcomes.
 */
import { ValidationError } from '../errors.js';
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

/** Exit code 1 when every symbol failed, 2 when some did and others were stored, unchanged otherwise. */
export function setIngestExitCode(outcomes: readonly { readonly status: string }[]): void {
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  if (failed > 0) process.exitCode = failed === outcomes.length ? 1 : 2;
}
