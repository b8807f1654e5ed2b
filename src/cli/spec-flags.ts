/**
 * Flags that several commands turn into a spec the same way: the symbols (`--universe` or
 * `--symbols`, with `--interval`), the hyperparameters (`--param k=v`) and the trading costs
 * (`--bps`, `--slippage-bps`, `--fee`). One function each, so the commands cannot drift apart.
 */
import { costFieldsSchema } from '../backtest/spec-schemas.js';
import { resolveUniverse, type MomentumConfig } from '../config.js';
import { parseInterval, type InstrumentInfo, type Interval } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import { parseParamValue, splitAssignment } from '../strategies/param-text.js';
import type { ParamValue } from '../strategies/strategy.js';
import { config } from './cli-context.js';
import { numberText, parseFlag, parseList } from './options.js';

export interface SymbolFlags {
  universe?: string;
  symbols?: string;
  interval?: string;
}

export interface ResolvedSymbols {
  /** The universe's name when the symbols came from one, else null. */
  readonly universe: string | null;
  /** Undefined when neither flag was given (the command decides what that means). */
  readonly symbols: string[] | undefined;
  /** `--interval`, else the universe's own interval, else undefined. */
  readonly interval: Interval | undefined;
  /** What the configuration says of each member of the universe (names, currencies). */
  readonly metadata: ReadonlyMap<string, InstrumentInfo> | undefined;
}

/**
 * `--universe` or `--symbols` (not both) and `--interval` -> the symbols. The configuration file is
 * read here, before anything else is parsed, and only when a universe is named.
 * @example resolveSymbolFlags({ symbols: 'SPY, TLT' }) // { universe: null, symbols: ['SPY', 'TLT'], interval: undefined, metadata: undefined }
 */
export function resolveSymbolFlags(flags: SymbolFlags, readConfig: () => MomentumConfig = config): ResolvedSymbols {
  if (flags.universe && flags.symbols) throw new ValidationError('symbols', 'give --symbols or --universe, not both');
  const interval = flags.interval ? parseInterval(flags.interval) : undefined;
  if (!flags.universe) return { universe: null, symbols: parseList(flags.symbols), interval, metadata: undefined };
  const found = resolveUniverse(readConfig(), flags.universe);
  return {
    universe: found.name,
    symbols: found.members.map((m) => m.symbol),
    interval: interval ?? found.interval,
    metadata: new Map(found.members.map((m) => [m.symbol, m])),
  };
}

/** `k=v` flags -> { k: v } with numbers and booleans typed. */
export function parseParamFlags(pairs: readonly string[]): Record<string, ParamValue> {
  return Object.fromEntries(pairs.map((pair) => splitAssignment(pair, 'param')).map(([name, value]) => [name, parseParamValue(value)]));
}

export interface CostFlags {
  bps?: string;
  slippageBps?: string;
  fee?: string;
}

/** The cost flags given, coerced and checked by the specs' own cost schema; absent ones take the spec's defaults. */
export function costFlags(flags: CostFlags): { bps?: number; slippageBps?: number; fixedFee?: number } {
  const { bps, slippageBps, fixedFee } = costFieldsSchema.shape;
  const given = {
    bps: parseFlag(numberText().pipe(bps.unwrap()), flags.bps, 'bps'),
    slippageBps: parseFlag(numberText().pipe(slippageBps.unwrap()), flags.slippageBps, 'slippage-bps'),
    fixedFee: parseFlag(numberText().pipe(fixedFee.unwrap()), flags.fee, 'fee'),
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}
