/**
 * The public way to write a strategy: `defineStrategy({ name, params, sweep, targets })` checks the
 * definition once (name, a params schema whose every field has a default, sweep values the schema
 * accepts) and returns a Strategy that the registry, sweeps, gates, simulations, walk-forward,
 * portfolios and the scheduled jobs use exactly as they use the built-in ones. The targets it
 * returns are checked on every call: a grid of the wrong size is a clear error, not a silent misfill.
 *
 * @example
 *   export default defineStrategy({
 *     name: 'abs-mom-6m',
 *     params: z.strictObject({ lookback: z.number().int().min(2).default(126) }),
 *     sweep: { lookback: [63, 126, 252] },
 *     targets(panel, p) { ... return { kind: 'weights', rebalance, targets }; },
 *   });
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { FUNDAMENTAL_FIELD_NAMES, PERIOD_TYPES, type FundamentalField } from '../data/fundamental.js';
import { PANEL_FIELDS, type PanelField } from '../data/panel-fields.js';
import type { DataNeeds } from '../data/strategy-data.js';
import { errorMessage, ValidationError } from '../errors.js';
import type { ParamValue, Strategy, StrategyContext, StrategyPanel, StrategyParams, TargetSchedule } from './strategy.js';

/** Registry names: kebab-case, as the built-ins (`xs-momentum`). */
export const STRATEGY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

type ParamsSchema<P extends StrategyParams> = z.ZodType<P, Record<string, unknown>>;

export interface StrategyDefinition<P extends StrategyParams> {
  /** Registry key, kebab-case; must not be a built-in's. */
  readonly name: string;
  readonly title?: string;
  /** The paper or source the idea follows. */
  readonly citation?: string;
  readonly description?: string;
  /** What `scores` hold, for reports ("6-month return"). */
  readonly scoreLabel?: string;
  /** What ends a position before the next rebalance (default: nothing does). */
  readonly exitRule?: string;
  /** Panel fields `targets` reads (default adjusted closes only). */
  readonly fields?: readonly PanelField[];
  /** Point-in-time data `targets` reads besides prices (panel.fundamentals, panel.earnings, panel.analystActions). */
  readonly data?: DataNeeds;
  /** Hyperparameters with a default for each, or a schema per bar interval (lookbacks in bars). */
  readonly params: ParamsSchema<P> | ((interval: Interval) => ParamsSchema<P>);
  /** The ranges `momentum sweep` tries when no grid is given. */
  readonly sweep?: { readonly [K in keyof P]?: readonly P[K][] };
  targets(panel: StrategyPanel, params: P, context?: StrategyContext): TargetSchedule;
  readonly baseline?: boolean;
  prepare?(): Promise<void>;
}

/** A strategy from a definition, checked; throws a ValidationError naming what is wrong. */
export function defineStrategy<P extends StrategyParams>(definition: StrategyDefinition<P>): Strategy<P> {
  const d = definitionSchema.safeParse(definition);
  if (!d.success) {
    const issue = d.error.issues[0]!;
    const name = typeof (definition as { name?: unknown })?.name === 'string' ? ` ${JSON.stringify(definition.name)}` : '';
    throw new ValidationError(`strategy${name}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`, issue.message);
  }
  const { name } = definition;
  const schemaFor = typeof definition.params === 'function' ? definition.params : () => definition.params as ParamsSchema<P>;
  const defaults = parseDefaults(name, schemaFor('1d'));
  const sweep = definition.sweep ?? {};
  for (const [param, values] of Object.entries(sweep) as [string, readonly ParamValue[]][]) {
    if (!(param in defaults)) throw new ValidationError(`strategy ${JSON.stringify(name)}.sweep.${param}`, 'is not one of its params');
    for (const value of values) {
      const parsed = schemaFor('1d').safeParse({ [param]: value });
      if (!parsed.success) {
        throw new ValidationError(
          `strategy ${JSON.stringify(name)}.sweep.${param}`,
          `${JSON.stringify(value)}: ${parsed.error.issues[0]!.message}`,
        );
      }
    }
  }
  const userTargets = definition.targets;
  return {
    name,
    title: definition.title ?? name,
    citation: definition.citation ?? 'user strategy',
    description: definition.description ?? '',
    scoreLabel: definition.scoreLabel ?? 'score',
    exitRule: definition.exitRule ?? 'none before the next rebalance',
    fields: definition.fields ?? ['adj_close'],
    ...(definition.data && { data: definition.data }),
    paramsSchema: schemaFor,
    sweep,
    ...(definition.baseline !== undefined && { baseline: definition.baseline }),
    ...(definition.prepare && { prepare: definition.prepare }),
    targets(panel, params, context) {
      let schedule: TargetSchedule;
      try {
        schedule = userTargets.call(definition, panel, params, context);
      } catch (error) {
        throw new Error(`strategy ${JSON.stringify(name)} failed in targets(): ${errorMessage(error)}`, { cause: error });
      }
      checkSchedule(name, schedule, panel.dates.length, panel.symbols.length);
      return schedule;
    },
  };
}

