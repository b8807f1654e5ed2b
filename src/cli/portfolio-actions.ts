/** What the portfolio commands do (see portfolio-commands.ts for their options). */
import { DEFAULT_COSTS } from '../backtest/spec-schemas.js';
import { ValidationError } from '../errors.js';
import { resolveGateSet } from '../research/gate-set.js';
import { generatePortfolio } from '../portfolio/generate.js';
import { createPortfolio, rebalancePortfolio } from '../portfolio/model-portfolio.js';
import { getPortfolio, listPortfolios, rebalances } from '../portfolio/portfolio-store.js';
import { portfolioRequestSchema, sipPlanSchema, SIP_FREQUENCIES, type PortfolioRequestInput } from '../portfolio/portfolio-spec.js';
import { runSipBacktest } from '../portfolio/sip-run.js';
import type { SipBacktestPlan } from '../portfolio/sip-backtest.js';
import { REBALANCE_MODES } from '../portfolio/trade-list.js';
import { formatNumber } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { config, withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { numberText, parseChoice, parseFlag, parseIntegerOption } from './options.js';
import { costFlags, parseParamFlags, resolveSymbolFlags, type CostFlags, type SymbolFlags } from './spec-flags.js';
import { formatHistory, formatProposal, formatRebalance, formatStored, formatSipBacktest } from './portfolio-format.js';

interface StrategyFlags extends SymbolFlags, CostFlags {
  strategy?: string;
  backtest?: string;
  param: string[];
  lotSize?: string;
}

export interface CreateFlags extends StrategyFlags {
  amount: string;
  sip?: string;
  every?: string;
  count?: string;
  optimizer?: string;
  currency?: string;
  asOf?: string;
  ignoreGates?: boolean;
  gates?: string;
  allowStale?: boolean;
  maxAge?: string;
  dividends?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface RebalanceFlags {
  asOf?: string;
  mode?: string;
  allowStale?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export interface SipBacktestFlags extends StrategyFlags {
  installment: string;
  every?: string;
  count?: string;
  from?: string;
  to?: string;
  fullRebalance?: string;
  json?: boolean;
}

/**
 * Flags -> a portfolio request; every value is coerced by the request's own field schema, so the
 * errors name the flag and the ranges are the request's.
 */
export function requestFromFlags(flags: CreateFlags): PortfolioRequestInput {
  if (!flags.strategy && !flags.backtest)
    throw new ValidationError('strategy', 'give --strategy NAME (with --universe or --symbols) or --backtest ID');
  const { universe, symbols, interval } = resolveSymbolFlags(flags);
  const field = portfolioRequestSchema.shape;
  const sip = parseFlag(numberText().pipe(sipPlanSchema.shape.installment), flags.sip, 'sip');
  return {
    strategy: flags.strategy,
    backtestId: parseFlag(numberText().pipe(field.backtestId.unwrap()), flags.backtest, 'backtest'),
    hyperparameters: parseParamFlags(flags.param),
    universe,
    symbols,
    interval,
    asOf: flags.asOf,
    ignoreGates: flags.ignoreGates ?? false,
    gateSet: flags.gates,
    optimizer: parseFlag(field.optimizer.unwrap(), flags.optimizer, 'optimizer'),
    mode: sip === undefined ? 'lumpsum' : 'sip',
    amount: parseFlag(numberText().pipe(field.amount), flags.amount, 'amount')!,
    ...(sip === undefined
      ? {}
      : {
          sip: {
            installment: sip,
            every: parseChoice(flags.every, 'every', SIP_FREQUENCIES),
            count: parseFlag(numberText().pipe(sipPlanSchema.shape.count.unwrap().unwrap()), flags.count, 'count') ?? null,
          },
        }),
    currency: flags.currency?.toUpperCase(),
    dividends: parseFlag(field.dividends.unwrap(), flags.dividends, 'dividends'),
    lotSize: parseFlag(numberText().pipe(field.lotSize.unwrap()), flags.lotSize, 'lot-size'),
    costs: costFlags(flags),
    allowStale: flags.allowStale ?? false,
    maxDataAgeDays: parseFlag(numberText().pipe(field.maxDataAgeDays.unwrap()), flags.maxAge, 'max-age'),
  };
}

function gatesFor(name: string | undefined) {
  const gateName = name ?? 'default';
  return { name: gateName, set: resolveGateSet(config().gates, gateName) };
}

export async function createAction(name: string, flags: CreateFlags, output: Output): Promise<void> {
  const request = requestFromFlags(flags);
  const gates = gatesFor(flags.gates);
  await withDatabase(async (db) => {
    if (flags.dryRun) {
      const proposal = await generatePortfolio(db, request, { gates });
      if (flags.json) return output.out(JSON.stringify(proposal, null, 2));
      return output.out(`suggested portfolio ${name} (not stored: --dry-run)\n${formatProposal(proposal)}`);
    }
    const created = await createPortfolio(db, name, request, { gates });
    if (flags.json)
      return output.out(
        JSON.stringify({ portfolioId: created.portfolioId, rebalanceId: created.rebalanceId, ...created.proposal }, null, 2),
      );
    output.out(
      `portfolio ${name} stored (id ${created.portfolioId}); rebalance it with momentum portfolio rebalance '${name}'\n${formatProposal(created.proposal)}`,
    );
  });
}

export async function showAction(name: string, flags: { amount?: string; json?: boolean }, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const portfolio = await getPortfolio(db, name);
    const [latest] = await rebalances(db, portfolio.id, 1);
    if (flags.json) return output.out(JSON.stringify({ portfolio, latest }, null, 2));
    output.out(formatStored(portfolio, latest!, parseFlag(numberText().pipe(portfolioRequestSchema.shape.amount), flags.amount, 'amount')));
  });
}

export async function rebalanceAction(name: string, flags: RebalanceFlags, output: Output): Promise<void> {
  const mode = parseChoice(flags.mode, 'mode', REBALANCE_MODES);
  await withDatabase(async (db) => {
    const portfolio = await getPortfolio(db, name);
    const result = await rebalancePortfolio(db, name, {
      gates: gatesFor(portfolio.request.gateSet),
      ...(flags.asOf ? { asOf: flags.asOf } : {}),
      ...(mode ? { mode } : {}),
      allowStale: flags.allowStale ?? false,
      dryRun: flags.dryRun ?? false,
    });
    if (flags.json) return output.out(JSON.stringify(result, null, 2));
    output.out(formatRebalance(result));
  });
}

export async function historyAction(name: string, flags: { json?: boolean }, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const portfolio = await getPortfolio(db, name);
    const history = await rebalances(db, portfolio.id, 10_000);
    if (flags.json) return output.out(JSON.stringify(history, null, 2));
    output.out(formatHistory(portfolio, history));
  });
}

