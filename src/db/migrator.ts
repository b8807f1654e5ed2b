/**
 * Applies the numbered plain-SQL migrations in sql/ (`001_name.sql`, `002_name.sql`, ...) in order,
 * each recorded in `schema_migrations` with a SHA-256 checksum. Re-running is a no-op. A migration
 * whose file changed after it was applied, or went missing, stops everything with an explanation:
 * the fix is a new numbered migration, never an edit. On PostgreSQL an advisory lock makes
 * concurrent starts (two service replicas) apply each migration once.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import type { Kysely } from 'kysely';
import type { Schema } from './schema.js';
import type { ScriptRunner } from './script-transaction.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly sql: string;
}

export interface MigrationResult {
  readonly applied: readonly Migration[];
  readonly alreadyApplied: number;
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_-]+)\.sql$/;

/**
 * Migrations amended in place, with the checksums they had before: a database that applied an
 * earlier text is as migrated as one that applied today's. Only for a change that cannot matter to
 * a database where the migration already ran (a guard that only decides whether a fresh database
 * can be created); everything else is a new numbered migration.
 */
const AMENDED: Readonly<Record<string, readonly string[]>> = {
  // 2026-12-06: TimescaleDB enabled only when the server preloads it. On a server with its files
  // installed but not preloaded, the first text failed outright: no database had applied it there.
  '001_price_store.sql': ['7edf91413d43dd305e9a6bb5ef1fa6e795bd0b06a88e93dc857aea98ec844d54'],
  // 2026-12-06: no compression on TimescaleDB's Apache build (the first text failed there).
  '016_bars_compression.sql': ['ccd17d6786661146f0b3df86390e2d8eff764ae002e3c654d743e6b707bf0959'],
};

/** The applied checksum is this file's, or one it had before an amendment (AMENDED). */
function sameMigration(file: Migration, appliedChecksum: string): boolean {
  return file.checksum === appliedChecksum || (AMENDED[file.name] ?? []).includes(appliedChecksum);
}
/** Any fixed number: the key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_340_221;

/** The project's sql/ folder. */
export function defaultMigrationsDir(): string {
  return join(packageRoot(), 'sql');
}

export function readMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new DatabaseError(`migration file ${file} in ${dir} is not named NNN_name.sql (lower-case name)`);
      const sql = readFileSync(join(dir, file), 'utf8').replace(/\r\n/g, '\n');
      return { version: Number(match[1]), name: file, checksum: sha256(sql), sql };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new DatabaseError(
        `two migrations share number ${migrations[i]!.version}: ${migrations[i - 1]!.name} and ${migrations[i]!.name}`,
      );
    }
  }
  return migrations;
}

/** @example const { applied } = await migrate(db); */
export async function migrate(database: ScriptRunner, dir?: string): Promise<MigrationResult> {
  const migrations = readMigrations(dir);
  // Every command opens the database: when all is applied (nearly always), one query says so.
  const recorded = await recordedMigrations(database);
  if (recorded && recorded.length === migrations.length) {
    checkRecorded(recorded, migrations);
    return { applied: [], alreadyApplied: recorded.length };
  }
  return database.scriptTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists schema_migrations (
      version integer primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now())`);
    const recorded = await tx.query<RecordedMigration>('select version, name, checksum from schema_migrations order by version');
    checkRecorded(recorded, migrations);
    const done = new Set(recorded.map((r) => r.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const migration of pending) {
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new DatabaseError(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return { applied: pending, alreadyApplied: recorded.length };
  });
}

/**
 * Each migration file with its state in this database: applied, pending, or edited after applying
 * (its checksum differs from the recorded one). Every file is pending before the first migration.
 */
export async function migrationStatus(
  database: { readonly kysely: Kysely<Schema> },
  dir?: string,
): Promise<{ migration: string; state: 'applied' | 'pending' | 'EDITED after applying'; applied_at: string | null }[]> {
  const applied = await database.kysely
    .selectFrom('schema_migrations')
    .select(['version', 'checksum', 'applied_at'])
    .execute()
    .catch(() => []);
  const byVersion = new Map(applied.map((row) => [row.version, row]));
  return readMigrations(dir).map((m) => {
    const row = byVersion.get(m.version);
    const state = !row ? 'pending' : sameMigration(m, row.checksum) ? 'applied' : 'EDITED after applying';
    return { migration: m.name, state, applied_at: row ? row.applied_at.toISOString() : null };
  });
}

type RecordedMigration = { version: number; name: string; checksum: string };

/** What schema_migrations holds, or undefined before the first migration (no table yet). */
async function recordedMigrations(database: ScriptRunner): Promise<RecordedMigration[] | undefined> {
  try {
    return await database.scriptTransaction((tx) =>
      tx.query<RecordedMigration>('select version, name, checksum from schema_migrations order by version'),
    );
  } catch {
    return undefined;
  }
}

function checkRecorded(recorded: readonly RecordedMigration[], files: readonly Migration[]): void {
  const byVersion = new Map(files.map((m) => [m.version, m]));
  for (const row of recorded) {
    const file = byVersion.get(row.version);
    if (!file) {
      throw new DatabaseError(
        `migration ${row.name} was applied to this database but is missing from sql/; restore the file (migrations are never deleted)`,
      );
    }
    if (!sameMigration(file, row.checksum)) {
      throw new DatabaseError(
        `migration ${file.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)} applied, ${file.checksum.slice(0, 12)} on disk); restore the original and put the change in a new numbered migration`,
      );
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