/** Whether a loaded module's export is a strategy (what defineStrategy returns, or the same shape). */
export function isStrategy(value: unknown): value is Strategy<StrategyParams> {
  const s = value as Partial<Strategy<StrategyParams>> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.name === 'string' &&
    STRATEGY_NAME.test(s.name) &&
    typeof s.sweep === 'object' &&
    s.sweep !== null &&
    typeof s.targets === 'function' &&
    typeof s.paramsSchema === 'function' &&
    Array.isArray(s.fields)
  );
}

const definitionSchema = z.object({
  name: z.string().regex(STRATEGY_NAME, 'must be kebab-case, like abs-mom-6m (lower-case letters, digits and dashes)'),
  title: z.string().optional(),
  citation: z.string().optional(),
  description: z.string().optional(),
  scoreLabel: z.string().optional(),
  exitRule: z.string().optional(),
  fields: z
    .array(z.enum(PANEL_FIELDS as [PanelField, ...PanelField[]]))
    .min(1)
    .optional(),
  data: z
    .strictObject({
      fundamentals: z
        .strictObject({
          fields: z.array(z.enum(FUNDAMENTAL_FIELD_NAMES as [FundamentalField, ...FundamentalField[]])).min(1),
          periodType: z.enum(PERIOD_TYPES),
        })
        .optional(),
      earnings: z.literal(true).optional(),
      analystActions: z.literal(true).optional(),
    })
    .optional(),
  params: z.custom<unknown>(
    (v) =>
      typeof v === 'function' || (typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function'),
    'must be a zod object schema (z.strictObject({ ... })) or a function of the bar interval returning one',
  ),
  sweep: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()]))).optional(),
  targets: z.custom<unknown>((v) => typeof v === 'function', 'must be a function (panel, params) => TargetSchedule'),
});

function parseDefaults(name: string, schema: ParamsSchema<StrategyParams>): StrategyParams {
  const parsed = schema.safeParse({});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `strategy ${JSON.stringify(name)}.params${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      `every parameter needs a default (.default(...)): ${issue.message}`,
    );
  }
  return parsed.data;
}

function checkSchedule(name: string, schedule: TargetSchedule, bars: number, symbols: number): void {
  const where = `strategy ${JSON.stringify(name)} returned`;
  if (typeof schedule !== 'object' || schedule === null) throw new Error(`${where} ${String(schedule)}, not { kind, rebalance, targets }`);
  if (schedule.kind !== 'weights' && schedule.kind !== 'shares')
    throw new Error(`${where} kind ${JSON.stringify(schedule.kind)}: use 'weights' or 'shares'`);
  if (!(schedule.rebalance instanceof Uint8Array) || schedule.rebalance.length !== bars) {
    throw new Error(`${where} a rebalance mask that is not a Uint8Array of ${bars} bars (one per panel date)`);
  }
  for (const [label, grid] of [
    ['targets', schedule.targets],
    ['scores', schedule.scores],
  ] as const) {
    if (grid === undefined && label === 'scores') continue;
    if (!(grid instanceof Float64Array) || grid.length !== bars * symbols) {
      throw new Error(`${where} ${label} that are not a Float64Array of ${bars} x ${symbols} = ${bars * symbols} (row-major: [t * N + j])`);
    }
  }
}
