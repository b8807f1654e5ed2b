/**
 * Signal inputs shared across the combinations of a sweep: a lookback's trailing returns serve
 * every topPct, its ranking at each rebalance bar too. A sweep worker hands one memo (per panel)
 * to every backtest it runs; a strategy asks it for a value by a key naming everything the value
 * depends on besides the panel, and gets the value computed once. What a memo returns is shared:
 * read it, never write to it (one exception, quantileSchedule's targets buffer, which each
 * combination rewrites whole and uses up before the next one runs). Without a memo (a single backtest) the value is computed on the spot,
 * by the same code, so a sweep's figures are exactly a single backtest's.
 */

export type SignalMemo = <T>(key: string, compute: () => T) => T;

/** No sharing: compute every time (a single backtest). */
export const computeNow: SignalMemo = (_key, compute) => compute();

/**
 * A memo keeping the `capacity` most recently used values (a sweep sends a worker its combinations
 * in grid order, so those sharing a lookback arrive together and a few entries suffice).
 * @example const memo = boundedMemo(32); memo('xs:252:21', () => scoresOf(panel))
 */
export function boundedMemo(capacity: number): SignalMemo {
  const entries = new Map<string, unknown>();
  return <T>(key: string, compute: () => T): T => {
    if (entries.has(key)) {
      const value = entries.get(key) as T;
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
      entries.delete(key);
      entries.set(key, value);
      return value;
    }
    const value = compute();
    entries.set(key, value);
    if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    return value;
  };
}
