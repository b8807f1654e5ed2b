/** Table types for Kysely, one interface per table in sql/. Column names follow the SQL (snake_case). */
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

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  instruments: InstrumentsTable;
  bars: BarsTable;
  ingest_runs: IngestRunsTable;
  ingest_run_symbols: IngestRunSymbolsTable;
  ingest_issues: IngestIssuesTable;
}
