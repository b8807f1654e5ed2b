/**
 * The embedded database served on a Unix socket (embedded-server.ts) to real `pg` clients, with the
 * owner's own queries taking turns with them: a transaction never sees another client's statement,
 * a client that leaves in the middle of a transaction is rolled back, concurrent extended-protocol
 * queries keep their own parameters, COPY FROM STDIN works, and the socket is private.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PGliteDialect, sql } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveEmbedded, type EmbeddedServer } from '../../src/db/embedded-server.js';
import { createTurnLock } from '../../src/db/turn-lock.js';
import { turnTakingDialect } from '../../src/db/turn-taking-dialect.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

describe('the embedded database served to other processes', () => {
  let dir: string;
  let pglite: PGlite;
  let server: EmbeddedServer;
  let owner: Kysely<{ t: { v: string } }>;
  const clients: pg.Client[] = [];
  const errors: string[] = [];

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ host: dir, port: 5432, user: 'postgres', database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }
  const rows = async () => (await sql<{ v: string }>`select v from t order by v`.execute(owner)).rows.map((r) => r.v);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-serve-'));
    pglite = await PGlite.create('memory://');
    const turns = createTurnLock();
    server = await serveEmbedded(pglite, join(dir, '.s.PGSQL.5432'), turns, (text) => errors.push(text));
    owner = new Kysely({ dialect: turnTakingDialect(new PGliteDialect({ pglite }), turns) });
    await sql`create table t (v text)`.execute(owner);
  });
  beforeEach(async () => {
    await sql`delete from t`.execute(owner);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await server?.close();
    await owner?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves on a socket only its owner can open', () => {
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
  });

  it("runs a transaction as one turn: another client's statement and the owner's wait for its end", async () => {
    const [a, b] = [await client(), await client()];
    await a.query('begin');
    await a.query(`insert into t values ('a')`);
    const fromB = b.query(`insert into t values ('b')`);
    const fromOwner = sql`insert into t values ('owner')`.execute(owner);
    await waitFor(() => server.waiting === 1, EVENTUALLY, "b's statement to queue behind a's transaction");
    await a.query('rollback');
    await Promise.all([fromB, fromOwner]);
    // Interleaved, b's insert would have joined a's transaction and been rolled back with it.
    expect(await rows()).toEqual(['b', 'owner']);
  });

  it('keeps each client its own parameters through concurrent extended-protocol queries', async () => {
    // One connection each, its queries queued by the pool: the server sees two clients pipelining.
    const [a, b] = [new pg.Pool({ host: dir, max: 1 }), new pg.Pool({ host: dir, max: 1 })];
    const ask = (who: pg.Pool | 'owner', i: number) =>
      who === 'owner'
        ? sql<{ v: string }>`select ${`owner ${i}`}::text as v`.execute(owner).then((r) => r.rows[0]!.v)
        : who.query<{ v: string }>('select $1::text as v', [`${who === a ? 'a' : 'b'} ${i}`]).then((r) => r.rows[0]!.v);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => ask([a, b, 'owner' as const][i % 3]!, i)));
    expect(answers).toEqual(Array.from({ length: 60 }, (_, i) => `${['a', 'b', 'owner'][i % 3]} ${i}`));
    await Promise.all([a.end(), b.end()]);
  });

  it('rolls back the transaction of a client that goes away, and serves the others on', async () => {
    const leaving = await client();
    await leaving.query('begin');
    await leaving.query(`insert into t values ('left behind')`);
    const waitingOwner = sql`insert into t values ('owner')`.execute(owner);
    await leaving.end();
    await waitingOwner;
    expect(await rows()).toEqual(['owner']);
    const other = await client();
    expect((await other.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
  });

  it('takes COPY FROM STDIN from a client, and a failing COPY leaves the session usable', async () => {
    const c = await client();
    await pipeline(Readable.from(['x\n', 'y\n']), c.query(copyStreams.from('copy t (v) from stdin')));
    expect(await rows()).toEqual(['x', 'y']);
    await expect(pipeline(Readable.from(['z\n']), c.query(copyStreams.from('copy missing (v) from stdin')))).rejects.toThrow(
      /relation "missing" does not exist/,
    );
    await expect(c.query({ name: 'prepared-copy', text: 'copy t (v) from stdin' })).rejects.toThrow(/simple query only/);
    expect((await c.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
    expect(errors).toEqual([]);
  });

  it('stops: removes its socket, ends its clients, and waits for the turn in progress', async () => {
    const c = await client();
    await c.query('begin');
    await c.query(`insert into t values ('last')`);
    const closing = server.close();
    await c.query('commit');
    await closing;
    expect(existsSync(server.path)).toBe(false);
    await expect(c.query('select 1')).rejects.toThrow();
    expect((await sql<{ v: string }>`select v from t`.execute(owner)).rows).toEqual([{ v: 'last' }]);
  });
});
