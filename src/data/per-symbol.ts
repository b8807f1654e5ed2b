/**
 * The loop of the provider ingests (fundamentals-ingest.ts, qualitative-ingest.ts): one symbol at a
 * time, a symbol's failure its own outcome, the others fetched and stored.
 */
import { errorMessage } from '../errors.js';

export interface SymbolFailure {
  readonly symbol: string;
  readonly status: 'failed';
  readonly error: string;
}

/**
 * `work`'s outcome for each symbol in order, or a failure with the error's message when it throws;
 * only a cancellation (the signal aborted) stops the rest.
 * @example await eachSymbol(['AAPL', 'NOPE'], undefined, async (s) => ({ symbol: s, status: 'empty' as const }))
 */
export async function eachSymbol<O>(
  symbols: readonly string[],
  signal: AbortSignal | undefined,
  work: (symbol: string) => Promise<O>,
): Promise<(O | SymbolFailure)[]> {
  const outcomes: (O | SymbolFailure)[] = [];
  for (const symbol of symbols) {
    try {
      outcomes.push(await work(symbol));
    } catch (error) {
      if (signal?.aborted) throw error;
      outcomes.push({ symbol, status: 'failed', error: errorMessage(error) });
    }
  }
  return outcomes;
}
