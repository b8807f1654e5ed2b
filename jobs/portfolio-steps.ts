/**
 * One portfolio's part of the `rebalance` job, in two steps: the rebalance (stored once per day in
 * one transaction; a second run finds it done) and its report (rendered, queued to each subscriber
 * under idempotency keys). The scheduler runs them inline, or a `momentum worker` runs them as
 * queued jobs (portfolio-jobs.ts): the same code either way.
 */
import { benchmarkOf, type Environment, type MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { rebalancePortfolio } from '../src/portfolio/model-portfolio.js';
import { getPortfolio } from '../src/portfolio/portfolio-store.js';
import { publishRebalance } from '../src/report/publish.js';
import { resolveGateSet } from '../src/research/gate-set.js';

export interface PortfolioStepDeps {
  readonly db: Database;
  readonly env: Environment;
  readonly config: MomentumConfig;
}

export interface RebalanceStep {
  /** The rebalance's own date (its report is of it). */
  readonly asOf: string;
  readonly orders: number;
  readonly alreadyDone: boolean;
}

/** @example const step = await rebalanceStep(deps, 'core', '2024-06-28') */
export async function rebalanceStep(deps: PortfolioStepDeps, name: string, asOf: string): Promise<RebalanceStep> {
  const portfolio = await getPortfolio(deps.db, name);
  const gateSet = portfolio.request.gateSet;
  const result = await rebalancePortfolio(deps.db, name, {
    asOf,
    gates: { name: gateSet, set: resolveGateSet(deps.config.gates, gateSet) },
  });
  return { asOf: result.rebalance.asOf, orders: result.rebalance.orders.length, alreadyDone: result.alreadyDone };
}

/** The report of the rebalance as of `asOf`, queued to each subscriber; how many mails were new. */
export async function reportStep(
  deps: PortfolioStepDeps,
  name: string,
  asOf: string,
): Promise<{ readonly reportPath: string; readonly queued: number }> {
  const portfolio = await getPortfolio(deps.db, name);
  const published = await publishRebalance(deps.db, deps.env, name, {
    asOf,
    benchmark: benchmarkOf(deps.config, portfolio.request.universe),
  });
  return { reportPath: published.reportPath, queued: published.queued.filter((m) => m.created).length };
}
