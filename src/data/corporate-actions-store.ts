/**
 * The corporate_actions table (sql/008_corporate_actions.sql): upserted by ingest, read by the
 * portfolio ledger and `momentum data actions`. A derived event never replaces a sourced one.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { ActionKind, CorporateAction } from './corporate-action.js';

export interface ActionWriteCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/**
 * Stores events: new ones inserted, changed ones (a restated amount) updated, the same ones left
 * alone, so a re-ingest applies nothing twice.
 * @example await upsertActions(db, [{ symbol: 'AAPL', exDate: '2020-08-31', kind: 'split', value: 4, source: 'yahoo' }])
 */
export async function upsertActions(db: Database, actions: readonly CorporateAction[]): Promise<ActionWriteCounts> {
  if (actions.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  return actionCounts(actions, await upsertActionsQuery(db.kysely, actions).execute());
}

/** What upsertActionsQuery's returned rows say: one per event inserted or restated. */
export function actionCounts(actions: readonly CorporateAction[], rows: readonly { inserted: boolean }[]): ActionWriteCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted, unchanged: actions.length - rows.length };
}

/** upsertActions as a query, to run in a caller's transaction (`.compile()`, then actionCounts). */
export function upsertActionsQuery(kysely: Kysely<Schema>, actions: readonly CorporateAction[]) {
  return kysely
    .insertInto('corporate_actions')
    .values(
      actions.map((a) => ({ symbol: a.symbol, ex_date: a.exDate, kind: a.kind, value: a.value, source: a.source, note: a.note ?? null })),
    )
    .onConflict((oc) =>
      oc
        .columns(['symbol', 'ex_date', 'kind'])
        .doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          source: eb.ref('excluded.source'),
          note: eb.ref('excluded.note'),
          updated_at: sql<Date>`now()`,
        }))
        .where(
          sql<boolean>`(corporate_actions.value, corporate_actions.source, corporate_actions.note)
          is distinct from (excluded.value, excluded.source, excluded.note)`,
        )
        .where(sql<boolean>`(corporate_actions.source = 'derived' or excluded.source <> 'derived')`),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'));
}

/**
 * Events of the symbols with an ex-date after `after` and on or before `through` (YYYY-MM-DD; null: no
 * bound), in the order the ledger applies them: by date, a split before a dividend of the same day.
 */
export async function loadActions(
  db: Database,
  symbols: readonly string[],
  after: string | null,
  through: string | null,
): Promise<CorporateAction[]> {
  if (symbols.length === 0) return [];
  let query = db.kysely
    .selectFrom('corporate_actions')
    .selectAll()
    .where('symbol', 'in', [...symbols]);
  if (after !== null) query = query.where('ex_date', '>', after);
  if (through !== null) query = query.where('ex_date', '<=', through);
  const rows = await query.orderBy('ex_date').orderBy('symbol').execute();
  return rows.map(actionOf).sort(byDateThenKind);
}

/** Every stored event of one symbol, oldest first. */
export async function listActions(db: Database, symbol: string): Promise<CorporateAction[]> {
  return loadActions(db, [symbol], null, null);
}

const KIND_ORDER: Readonly<Record<ActionKind, number>> = { split: 0, dividend: 1 };

export function byDateThenKind(a: CorporateAction, b: CorporateAction): number {
  if (a.exDate !== b.exDate) return a.exDate < b.exDate ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

function actionOf(row: {
  symbol: string;
  ex_date: string;
  kind: ActionKind;
  value: number;
  source: string;
  note: string | null;
}): CorporateAction {
  return { symbol: row.symbol, exDate: row.ex_date, kind: row.kind, value: row.value, source: row.source, note: row.note };
}
