import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float8ArrayFromSend } from '../../src/util/float-bytes.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe(`float8 arrays in binary form (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  const sent = async (values: readonly number[]) => {
    // Each value goes in as its exact decimal text (toString round-trips a double).
    const array = `{${values.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(',')}}`;
    const { rows } = await sql<{ b: string }>`select encode(array_send(${array}::float8[]), 'base64') as b`.execute(db.kysely);
    return float8ArrayFromSend(rows[0]!.b);
  };

  it('gives back every double exactly, the awkward ones included', async () => {
    const values = [1 / 3, 0.1 + 0.2, 123.45, 1e-300, 5e-324, 1.7976931348623157e308, -2.5, -0, 0, 946857600000, 2 ** 53 + 2];
    expect(Array.from(await sent(values))).toEqual(values);
  });

  it('reads a long array (many base64 lines) and an empty one', async () => {
    const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1000);
    expect(Array.from(await sent(values))).toEqual(values);
    expect(Array.from(await sent([]))).toEqual([]);
  });

  it('refuses an array with nulls rather than inventing a value', async () => {
    const { rows } = await sql<{ b: string }>`select encode(array_send('{1,NULL}'::float8[]), 'base64') as b`.execute(db.kysely);
    expect(() => float8ArrayFromSend(rows[0]!.b)).toThrow(/without nulls/);
  });
});
