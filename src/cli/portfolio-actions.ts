/** What the portfolio commands do (see portfolio-commands.ts for their options). */
import { parseInterval } from '../data/bar.js';
import { resolveUniverse } from '../config.js';
import { ValidationError } from '../errors.js';
import { resolveGateSet } from '../research/gate-set.js';
import { generatePortfolio } from '../portfolio/generate.js';
import { createPortfolio, rebalancePortfolio } from '../portfolio/model-portfolio.js';
import { getPortfolio, listPortfolios, rebalances } from '../portfolio/portfolio-store.js';
import type { PortfolioRequestInput } from '../portfolio/portfolio-spec.js';
import { runSipBacktest } from '../portfolio/sip-run.js';
import type { SipBacktestPlan } from '../portfolio/sip-backtest.js';
import { formatTable } from '../util/table.js';
import { parseParamFlags } from './backtest-actions.js';
import { config, withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { parseIntegerOption, parseList, parseNumberOption } from './options.js';
import { formatHistory, formatProposal, formatRebalance, formatStored, formatSipBacktest } from './portfolio-format.js';

interface StrategyFlags {
  strategy?: string;
  backtest?: string;
  universe?: string;
  symbols?: string;
  interval?: string;
  param: string[];
  bps?: string;
  slippageBps?: string;
  fee?: string;
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

/** Any number (the generator says what is wrong with zero or negative amounts). */
const money = (value: string | undefined, flag: string) => parseNumberOption(value, flag, Number.NEGATIVE_INFINITY);

function universeOf(flags: StrategyFlags): { universe: string | null; symbols?: string[]; interval?: string } {
  if (flags.universe && flags.symbols) throw new ValidationError('symbols', 'give --symbols or --universe, not both');
  if (flags.universe) {
    const found = resolveUniverse(config(), flags.universe);
    return { universe: found.name, symbols: found.members.map((m) => m.symbol), interval: flags.interval ?? found.interval };
  }
  const symbols = parseList(flags.symbols);
  return { universe: null, ...(symbols ? { symbols } : {}), ...(flags.interval ? { interval: flags.interval } : {}) };
}

function costsOf(flags: StrategyFlags) {
  return {
    ...(flags.bps ? { bps: parseNumberOption(flags.bps, 'bps', -1)! } : {}),
    ...(flags.slippageBps ? { slippageBps: parseNumberOption(flags.slippageBps, 'slippage-bps', -1)! } : {}),
    ...(flags.fee ? { fixedFee: parseNumberOption(flags.fee, 'fee', -1)! } : {}),
  };
}

export function requestFromFlags(flags: CreateFlags): PortfolioRequestInput {
  if (!flags.strategy && !flags.backtest)
    throw new ValidationError('strategy', 'give --strategy NAME (with --universe or --symbols) or --backtest ID');
  const { universe, symbols, interval } = universeOf(flags);
  const sip = money(flags.sip, 'sip');
  return {
    ...(flags.strategy ? { strategy: flags.strategy } : {}),
    ...(flags.backtest ? { backtestId: parseIntegerOption(flags.backtest, 'backtest', 1, Number.MAX_SAFE_INTEGER)! } : {}),
    hyperparameters: parseParamFlags(flags.param),
    universe,
    ...(symbols ? { symbols } : {}),
    ...(interval ? { interval: parseInterval(interval) } : {}),
    ...(flags.asOf ? { asOf: flags.asOf } : {}),
    ignoreGates: flags.ignoreGates ?? false,
    ...(flags.gates ? { gateSet: flags.gates } : {}),
    ...(flags.optimizer ? { optimizer: flags.optimizer as 'none' | 'mpo' } : {}),
    mode: sip === undefined ? 'lumpsum' : 'sip',
    amount: money(flags.amount, 'amount')!,
    ...(sip === undefined
      ? {}
      : {
          sip: {
            installment: sip,
            every: (flags.every ?? 'month') as 'week' | 'month' | 'quarter',
            count: parseIntegerOption(flags.count, 'count', 1, 10_000) ?? null,
          },
        }),
    ...(flags.currency ? { currency: flags.currency.toUpperCase() } : {}),
    ...(flags.dividends ? { dividends: flags.dividends as 'cash' | 'reinvest' } : {}),
    ...(flags.lotSize ? { lotSize: parseIntegerOption(flags.lotSize, 'lot-size', 1, 1_000_000)! } : {}),
    costs: costsOf(flags),
    allowStale: flags.allowStale ?? false,
    ...(flags.maxAge ? { maxDataAgeDays: parseIntegerOption(flags.maxAge, 'max-age', 0, 3650)! } : {}),
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
    output.out(formatStored(portfolio, latest!, money(flags.amount, 'amount')));
  });
}

export async function rebalanceAction(name: string, flags: RebalanceFlags, output: Output): Promise<void> {
  if (flags.mode && flags.mode !== 'full' && flags.mode !== 'contribution')
    throw new ValidationError('mode', `expected full or contribution, got ${JSON.stringify(flags.mode)}`);
  await withDatabase(async (db) => {
    const portfolio = await getPortfolio(db, name);
    const result = await rebalancePortfolio(db, name, {
      gates: gatesFor(portfolio.request.gateSet),
      ...(flags.asOf ? { asOf: flags.asOf } : {}),
      ...(flags.mode ? { mode: flags.mode as 'full' | 'contribution' } : {}),
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
      value: p.latest ? p.latest.value.toFixed(2) : '-',
      gates: p.latest?.evidence.gatesIgnored ? 'IGNORED' : (p.latest?.evidence.verdict ?? '-'),
    }));
    output.out(formatTable(rows, ['name', 'strategy', 'universe', 'mode', 'last_rebalance', 'next', 'value', 'gates']));
  });
}

export async function sipBacktestAction(flags: SipBacktestFlags, output: Output): Promise<void> {
  if (!flags.strategy) throw new ValidationError('strategy', 'give --strategy NAME');
  const { symbols, interval } = universeOf(flags);
  if (!symbols || symbols.length === 0) throw new ValidationError('symbols', 'give --universe NAME or --symbols A,B');
  const every = flags.every ?? 'month';
  if (!['week', 'month', 'quarter'].includes(every))
    throw new ValidationError('every', `expected week, month or quarter, got ${JSON.stringify(every)}`);
  const when = flags.fullRebalance ?? 'on-signal';
  let fullRebalance: SipBacktestPlan['fullRebalance'];
  if (when === 'never' || when === 'on-signal') fullRebalance = when;
  else fullRebalance = { everyInstallments: parseIntegerOption(when, 'full-rebalance', 1, 10_000)! };
  const count = parseIntegerOption(flags.count, 'count', 1, 100_000);
  const lotSize = parseIntegerOption(flags.lotSize, 'lot-size', 1, 1_000_000);
  await withDatabase(async (db) => {
    const result = await runSipBacktest(db, {
      strategy: flags.strategy!,
      params: parseParamFlags(flags.param),
      symbols,
      ...(interval ? { interval: parseInterval(interval) } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      plan: {
        installment: money(flags.installment, 'installment')!,
        every: every as 'week' | 'month' | 'quarter',
        ...(count ? { count } : {}),
        ...(lotSize ? { lotSize } : {}),
        fullRebalance,
        costs: { bps: 5, slippageBps: 5, fixedFee: 0, ...costsOf(flags) },
      },
    });
    if (flags.json) return output.out(JSON.stringify(result, (_, v: unknown) => (v instanceof Float64Array ? [...v] : v), 2));
    output.out(formatSipBacktest(result));
  });
}
