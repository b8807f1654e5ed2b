/**
 * The monitor's reads and writes: portfolios with their rebalances and holdings, the bars since,
 * the alert state (open episodes and the watermark), and the stored alerts and snapshots.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { dateToTs, formatBarTime, MS_PER_DAY, parseInterval, type Interval } from '../data/bar.js';
import { loadPanel } from '../data/panel.js';
import type { Database } from '../db/database.js';
import type { MonitorAlertsTable, Schema } from '../db/schema.js';
import { DataError } from '../errors.js';
import type { AlertDraft, AlertEnding, AlertScope, OpenAlert } from './alert-plan.js';
import type { Resolution } from './alert-episodes.js';
import { heldRebalances, portfolioRow, portfolioRows } from '../portfolio/portfolio-store.js';
import type { MonitoredPortfolio, PortfolioMonitorState } from './portfolio-state.js';
import type { MonitoredRebalance, PriceTable } from './value-path.js';

type Executor = Kysely<Schema> | Transaction<Schema>;

export interface PortfolioRow extends MonitoredPortfolio {
  readonly params: Record<string, unknown>;
  readonly symbols: readonly string[];
  /** The portfolio's own limit on data age (days), the default for calling a symbol's data stale. */
  readonly maxDataAgeDays: number | null;
}

/** A stored alert, as the lead's emails and `momentum alerts` read it. */
export interface MonitorAlert {
  readonly id: number;
  readonly portfolioId: number;
  readonly portfolio: string;
  /** The rebalance whose holdings were held at the observed bar. */
  readonly rebalanceId: number | null;
  readonly scope: AlertScope;
  /** The position's symbol; null for the whole portfolio. */
  readonly symbol: string | null;
  /** The threshold crossed, a negative fraction (-0.1 = 10% below the peak). */
  readonly threshold: number;
  /** The drawdown at the observed bar, a negative fraction at or below the threshold. */
  readonly drawdown: number;
  readonly peakDate: string;
  /** Portfolio: its money value at the peak; position: its price level at the peak. */
  readonly peakValue: number;
  /** The bar date the threshold was crossed. */
  readonly observedAt: string;
  readonly createdAt: Date;
  /** The bar date the episode ended (null: still open), and how. */
  readonly recoveredAt: string | null;
  readonly resolution: Resolution | null;
  /** Portfolio: { value, index, peakIndex }; position: { price, entryDate, entryPrice }. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Every portfolio, or the one named (a NotFoundError naming the ones that exist when it does not). */
export async function selectPortfolios(db: Database, name?: string): Promise<PortfolioRow[]> {
  const rows = name === undefined ? await portfolioRows(db, { order: 'name' }) : [await portfolioRow(db, name)];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    strategy: r.strategy,
    params: r.params,
    symbols: r.symbols,
    interval: parseInterval(r.interval, `portfolios.${r.name}.interval`),
    currency: r.currency,
    maxDataAgeDays: r.maxDataAgeDays ?? null,
    dividends: r.dividends,
  }));
}

/** The portfolio's rebalances on or before `asOf` with their holdings, oldest first; a held symbol needs a price. */
export async function loadRebalances(db: Database, portfolioId: number, asOf: string): Promise<MonitoredRebalance[]> {
  return (await heldRebalances(db, portfolioId, asOf)).map((r) => {
    for (const h of r.holdings) {
      if (!Number.isFinite(h.shares) || (h.shares !== 0 && !(h.price > 0))) {
        throw new DataError(
          `rebalance ${r.id} (${r.asOf}) holds ${h.shares} ${h.symbol} at price ${h.price}: a held symbol needs a price above 0`,
        );
      }
    }
    return r;
  });
}

/**
 * Raw and adjusted closes of the symbols from a few days before `from` (the bar each rebalance
 * was priced at, for the adjustment factor) to the end of `asOf`; an empty table when there are none.
 */
export async function loadPrices(
  db: Database,
  symbols: readonly string[],
  interval: Interval,
  from: string,
  asOf: string,
): Promise<PriceTable> {
  const empty: PriceTable = {
    dates: new Float64Array(0),
    symbols,
    close: symbols.map(() => new Float64Array(0)),
    adjClose: symbols.map(() => new Float64Array(0)),
  };
  if (symbols.length === 0) return empty;
  try {
    const panel = await loadPanel(db, {
      symbols,
      interval,
      from: dateToTs(from) - 10 * MS_PER_DAY,
      to: dateToTs(asOf) + MS_PER_DAY - 1,
      field: ['close', 'adj_close'],
    });
    return { dates: panel.dates, symbols: panel.symbols, close: panel.values.close, adjClose: panel.values.adj_close };
  } catch (error) {
    if (error instanceof DataError) return empty; // no bars in the range: every holding keeps its rebalance price
    throw error;
  }
}

