/**
 * Table types for Kysely, one interface per table in sql/. Column names follow the SQL (snake_case).
 * Only each table's owning store imports them: src/db/README.md lists the owners.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface InstrumentsTable {
  symbol: string;
  name: string | null;
  asset_class: string | null;
  currency: string | null;
  exchange: string | null;
  timezone: string | null;
  source: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BarsTable {
  symbol: string;
  interval: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  adj_close: number;
  volume: number;
  source: string;
}

/** Per series and source: first and last bar and the count (kept by src/data/bar-writer.ts). */
export interface BarSeriesTable {
  symbol: string;
  interval: string;
  source: string;
  first_ts: Timestamp;
  last_ts: Timestamp;
  bars: number;
}

export interface IngestRunsTable {
  id: Generated<number>;
  source: string;
  interval: string;
  request: JSONColumnType<Record<string, unknown>>;
  status: 'running' | 'ok' | 'partial' | 'failed' | 'aborted';
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  host: string;
  pid: number;
  symbols_ok: Generated<number>;
  symbols_failed: Generated<number>;
  bars_fetched: Generated<number>;
  bars_inserted: Generated<number>;
  bars_updated: Generated<number>;
  bars_unchanged: Generated<number>;
  bars_rejected: Generated<number>;
  bars_flagged: Generated<number>;
  error: string | null;
}

export interface IngestRunSymbolsTable {
  run_id: number;
  symbol: string;
  status: 'ok' | 'failed';
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  flagged: number;
  first_ts: ColumnType<Date | null, Date | string | null, Date | string | null>;
  last_ts: ColumnType<Date | null, Date | string | null, Date | string | null>;
  notes: JSONColumnType<string[]>;
  error: string | null;
}

export interface IngestIssuesTable {
  id: Generated<number>;
  run_id: number;
  symbol: string;
  kind: 'rejected' | 'flagged';
  line: number | null;
  ts: string | null;
  reason: string;
}

export interface SweepsTable {
  id: Generated<number>;
  strategy: string;
  grid: JSONColumnType<Record<string, unknown>>;
  spec: JSONColumnType<Record<string, unknown>>;
  combinations: number;
  status: 'running' | 'done' | 'failed';
  error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Bar dates shared by the sweep's combinations (float64 bytes); null until the first is stored. */
  dates: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
}

export interface BacktestsTable {
  id: Generated<number>;
  sweep_id: number | null;
  strategy: string;
  params: JSONColumnType<Record<string, unknown>>;
  universe: string | null;
  symbols: JSONColumnType<string[]>;
  interval: string;
  period_from: Timestamp;
  period_to: Timestamp;
  engine: JSONColumnType<Record<string, unknown>>;
  costs: JSONColumnType<Record<string, unknown>>;
  benchmark: string | null;
  risk_free_rate: ColumnType<number, number | undefined, number>;
  risk_free_symbol: ColumnType<string | null, string | null | undefined, string | null>;
  metrics: JSONColumnType<Record<string, unknown>>;
  warnings: JSONColumnType<string[]>;
  data_fingerprint: string;
  /** The point-in-time data read besides prices (strategy-data.ts DataUsed); null for none. */
  data_used: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  code_version: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  role: ColumnType<'backtest' | 'simulation' | 'walk-forward', 'backtest' | 'simulation' | 'walk-forward' | undefined, never>;
  /** A sweep's combination: its position in the grid's order (unique within the sweep); null outside sweeps. */
  sweep_index: ColumnType<number | null, number | null | undefined, never>;
}

/** Combinations of a sweep that could not run, once each. */
export interface SweepFailuresTable {
  sweep_id: number;
  sweep_index: number;
  params: JSONColumnType<Record<string, unknown>>;
  error: string;
}

/** float64 series as little-endian bytes. */
export interface BacktestEquityTable {
  backtest_id: number;
  /** Null for a sweep's combination: its sweep's dates. */
  dates: Uint8Array | null;
  equity: Uint8Array;
  cash: Uint8Array | null;
  gross_exposure: Uint8Array | null;
  traded: Uint8Array | null;
}

export interface BacktestTradesTable {
  backtest_id: number;
  seq: number;
  symbol: string;
  direction: number;
  entry_ts: Timestamp;
  exit_ts: ColumnType<Date | null, Date | string | null, Date | string | null>;
  max_shares: number;
  entry_price: number;
  exit_price: number;
  pnl: number;
  fees: number;
  pnl_net: number;
  bars_held: number;
  open: boolean;
}

