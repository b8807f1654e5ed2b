/**
 * What the web pages show, read with the stores' own queries (no SQL here): the stored data at a
 * glance, the strategies of the registry, a job and what it made.
 */
import { getBacktest, listBacktests } from '../../backtest/backtest-store.js';
import type { Interval } from '../../data/bar.js';
import { dataSummary } from '../../data/price-store.js';
import type { Database } from '../../db/database.js';
import { symbolAge } from '../../monitor/data-age.js';
import { listAlerts } from '../../monitor/monitor-store.js';
import { defaultMaxDataAge } from '../../portfolio/portfolio-spec.js';
import { getPortfolio, portfolioRows, rebalances } from '../../portfolio/portfolio-store.js';
import { allStrategies, strategySource } from '../../strategies/registry.js';
import type { ApiJob } from '../v1/api-job-store.js';
import { simulationView } from './backtest-views.js';

/** A named universe of the configuration, as the pages offer it. */
export interface WebUniverse {
  readonly name: string;
  readonly description: string | null;
  readonly symbols: readonly string[];
  /** What its portfolios are compared with (default: the configuration's default benchmark). */
  readonly benchmark?: string | undefined;
}

/** Step 1: universes, stored series with their staleness, recent backtests, model portfolios and their latest alerts. */
export async function homeView(db: Database, universes: readonly WebUniverse[], now = Date.now()) {
  const series = (await dataSummary(db)).map((row) => {
    const age = symbolAge(
      row.symbol,
      Date.parse(row.last.length === 10 ? `${row.last}T00:00:00Z` : row.last),
      now,
      defaultMaxDataAge(row.interval),
      false,
    );
    return { ...row, ageDays: age.ageDays, stale: age.stale };
  });
  const backtests = await listBacktests(db, { limit: 10 });
  const portfolios = [];
  // Each portfolio's own three latest (one query each: a handful of portfolios, and none is crowded out by another's many).
  for (const p of await portfolioRows(db, { order: 'name' }))
    portfolios.push({
      name: p.name,
      path: portfolioPath(p.name),
      strategy: p.strategy,
      universe: p.universe,
      ignoreGates: p.ignoreGates,
      alerts: await listAlerts(db, { portfolio: p.name, limit: 3 }),
    });
  return {
    universes: universes.map((u) => ({ ...u, count: u.symbols.length, symbolList: u.symbols.join(', ') })),
    series,
    staleCount: series.filter((s) => s.stale).length,
    backtests,
    portfolios,
  };
}

/** Step 2's choices: every registered strategy (user strategies included) with its defaults for `interval`. */
export function strategiesView(interval: Interval = '1d') {
  return allStrategies().map((s) => ({
    name: s.name,
    title: s.title,
    citation: s.citation,
    description: s.description,
    exitRule: s.exitRule,
    file: strategySource(s.name)?.file ?? null,
    params: Object.entries(s.paramsSchema(interval).parse({}) as Record<string, unknown>).map(([name, value]) => ({
      name,
      value: String(value),
    })),
  }));
}

/** A job's page: its state and, once it succeeded, what it made. */
export async function jobView(db: Database, job: ApiJob) {
  const running = job.status === 'queued' || job.status === 'running';
  // A simulation's backtest, to go back to (say, to tick "ignore gates" after a refusal).
  const simulated = job.kind === 'simulation' ? Number((job.spec as { backtestId?: unknown }).backtestId) || null : null;
  const base = { job, running, percent: Math.round(job.progress * 100), simulated, backtest: null, portfolio: null, simulation: null };
  if (job.status !== 'succeeded' || !job.result) return base;
  if (job.kind === 'backtest') {
    const stored = await getBacktest(db, Number(job.result.backtestId));
    return {
      ...base,
      backtest: {
        id: stored.id,
        spec: stored.spec,
        periodFrom: stored.periodFrom,
        periodTo: stored.periodTo,
        metrics: stored.metrics,
        warnings: stored.warnings,
      },
    };
  }
  if (job.kind === 'portfolio') {
    const portfolio = await getPortfolio(db, String(job.result.name));
    const latest = (await rebalances(db, portfolio.id, 1))[0] ?? null;
    const strategy = allStrategies().find((s) => s.name === portfolio.request.strategy);
    return {
      ...base,
      portfolio: {
        name: portfolio.name,
        path: portfolioPath(portfolio.name),
        request: portfolio.request,
        latest,
        exitRule: strategy?.exitRule ?? null,
      },
    };
  }
  if (job.kind === 'simulation') return { ...base, simulation: await simulationView(db, Number(job.result.simulationId)) };
  if (job.kind === 'sweep') {
    const { sweepId, combinations, failed, pbo, passed } = job.result;
    return { ...base, sweep: { id: sweepId, combinations, failed, gated: pbo !== undefined, pbo, passed } };
  }
  return base;
}

/** A model portfolio page's path. */
export function portfolioPath(name: string): string {
  return `/portfolios/${encodeURIComponent(name)}`;
}