/** The open episodes and the watermark (the last bar already applied to them; null: never monitored). */
export async function readAlertState(trx: Executor, portfolioId: number): Promise<{ open: OpenAlert[]; through: string | null }> {
  const open = await trx
    .selectFrom('monitor_alerts')
    .select(['id', 'scope', 'symbol', 'threshold', 'observed_at'])
    .where('portfolio_id', '=', portfolioId)
    .where('recovered_at', 'is', null)
    .execute();
  const mark = await trx
    .selectFrom('monitor_snapshots')
    .select((eb) => eb.fn.max('through').as('through'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirst();
  return {
    open: open.map((a) => ({ id: Number(a.id), scope: a.scope, symbol: a.symbol, threshold: a.threshold, observedAt: a.observed_at })),
    through: (mark?.through as string | null | undefined) ?? null,
  };
}

export async function insertAlerts(trx: Executor, portfolio: PortfolioRow, drafts: readonly AlertDraft[]): Promise<MonitorAlert[]> {
  if (drafts.length === 0) return [];
  const rows = await trx
    .insertInto('monitor_alerts')
    .values(
      drafts.map((d) => ({
        portfolio_id: portfolio.id,
        rebalance_id: d.rebalanceId,
        scope: d.scope,
        symbol: d.symbol,
        threshold: d.threshold,
        drawdown: d.drawdown,
        peak_date: d.peakDate,
        peak_value: d.peakValue,
        observed_at: d.observedAt,
        recovered_at: d.recoveredAt,
        resolution: d.resolution,
        details: JSON.stringify(d.details),
      })),
    )
    .returningAll()
    .execute();
  return rows.map((row) => alertOf(row, portfolio.name)).sort((a, b) => a.id - b.id);
}

export async function endAlerts(trx: Executor, endings: readonly AlertEnding[]): Promise<void> {
  for (const e of endings) {
    await trx
      .updateTable('monitor_alerts')
      .set({ recovered_at: e.recoveredAt, resolution: e.resolution })
      .where('id', '=', e.id)
      .where('recovered_at', 'is', null)
      .execute();
  }
}

/** One snapshot per portfolio and as-of date: a re-run updates it, and never moves the watermark back. */
export async function upsertSnapshot(trx: Executor, state: PortfolioMonitorState, through: string | null): Promise<void> {
  const row = {
    portfolio_id: state.portfolioId,
    as_of: state.asOf,
    rebalance_id: state.rebalanceId,
    last_bar_date: state.lastBarDate,
    through,
    value: state.value,
    cash: state.cash,
    drawdown: state.drawdown,
    peak_date: state.peakDate,
    peak_value: state.peakValue,
    drift: state.drift.total,
    data_age_days: state.data.ageDays,
    stale_symbols: JSON.stringify(state.data.staleSymbols),
    positions: JSON.stringify(state.positions),
    details: JSON.stringify({
      index: state.index,
      maxDrawdown: state.maxDrawdown,
      returnSinceRebalance: state.returnSinceRebalance,
      missingSymbols: state.data.missingSymbols,
      exitSignals: state.exitSignals,
      warnings: state.warnings,
    }),
  };
  await trx
    .insertInto('monitor_snapshots')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['portfolio_id', 'as_of']).doUpdateSet((eb) => ({
        rebalance_id: eb.ref('excluded.rebalance_id'),
        last_bar_date: eb.ref('excluded.last_bar_date'),
        through: sql<string | null>`greatest(monitor_snapshots.through, excluded.through)`,
        value: eb.ref('excluded.value'),
        cash: eb.ref('excluded.cash'),
        drawdown: eb.ref('excluded.drawdown'),
        peak_date: eb.ref('excluded.peak_date'),
        peak_value: eb.ref('excluded.peak_value'),
        drift: eb.ref('excluded.drift'),
        data_age_days: eb.ref('excluded.data_age_days'),
        stale_symbols: eb.ref('excluded.stale_symbols'),
        positions: eb.ref('excluded.positions'),
        details: eb.ref('excluded.details'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

export interface AlertQuery {
  /** Only this portfolio's alerts. */
  readonly portfolio?: string | undefined;
  /** Only episodes still open. */
  readonly open?: boolean | undefined;
  /** Newest first, at most this many (default 100). */
  readonly limit?: number | undefined;
}

/**
 * Stored alerts, newest observation first.
 * @example await listAlerts(db, { portfolio: 'core', open: true })
 */
export async function listAlerts(db: Database, query: AlertQuery = {}): Promise<MonitorAlert[]> {
  if (query.portfolio !== undefined) await selectPortfolios(db, query.portfolio);
  let select = db.kysely
    .selectFrom('monitor_alerts')
    .innerJoin('portfolios', 'portfolios.id', 'monitor_alerts.portfolio_id')
    .selectAll('monitor_alerts')
    .select('portfolios.name as portfolio_name');
  if (query.portfolio !== undefined) select = select.where('portfolios.name', '=', query.portfolio.trim());
  if (query.open) select = select.where('monitor_alerts.recovered_at', 'is', null);
  const rows = await select
    .orderBy('monitor_alerts.observed_at', 'desc')
    .orderBy('monitor_alerts.id', 'desc')
    .limit(query.limit ?? 100)
    .execute();
  return rows.map((row) => alertOf(row, row.portfolio_name));
}

function alertOf(row: Selectable<MonitorAlertsTable>, portfolio: string): MonitorAlert {
  return {
    id: Number(row.id),
    portfolioId: Number(row.portfolio_id),
    portfolio,
    rebalanceId: row.rebalance_id === null ? null : Number(row.rebalance_id),
    scope: row.scope,
    symbol: row.symbol,
    threshold: row.threshold,
    drawdown: row.drawdown,
    peakDate: row.peak_date,
    peakValue: row.peak_value,
    observedAt: row.observed_at,
    createdAt: row.created_at,
    recoveredAt: row.recovered_at,
    resolution: row.resolution,
    details: row.details,
  };
}

/** The bar date text of a path time (the watermark's format). */
export function barDateOf(ts: number, interval: Interval): string {
  return formatBarTime(ts, interval);
}
