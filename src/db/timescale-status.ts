/**
 * What TimescaleDB does for the price store on this database: `momentum db status` prints it.
 * Every query is guarded, so that plain PostgreSQL and PGlite (no such catalog) answer too.
 */
import { sql } from 'kysely';
import { ValidationError } from '../errors.js';
import { aggregateState, type AggregateState } from './continuous-aggregates.js';
import type { Database } from './database.js';

export interface TimescaleStatus {
  /** 'absent': not installed; 'not preloaded': files installed, the server does not load it; 'enabled': bars is a hypertable. */
  readonly state: 'absent' | 'not preloaded' | 'installed, bars a plain table' | 'enabled';
  readonly version: string | null;
  /** `timescale` (every feature) or `apache` (no compression, no continuous aggregates). */
  readonly license: string | null;
  readonly chunks: number;
  readonly compressedChunks: number;
  /** Bytes of the compressed chunks before and after compression. */
  readonly beforeBytes: number;
  readonly afterBytes: number;
  /** The compression policy's age (PostgreSQL's interval text, e.g. '2 years'); null without a policy. */
  readonly compressAfter: string | null;
  /** The chunk interval of `bars` (interval text, e.g. '365 days'). */
  readonly chunkInterval: string | null;
  /** Weekly and monthly bars' continuous aggregates (none on the Apache build). */
  readonly aggregates: readonly ({ readonly view: string } & AggregateState)[];
}

/** @example describeTimescale(await timescaleStatus(db)) // "TimescaleDB 2.28.3 (timescale licence): bars a hypertable, ..." */
export async function timescaleStatus(db: Database): Promise<TimescaleStatus> {
  const none = {
    version: null,
    license: null,
    chunks: 0,
    compressedChunks: 0,
    beforeBytes: 0,
    afterBytes: 0,
    compressAfter: null,
    chunkInterval: null,
    aggregates: [],
  };
  if (db.engine !== 'postgres') return { state: 'absent', ...none };
  const { rows } = await sql<{ available: boolean; version: string | null; loaded: string | null; license: string | null }>`
    select exists (select 1 from pg_available_extensions where name = 'timescaledb') as available,
      (select extversion from pg_extension where extname = 'timescaledb') as version,
      current_setting('timescaledb.max_background_workers', true) as loaded,
      current_setting('timescaledb.license', true) as license`.execute(db.kysely);
  const { available, version, loaded, license } = rows[0]!;
  if (!available) return { state: 'absent', ...none };
  if (loaded === null) return { state: 'not preloaded', ...none };
  if (version === null) return { state: 'installed, bars a plain table', ...none, license };
  const { rows: hypertables } = await sql<{ n: number }>`
    select count(*)::int as n from timescaledb_information.hypertables where hypertable_name = 'bars'`.execute(db.kysely);
  if (hypertables[0]!.n === 0) return { state: 'installed, bars a plain table', ...none, version, license };
  const { rows: chunks } = await sql<{ chunks: number; compressed: number; before: number | null; after: number | null }>`
    select (select count(*)::int from show_chunks('bars')) as chunks,
      count(*) filter (where compression_status = 'Compressed')::int as compressed,
      sum(before_compression_total_bytes)::float8 as before, sum(after_compression_total_bytes)::float8 as after
    from chunk_compression_stats('bars')`.execute(db.kysely);
  const c = chunks[0]!;
  const { rows: policy } = await sql<{ after: string | null }>`
    select (config ->> 'compress_after') as after from timescaledb_information.jobs
    where hypertable_name = 'bars' and proc_name = 'policy_compression'`.execute(db.kysely);
  const { rows: dimension } = await sql<{ chunk: string | null }>`
    select time_interval::text as chunk from timescaledb_information.dimensions where hypertable_name = 'bars'`.execute(db.kysely);
  const aggregates = [];
  for (const view of AGGREGATE_VIEWS) {
    const state = await aggregateState(db, view);
    if (state) aggregates.push({ view, ...state });
  }
  return {
    state: 'enabled',
    version,
    license,
    chunks: c.chunks,
    compressedChunks: c.compressed,
    beforeBytes: c.before ?? 0,
    afterBytes: c.after ?? 0,
    compressAfter: policy[0]?.after ?? null,
    chunkInterval: dimension[0]?.chunk ?? null,
    aggregates,
  };
}

const AGGREGATE_VIEWS = ['bars_1wk', 'bars_1mo'];

/** One line for `db status`. */
export function describeTimescale(status: TimescaleStatus): string {
  switch (status.state) {
    case 'absent':
      return 'TimescaleDB: not on this server (bars are a plain table)';
    case 'not preloaded':
      return "TimescaleDB: installed but not preloaded (add shared_preload_libraries = 'timescaledb' and restart to use it; bars are a plain table)";
    case 'installed, bars a plain table':
      return `TimescaleDB ${status.version ?? '(extension not created)'}: bars are a plain table (created before TimescaleDB was enabled)`;
    case 'enabled': {
      const chunks = status.chunkInterval ? ` of ${status.chunkInterval}` : '';
      if (status.license !== 'timescale')
        return `TimescaleDB ${status.version} (${status.license} licence): bars a hypertable (${status.chunks} chunks${chunks}); this build has no compression and no continuous aggregates, so bars stay uncompressed and weekly and monthly bars are computed by query`;
      const ratio = status.afterBytes > 0 ? `, ${(status.beforeBytes / status.afterBytes).toFixed(1)}x smaller` : '';
      const policy = status.compressAfter ? ` (policy: chunks older than ${status.compressAfter})` : '';
      return `TimescaleDB ${status.version} (${status.license} licence): bars a hypertable, ${status.compressedChunks} of ${status.chunks} chunks${chunks} compressed${ratio}${policy}; ${describeAggregates(status.aggregates)}`;
    }
  }
}

/**
 * Sets the age after which TimescaleDB's policy compresses chunks of bars (`momentum db
 * compress-after`); `age` is PostgreSQL interval text ('18 months', '1 year'). TimescaleDB only.
 */
export async function setCompressionAge(db: Database, age: string): Promise<string> {
  const status = await timescaleStatus(db);
  if (status.state !== 'enabled' || status.license === 'apache') {
    throw new ValidationError('age', `${describeTimescale(status)}: there is no compression policy to set here`);
  }
  const parsed = await sql<{ age: string }>`select ${age}::interval::text as age`.execute(db.kysely).catch(() => undefined);
  const text = parsed?.rows[0]?.age;
  if (!text || text.startsWith('-') || text === '00:00:00') {
    throw new ValidationError('age', `${JSON.stringify(age)} is not a positive interval; e.g. '18 months' or '2 years'`);
  }
  await db.kysely.transaction().execute(async (trx) => {
    await sql`select remove_compression_policy('bars', if_exists => true)`.execute(trx);
    await sql`select add_compression_policy('bars', compress_after => ${text}::interval)`.execute(trx);
  });
  return text;
}

function describeAggregates(aggregates: TimescaleStatus['aggregates']): string {
  if (aggregates.length === 0) return 'no continuous aggregates (weekly and monthly bars computed by query)';
  return aggregates
    .map(({ view, materialisedUntil, stale }) => {
      const through =
        materialisedUntil === null
          ? 'not materialised yet'
          : `materialised up to ${new Date(materialisedUntil).toISOString().slice(0, 10)}`;
      return `${view} ${through}${stale ? ', restated bars waiting for a refresh' : ''}`;
    })
    .join(', ');
}