export async function listAction(flags: { json?: boolean }, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const portfolios = await listPortfolios(db);
    if (flags.json) return output.out(JSON.stringify(portfolios, null, 2));
    if (portfolios.length === 0)
      return output.out('no model portfolios yet: momentum portfolio create NAME --strategy S --universe U --amount A');
    const rows = portfolios.map((p) => ({
      name: p.name,
      strategy: p.request.strategy ?? '',
      universe: p.request.universe ?? `${p.request.symbols?.length ?? 0} symbols`,
      mode: p.request.mode,
      last_rebalance: p.latest?.asOf ?? '-',
      next: p.latest?.nextRebalance ?? '-',
      value: formatNumber(p.latest?.value, 2),
      gates: p.latest?.evidence.gatesIgnored ? 'IGNORED' : (p.latest?.evidence.verdict ?? '-'),
    }));
    output.out(formatTable(rows, ['name', 'strategy', 'universe', 'mode', 'last_rebalance', 'next', 'value', 'gates']));
  });
}

export async function sipBacktestAction(flags: SipBacktestFlags, output: Output): Promise<void> {
  if (!flags.strategy) throw new ValidationError('strategy', 'give --strategy NAME');
  const { symbols, interval } = resolveSymbolFlags(flags);
  if (!symbols || symbols.length === 0) throw new ValidationError('symbols', 'give --universe NAME or --symbols A,B');
  const when = flags.fullRebalance ?? 'on-signal';
  let fullRebalance: SipBacktestPlan['fullRebalance'];
  if (when === 'never' || when === 'on-signal') fullRebalance = when;
  else fullRebalance = { everyInstallments: parseIntegerOption(when, 'full-rebalance', 1, 10_000)! };
  const count = parseIntegerOption(flags.count, 'count', 1, 100_000);
  const lotSize = parseFlag(numberText().pipe(portfolioRequestSchema.shape.lotSize.unwrap()), flags.lotSize, 'lot-size');
  await withDatabase(async (db) => {
    const result = await runSipBacktest(db, {
      strategy: flags.strategy!,
      params: parseParamFlags(flags.param),
      symbols,
      ...(interval ? { interval } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      plan: {
        installment: parseFlag(numberText().pipe(sipPlanSchema.shape.installment), flags.installment, 'installment')!,
        every: parseChoice(flags.every, 'every', SIP_FREQUENCIES) ?? 'month',
        ...(count ? { count } : {}),
        ...(lotSize ? { lotSize } : {}),
        fullRebalance,
        costs: { ...DEFAULT_COSTS, ...costFlags(flags) },
      },
    });
    if (flags.json) return output.out(JSON.stringify(result, (_, v: unknown) => (v instanceof Float64Array ? [...v] : v), 2));
    output.out(formatSipBacktest(result));
  });
}
