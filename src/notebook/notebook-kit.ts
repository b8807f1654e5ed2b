/**
 * What every notebook sets up before its first idea, written once: a scratch store that is removed
 * when the kernel exits (or DATABASE_URL's database), plotly.js loaded once, the configuration, the
 * shared price data ingested, the number formats of its tables and the checks at its end. Exported
 * from the package: notebooks import it from `dist/src/index.js` (tslab compiles cells as CommonJS
 * and loads dist through require(esm), so nothing here may use top-level await).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, readEnvironment, type Environment, type MomentumConfig } from '../config.js';
import { ingest, type IngestReport } from '../data/ingest.js';
import { CsvProvider } from '../data/providers/csv-provider.js';
import { SyntheticProvider } from '../data/providers/synthetic-provider.js';
import { openDatabase, type Database } from '../db/database.js';
import { notebookPlotter } from '../report/plotly-html.js';
import { formatNumber, formatPercent } from '../report/report-format.js';
import { packageRoot } from '../util/package-root.js';

export interface NotebookSession {
  readonly env: Environment;
  readonly config: MomentumConfig;
  readonly db: Database;
  /** Shows a plotly chart; plotly.js itself went out once, with the cell that opened the session. */
  readonly plot: ReturnType<typeof notebookPlotter>;
  /** The scratch folder (a throwaway MOMENTUM_HOME), removed by close() or when the kernel exits. */
  readonly scratchHome: string;
  /** Closes the database and removes the scratch folder, saying so. */
  readonly close: () => Promise<void>;
}

/**
 * Opens the notebook's store: an embedded database in a scratch folder, so your own .momentum is
 * never touched, or DATABASE_URL's database when it is set (what the notebook stores then stays
 * there). `display` is tslab's, for the plotly.js loader.
 * @example const { db, config, plot, close } = await openNotebook('02', tslab.display);
 */
export async function openNotebook(name: string, display: { html(html: string): void }): Promise<NotebookSession> {
  const env = readEnvironment();
  const scratchHome = mkdtempSync(join(tmpdir(), `momentum-nb-${name}-`));
  process.once('exit', () => rmSync(scratchHome, { recursive: true, force: true })); // even if a cell fails
  const db = env.databaseUrl ? await openDatabase({ url: env.databaseUrl }) : await openDatabase({ home: scratchHome });
  console.log(`database: ${db.engine} at ${db.location}`);
  const close = async () => {
    await db.close();
    rmSync(scratchHome, { recursive: true, force: true });
    console.log(`closed the ${db.engine} database; removed ${scratchHome}`);
  };
  return { env, config: loadConfig(env.configPath), db, plot: notebookPlotter(display), scratchHome, close };
}

export interface SharedData {
  /** True when the real ETF files were found; false: the seeded synthetic market stands in. */
  readonly real: boolean;
  readonly dir: string;
  readonly provider: CsvProvider | SyntheticProvider;
  readonly symbols: readonly string[];
  readonly report: IngestReport;
}

/** A folder of `../shared/data` beside the project (as in CI): `sharedDataDir('stocks-daily')`. */
export function sharedDataDir(name: string): string {
  return resolve(packageRoot(), '../shared/data', name);
}

/**
 * Ingests the multi-asset ETF set beside the project (`../shared/data/etf-daily`, one CSV per
 * symbol, with names and asset classes from the `etf-multi-asset` universe since the files have
 * none), or the synthetic market when it is missing, and says which: loudly with `loud`, for
 * notebooks whose output could be mistaken for advice. Prints the ingest run's totals.
 * @example const { real, symbols, report } = await ingestSharedData(session);
 */
export async function ingestSharedData(session: NotebookSession, options: { readonly loud?: boolean } = {}): Promise<SharedData> {
  const dir = sharedDataDir('etf-daily');
  const real = existsSync(dir);
  const provider = real ? new CsvProvider({ path: dir }) : new SyntheticProvider();
  const symbols = await provider.listSymbols();
  const universe = session.config.universes.get('etf-multi-asset');
  const metadata = new Map((universe?.members ?? []).map((m) => [m.symbol, m]));
  const synthetic = `SYNTHETIC data (not real prices): ${dir} is missing, so this uses the seeded synthetic market`;
  console.log(
    real
      ? `REAL data: ${symbols.length} ETF files from ${dir}`
      : options.loud
        ? `${'!'.repeat(100)}\n!!! ${synthetic}.\n!!! Every portfolio below is made of made-up symbols and prices: for trying the code, not for investing.\n${'!'.repeat(100)}`
        : synthetic,
  );
  const started = Date.now();
  const report = await ingest(session.db, provider, { symbols, interval: '1d', metadata });
  console.log(`ingest run ${report.runId} (${report.source}): ${report.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.table(report.totals);
  return { real, dir, provider, symbols, report };
}

/**
 * A notebook's closing check: prints `ok  what`, or fails the cell (and so the headless run).
 * @example check(outcome.equity.every(Number.isFinite), 'the equity has no NaN')
 */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok  ${what}`);
}

type Shown = number | null | undefined;

/** As the reports write it (report-format.ts): 0.1234 -> '12.34%'; null -> '–'. */
export const pct = (x: Shown, digits = 2): string => formatPercent(x, digits);

/** As the reports write it: 1234.5678 -> '1,234.57'; null -> '–'. */
export const num = (x: Shown, digits = 2): string => formatNumber(x, digits);

/** 1234.5 -> '$1,234.50'. */
export const usd = (x: number, digits = 2): string =>
  `$${x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;

/** A difference in percentage points: 1.25 -> '+1.3 pts'. */
export const points = (x: number | null, digits = 1): string => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)} pts`);
