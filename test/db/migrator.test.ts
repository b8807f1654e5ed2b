import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations, defaultMigrationsDir } from '../../src/db/migrator.js';
import type { ScriptRunner } from '../../src/db/script-transaction.js';
import { DatabaseError } from '../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe(`migrations (${engineName})`, () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-sql-'));
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    db = await openTestDatabase({ migrationsDir: dir });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applied every migration in sql/ on open and recorded each with its checksum', async () => {
    const rows = await db.kysely.selectFrom('schema_migrations').select(['version', 'name', 'checksum']).orderBy('version').execute();
    expect(rows).toEqual(readMigrations(dir).map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })));
    const tables = await db.kysely.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['instruments', 'bars', 'ingest_runs', 'ingest_run_symbols', 'ingest_issues']),
    );
  });

  it('is idempotent: a second run applies nothing', async () => {
    const result = await migrate(db, dir);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toBe(readMigrations(dir).length);
  });

  it('checks an up-to-date database with one query, taking no lock (every command opens the database)', async () => {
    const statements: string[] = [];
    const watched: ScriptRunner = {
      scriptTransaction: (work) =>
        db.scriptTransaction((tx) =>
          work({
            exec: (script) => (statements.push(script), tx.exec(script)),
            query: (text, params) => (statements.push(text), tx.query(text, params)),
            execute: (text, params) => (statements.push(text), tx.execute(text, params)),
            copyFrom: (table, columns, data) => (statements.push(`copy ${table}`), tx.copyFrom(table, columns, data)),
          }),
        ),
    };
    expect((await migrate(watched, dir)).applied).toEqual([]);
    expect(statements).toEqual(['select version, name, checksum from schema_migrations order by version']);
  });

  it('applies a new numbered migration, in order, once', async () => {
    writeFileSync(join(dir, '900_extra.sql'), 'create table extra_a (id int);\ncreate table extra_b (id int);\n');
    const first = await migrate(db, dir);
    expect(first.applied.map((m) => m.name)).toEqual(['900_extra.sql']);
    expect((await migrate(db, dir)).applied).toEqual([]);
  });

  it('rolls back a failing migration entirely and names it', async () => {
    writeFileSync(join(dir, '901_broken.sql'), 'create table half_done (id int);\nselect no_such_function();\n');
    await expect(migrate(db, dir)).rejects.toThrow(/migration 901_broken.sql failed: .*no_such_function/);
    const tables = (await db.kysely.introspection.getTables()).map((t) => t.name);
    expect(tables).not.toContain('half_done');
    rmSync(join(dir, '901_broken.sql'));
  });

  // The first texts, as databases created before each amendment recorded them.
  for (const [version, name, before, why] of [
    [1, '001_price_store.sql', '7edf91413d43dd305e9a6bb5ef1fa6e795bd0b06a88e93dc857aea98ec844d54', 'the TimescaleDB guard'],
    [
      16,
      '016_bars_compression.sql',
      'ccd17d6786661146f0b3df86390e2d8eff764ae002e3c654d743e6b707bf0959',
      "no compression on TimescaleDB's Apache build",
    ],
  ] as const) {
    it(`accepts the text an amended migration had before (${name}: ${why}), and only that`, async () => {
      const amended = readMigrations(dir).find((m) => m.version === version)!;
      expect(amended.name).toBe(name);
      const setApplied = (checksum: string) =>
        db.kysely.updateTable('schema_migrations').set({ checksum }).where('version', '=', version).execute();
      try {
        await setApplied(before);
        expect((await migrate(db, dir)).applied).toEqual([]);
        await setApplied('0'.repeat(64));
        await expect(migrate(db, dir)).rejects.toThrow(new RegExp(`${name} was edited after it was applied`));
      } finally {
        await setApplied(amended.checksum);
      }
    });
  }

  it('refuses to run when an applied migration file was edited', async () => {
    appendFileSync(join(dir, '900_extra.sql'), '-- an innocent-looking edit\n');
    await expect(migrate(db, dir)).rejects.toThrow(DatabaseError);
    await expect(migrate(db, dir)).rejects.toThrow(/900_extra.sql was edited after it was applied .*new numbered migration/);
  });

  it('refuses to run when an applied migration file is missing', async () => {
    rmSync(join(dir, '900_extra.sql'));
    await expect(migrate(db, dir)).rejects.toThrow(/900_extra.sql was applied to this database but is missing from sql\//);
  });

  it('refuses badly named files', () => {
    const bad = mkdtempSync(join(tmpdir(), 'momentum-sql-bad-'));
    writeFileSync(join(bad, 'init.sql'), 'select 1;');
    expect(() => readMigrations(bad)).toThrow(/init.sql .* is not named NNN_name.sql/);
    rmSync(bad, { recursive: true });
  });
});
