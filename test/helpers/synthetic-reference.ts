/** The research tests' market and reference: six synthetic series to 2014, and an xs-momentum backtest of 2003-2009 on them. */
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import type { Database } from '../../src/db/database.js';

export const SYNTHETIC_SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];

/** Ingests the market (seed 3, up to 2014-12-31) and stores the reference backtest; returns its id. */
export async function storeSyntheticReference(db: Database): Promise<number> {
  await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYNTHETIC_SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
  const spec = parseBacktestSpec({
    strategy: 'xs-momentum',
    symbols: SYNTHETIC_SYMBOLS,
    from: '2003-01-01',
    to: '2009-12-31',
    params: { topPct: 34 },
  });
  return storeBacktest(db, await runBacktest(db, spec));
}
