/**
 * The main job for a new user (`npm run demo`): offline, on the embedded database unless
 * DATABASE_URL is set. For now: ingest the seeded synthetic market (a delta after the first run)
 * and summarise the store. Later stages of the pipeline extend this.
 */
import type { Database } from '../db/database.js';
import { ingest, type IngestProgress, type IngestReport } from '../data/ingest.js';
import { dataSummary, type SummaryRow } from '../data/price-store.js';
import { SyntheticProvider } from '../data/providers/synthetic-provider.js';
import { SYNTHETIC_START } from '../data/synthetic-market.js';
import { dateToTs } from '../data/bar.js';

export interface DemoOptions {
  readonly seed?: number;
  readonly now?: () => number;
  readonly onProgress?: (event: IngestProgress) => void;
}

export interface DemoResult {
  readonly ingest: IngestReport;
  readonly summary: readonly SummaryRow[];
}

export async function runDemo(db: Database, options: DemoOptions = {}): Promise<DemoResult> {
  const provider = new SyntheticProvider(options.seed === undefined ? {} : { seed: options.seed });
  const report = await ingest(db, provider, {
    symbols: await provider.listSymbols(),
    interval: '1d',
    from: dateToTs(SYNTHETIC_START),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const summary = await dataSummary(db, { symbols: report.symbols.map((s) => s.symbol), interval: '1d' });
  return { ingest: report, summary };
}
