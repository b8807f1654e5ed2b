/**
 * What a portfolio is generated from: the strategy (or a stored backtest standing for it), the
 * universe, the investment mode and amount. Validated once at the edge (CLI, notebook, stored
 * JSON) so everything below can trust it; stored with every model portfolio, so a rebalance
 * regenerates it from its row alone.
 */
import { z } from 'zod';
import { intervalSchema, normaliseSymbol, type Interval } from '../data/bar.js';
import { costsSchema, hyperparametersSchema } from '../backtest/spec-schemas.js';
import { ValidationError } from '../errors.js';
import { calendarDateSchema } from '../util/calendar-date.js';

const positiveMoney = z.number().gt(0, 'must be more than 0');

export const SIP_FREQUENCIES = ['week', 'month', 'quarter'] as const;
export type SipFrequency = (typeof SIP_FREQUENCIES)[number];

export const sipPlanSchema = z.strictObject({
  /** New money at each installment after the first. */
  installment: positiveMoney,
  every: z.enum(SIP_FREQUENCIES).default('month'),
  /** Installments in the plan, the first included (null: open-ended). */
  count: z.number().int().min(1).max(10_000).nullable().default(null),
});
export type SipPlan = z.output<typeof sipPlanSchema>;

export const portfolioRequestSchema = z
  .strictObject({
    /** The strategy by name, or `backtestId` to take strategy, params, universe and interval from a stored backtest. */
    strategy: z.string().min(1).optional(),
    backtestId: z.number().int().positive().optional(),
    /** Hyperparameters (with `strategy`); the strategy's defaults fill the rest. */
    hyperparameters: hyperparametersSchema,
    /** The universe's name when the symbols came from one (kept for the record). */
    universe: z.string().nullable().default(null),
    symbols: z.array(z.string()).optional(),
    interval: intervalSchema.default('1d'),
    /** The day the portfolio is generated for (default: today); only bars up to it are read. */
    asOf: calendarDateSchema.optional(),
    /** Generate even when the backtest failed its gates or was never gated (said loudly). */
    ignoreGates: z.boolean().default(false),
    /** The gate set a backtest without a verdict is judged with. */
    gateSet: z.string().default('default'),
    /** 'mpo' trades costs off against expected returns on the way to the strategy's targets. */
    optimizer: z.enum(['none', 'mpo']).default('none'),
    mode: z.enum(['lumpsum', 'sip']).default('lumpsum'),
    /** The money invested now: the lump sum, or a SIP's first installment. */
    amount: positiveMoney,
    sip: sipPlanSchema.optional(),
    /** The portfolio's currency; every holding must be quoted in it (no FX conversion). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'expected an ISO currency code such as USD')
      .default('USD'),
    /** Dividends of held shares: credited to cash (default) or reinvested in whole shares at the ex-date's close. */
    dividends: z.enum(['cash', 'reinvest']).default('cash'),
    /** Shares per tradable lot, for every holding. */
    lotSize: z.number().int().min(1).max(1_000_000).default(1),
    costs: costsSchema,
    /** Use data whose last bar is older than maxDataAgeDays (said in the warnings). */
    allowStale: z.boolean().default(false),
    /** Calendar days the last bar may lag the as-of date (default by interval: 1d 5, 1wk 10, 1mo 40). */
    maxDataAgeDays: z.number().int().min(0).max(3650).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.strategy === undefined && r.backtestId === undefined)
      ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give a strategy (with symbols or a universe) or a backtestId' });
    if (r.backtestId === undefined && (r.symbols === undefined || r.symbols.length === 0))
      ctx.addIssue({ code: 'custom', path: ['symbols'], message: 'the universe is empty: give symbols or a universe' });
    if (r.mode === 'sip' && r.sip === undefined)
      ctx.addIssue({ code: 'custom', path: ['sip'], message: 'a SIP needs a plan: { installment, every, count? }' });
    if (r.mode === 'lumpsum' && r.sip !== undefined)
      ctx.addIssue({ code: 'custom', path: ['sip'], message: 'a SIP plan goes with mode "sip"' });
  });

export type PortfolioRequestInput = z.input<typeof portfolioRequestSchema>;
export type PortfolioRequest = z.output<typeof portfolioRequestSchema> & { readonly maxDataAgeDays: number };

/** Calendar days the last bar may lag the as-of date by default: a long weekend plus a holiday for daily bars. */
export function defaultMaxDataAge(interval: Interval): number {
  if (interval === '1wk') return 10;
  if (interval === '1mo') return 40;
  if (interval === '1d') return 5;
  return 3;
}

/**
 * Validates a portfolio request; errors name the field.
 * @example parsePortfolioRequest({ strategy: 'xs-momentum', symbols: ['SPY', 'TLT', 'GLD'], amount: 100_000 })
 */
export function parsePortfolioRequest(input: PortfolioRequestInput): PortfolioRequest {
  const parsed = portfolioRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.path.join('.') || 'portfolio', issue.message);
  }
  const request = parsed.data;
  const symbols = request.symbols?.map((s, i) => normaliseSymbol(s, `symbols[${i}]`));
  if (symbols && new Set(symbols).size !== symbols.length)
    throw new ValidationError('symbols', `a symbol appears twice in ${symbols.join(', ')}`);
  return {
    ...request,
    ...(symbols ? { symbols } : {}),
    maxDataAgeDays: request.maxDataAgeDays ?? defaultMaxDataAge(request.interval),
  };
}