export interface GateResultsTable {
  id: Generated<number>;
  backtest_id: number;
  sweep_id: number | null;
  gate_set: string;
  thresholds: JSONColumnType<Record<string, unknown>>;
  passed: boolean;
  checks: JSONColumnType<unknown[]>;
  statistics: JSONColumnType<Record<string, unknown>>;
  evaluated_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SimulationsTable {
  id: Generated<number>;
  backtest_id: number;
  oos_backtest_id: number;
  gate_result_id: number | null;
  allowed_overlap: boolean;
  ignored_gates: boolean;
  comparison: JSONColumnType<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface WalkforwardsTable {
  id: Generated<number>;
  strategy: string;
  spec: JSONColumnType<Record<string, unknown>>;
  grid: JSONColumnType<Record<string, unknown>>;
  mode: 'rolling' | 'anchored';
  train_bars: number;
  test_bars: number;
  select_by: string;
  metrics: JSONColumnType<Record<string, unknown>>;
  dates: Uint8Array;
  equity: Uint8Array;
  data_fingerprint: string;
  code_version: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface WalkforwardWindowsTable {
  walkforward_id: number;
  seq: number;
  train_from: Timestamp;
  train_to: Timestamp;
  test_from: Timestamp;
  test_to: Timestamp;
  chosen_params: JSONColumnType<Record<string, unknown>>;
  in_sample: JSONColumnType<Record<string, unknown>>;
  out_of_sample: JSONColumnType<Record<string, unknown>>;
}

export interface TrialFamiliesTable {
  id: Generated<number>;
  family_key: string;
  kind: 'strategy' | 'selection';
  name: string;
  universe: string | null;
  symbols: JSONColumnType<string[]>;
  symbols_key: string;
  interval: string;
  period_from: string;
  period_to: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface TrialsTable {
  id: Generated<number>;
  family_id: number;
  config_key: string;
  strategy: string;
  config: JSONColumnType<Record<string, unknown>>;
  sharpe: number;
  observations: number;
  constant_returns: boolean;
  backtest_id: number | null;
  source: 'backtest' | 'sweep' | 'simulation' | 'walk-forward' | 'selection';
  runs: number;
  first_run_at: ColumnType<Date, Date | string | undefined, never>;
  last_run_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PortfoliosTable {
  id: Generated<number>;
  name: string;
  strategy: string;
  params: JSONColumnType<Record<string, unknown>>;
  universe: string | null;
  symbols: JSONColumnType<string[]>;
  interval: string;
  backtest_id: number | null;
  optimizer: 'none' | 'mpo';
  mode: 'lumpsum' | 'sip';
  amount: number;
  sip: JSONColumnType<Record<string, unknown> | null>;
  currency: string;
  lot_size: number;
  ignore_gates: boolean;
  gate_set: ColumnType<string, string | undefined, string>;
  max_data_age_days: number;
  costs: JSONColumnType<Record<string, unknown>>;
  dividends: ColumnType<'cash' | 'reinvest', 'cash' | 'reinvest' | undefined, 'cash' | 'reinvest'>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface PortfolioRebalancesTable {
  id: Generated<number>;
  portfolio_id: number;
  as_of: string;
  signal_date: string;
  data_as_of: Timestamp;
  next_rebalance: string | null;
  contribution: number;
  value: number;
  cash: number;
  turnover: number;
  costs: number;
  evidence: JSONColumnType<Record<string, unknown>>;
  warnings: JSONColumnType<string[]>;
  data_fingerprint: string;
  code_version: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface PortfolioHoldingsTable {
  rebalance_id: number;
  symbol: string;
  target_weight: number;
  weight: number;
  shares: number;
  price: number;
  value: number;
  score: number | null;
  reason: string;
}

export interface PortfolioOrdersTable {
  rebalance_id: number;
  seq: number;
  symbol: string;
  side: 'buy' | 'sell';
  shares: number;
  price: number;
  value: number;
  cost: number;
}

export interface CorporateActionsTable {
  symbol: string;
  ex_date: string;
  kind: 'split' | 'dividend';
  value: number;
  source: string;
  note: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** sql/019_fundamentals.sql; period_end is a date, read back as text by the store. */
export interface FundamentalsTable {
  symbol: string;
  field: string;
  period_end: ColumnType<string, string, string>;
  period_type: 'quarterly' | 'annual' | 'ttm';
  value: number;
  known_at: ColumnType<Date, Date | string, Date | string>;
  source: string;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
  flag: string | null;
}

/** sql/020_qualitative.sql */
export interface AnalystActionsTable {
  symbol: string;
  acted_at: ColumnType<Date, Date | string, Date | string>;
  firm: string;
  action: 'up' | 'down' | 'init' | 'main' | 'reit';
  from_grade: string | null;
  to_grade: string | null;
  source: string;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RecommendationTrendsTable {
  symbol: string;
  month: ColumnType<string, string, string>;
  strong_buy: number;
  buy: number;
  hold: number;
  sell: number;
  strong_sell: number;
  known_at: ColumnType<Date, Date | string, Date | string>;
  source: string;
}

export interface EarningsEventsTable {
  symbol: string;
  period_end: ColumnType<string, string, string>;
  eps_actual: number | null;
  eps_estimate: number | null;
  known_at: ColumnType<Date, Date | string, Date | string>;
  known_rule: 'reported' | 'lag';
  source: string;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface NewsHeadlinesTable {
  symbol: string;
  id: string;
  title: string;
  publisher: string;
  link: string;
  published_at: ColumnType<Date, Date | string, Date | string>;
  source: string;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PortfolioLedgerTable {
  portfolio_id: number;
  rebalance_id: number;
  symbol: string;
  ex_date: string;
  kind: 'split' | 'dividend';
  value: number;
  shares_before: number;
  shares_after: number;
  cash: number;
  price: number | null;
  note: string;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SubscribersTable {
  id: Generated<number>;
  portfolio_id: number;
  email: string;
  name: string | null;
  amount: number;
  currency: string;
  unsubscribe_token: string;
  /** YYYY-MM-DD: the day they (re)joined. */
  since: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  unsubscribed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

type OutboxStatusValue = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  kind: 'rebalance' | 'alert' | 'job-failure' | 'mail-refused';
  subscriber_id: number | null;
  sender: string;
  recipient: string;
  subject: string;
  message_id: string;
  /** The complete RFC 822 message (pg returns a Buffer, PGlite a Uint8Array). */
  raw: ColumnType<Uint8Array, Uint8Array, never>;
  status: ColumnType<OutboxStatusValue, 'queued' | undefined, OutboxStatusValue>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  claim_token: string | null;
  lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: string | null;
  destination: string | null;
  /** When the message's bytes began to go out under the current claim (null: not yet). */
  data_sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface JobRunsTable {
  id: Generated<number>;
  entry: string;
  job: string;
  scheduled_for: Timestamp;
  trigger: 'schedule' | 'catch-up' | 'manual';
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  attempt: ColumnType<number, number | undefined, number>;
  args: JSONColumnType<Record<string, unknown>>;
  counts: JSONColumnType<Record<string, number>>;
  notes: JSONColumnType<string[]>;
  error: string | null;
  host: string;
  pid: number;
  /** The runner process's start time (ticks since boot), to tell its death from a reused pid. */
  pid_start: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MonitorAlertsTable {
  id: Generated<number>;
  portfolio_id: number;
  rebalance_id: number | null;
  scope: 'portfolio' | 'position';
  symbol: string | null;
  threshold: number;
  drawdown: number;
  peak_date: string;
  peak_value: number;
  observed_at: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  recovered_at: string | null;
  resolution: 'recovered' | 'position-closed' | null;
  details: JSONColumnType<Record<string, unknown>>;
}

export interface MonitorSnapshotsTable {
  id: Generated<number>;
  portfolio_id: number;
  as_of: string;
  rebalance_id: number | null;
  last_bar_date: string | null;
  through: string | null;
  value: number;
  cash: number;
  drawdown: number;
  peak_date: string;
  peak_value: number;
  drift: number;
  data_age_days: number | null;
  stale_symbols: JSONColumnType<string[]>;
  positions: JSONColumnType<unknown[]>;
  details: JSONColumnType<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A running `momentum worker` (its heartbeat). */
export interface JobWorkersTable {
  id: string;
  host: string;
  pid: number;
  queues: JSONColumnType<string[]>;
  concurrency: number;
  started_at: ColumnType<Date, Date | string | undefined, never>;
  seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One queued job per (queue, portfolio, day). */
export interface PortfolioJobsTable {
  queue: string;
  portfolio: string;
  day: string;
  job_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** The jobs of the HTTP API v1 (sql/022_api_jobs.sql): one row per request, its status, progress and result. */
export interface ApiJobsTable {
  id: Generated<string>;
  kind: string;
  spec: JSONColumnType<Record<string, unknown>, string, string>;
  status: Generated<'queued' | 'running' | 'succeeded' | 'failed'>;
  progress: Generated<number>;
  message: string | null;
  result: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  error: string | null;
  runner: string | null;
  heartbeat_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  instruments: InstrumentsTable;
  bars: BarsTable;
  bar_series: BarSeriesTable;
  ingest_runs: IngestRunsTable;
  ingest_run_symbols: IngestRunSymbolsTable;
  ingest_issues: IngestIssuesTable;
  sweeps: SweepsTable;
  backtests: BacktestsTable;
  backtest_equity: BacktestEquityTable;
  backtest_trades: BacktestTradesTable;
  sweep_failures: SweepFailuresTable;
  gate_results: GateResultsTable;
  simulations: SimulationsTable;
  walkforwards: WalkforwardsTable;
  walkforward_windows: WalkforwardWindowsTable;
  trial_families: TrialFamiliesTable;
  trials: TrialsTable;
  portfolios: PortfoliosTable;
  portfolio_rebalances: PortfolioRebalancesTable;
  portfolio_holdings: PortfolioHoldingsTable;
  portfolio_orders: PortfolioOrdersTable;
  portfolio_ledger: PortfolioLedgerTable;
  corporate_actions: CorporateActionsTable;
  fundamentals: FundamentalsTable;
  analyst_actions: AnalystActionsTable;
  recommendation_trends: RecommendationTrendsTable;
  earnings_events: EarningsEventsTable;
  news_headlines: NewsHeadlinesTable;
  monitor_alerts: MonitorAlertsTable;
  monitor_snapshots: MonitorSnapshotsTable;
  job_runs: JobRunsTable;
  job_workers: JobWorkersTable;
  portfolio_jobs: PortfolioJobsTable;
  api_jobs: ApiJobsTable;
  subscribers: SubscribersTable;
  outbox: OutboxTable;
}
