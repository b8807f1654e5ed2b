/**
 * How much a backtest's Sharpe ratio can be trusted: the probabilistic Sharpe ratio (PSR) and the
 * deflated Sharpe ratio (DSR), which discounts the best of many trials for the selection.
 *
 * Conventions, all per period (per bar), never annualised:
 * - SR = mean / sample std of the per-period returns (no risk-free rate).
 * - g3 = skewness, the population g1 = m3 / m2^1.5 of `return-statistics.ts`.
 * - g4 = kurtosis, the raw fourth standardised moment m4 / m2^2 = g2 + 3 (3 for normal returns),
 *   not the excess kurtosis g2.
 * An annualised SR converts as SR / sqrt(q) and an annualised variance of Sharpe ratios as V / q,
 * q periods a year (e.g. 250 or 252 trading days).
 *
 * References: D. H. Bailey and M. Lopez de Prado, "The Sharpe Ratio Efficient Frontier", Journal
 * of Risk 15(2), 2012 (PSR); "The Deflated Sharpe Ratio: Correcting for Selection Bias, Backtest
 * Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014 (E[max SR], DSR).
 */
import {
  excessKurtosis,
  isConstantSpread,
  mean,
  sampleCovariance,
  sampleStd,
  sharpeRatio,
  skewness,
} from '../backtest/return-statistics.js';
import { ValidationError } from '../errors.js';
import { normalCdf, normalQuantile } from './normal.js';

/** The Euler-Mascheroni constant gamma. */
export const EULER_MASCHERONI = 0.5772156649015329;

export interface SharpeStatistics {
  /** Per-period Sharpe ratio: mean / sample std. */
  readonly sharpe: number;
  /** Number of returns. */
  readonly n: number;
  /** g3: population skewness m3 / m2^1.5. */
  readonly skewness: number;
  /** g4: raw kurtosis m4 / m2^2 (3 for normal returns). */
  readonly kurtosis: number;
  /**
   * The returns are constant (their std within CONSTANT_RETURNS_TOLERANCE of 0, relative to their
   * mean; return-statistics.ts): the Sharpe ratio is then 0, skewness 0 and kurtosis 3, and
   * nothing statistical can be said of them (a configuration that never trades).
   */
  readonly constant: boolean;
}

export interface ProbabilisticSharpeInput {
  /** Observed per-period Sharpe ratio SR. */
  readonly sharpe: number;
  /** Benchmark per-period Sharpe ratio SR*. */
  readonly benchmark: number;
  /** Number of returns behind SR (at least 2). */
  readonly n: number;
  /** g3 of the returns. */
  readonly skewness: number;
  /** g4 of the returns, raw (3 for normal returns). */
  readonly kurtosis: number;
}

export interface ExpectedMaxSharpeInput {
  /** N: number of independent trials (a positive integer). */
  readonly trials: number;
  /** V: variance of the trials' per-period Sharpe ratios. */
  readonly variance: number;
}

export interface DeflatedSharpeInput {
  /** Per-period Sharpe ratio of the selected trial. */
  readonly sharpe: number;
  /** Number of returns behind it. */
  readonly n: number;
  /** g3 of its returns. */
  readonly skewness: number;
  /** g4 of its returns, raw (3 for normal returns). */
  readonly kurtosis: number;
  /** Per-period Sharpe ratios of all trials (the selected one included), at least 2. */
  readonly trialSharpes: Float64Array;
  /**
   * N, the number of independent trials; default `trialSharpes.length`. Pass a smaller (rounded)
   * effective number when the trials were correlated, e.g. the number of clusters of trials.
   */
  readonly trials?: number;
}

export interface DeflatedSharpeResult {
  /** PSR of the selected trial against `benchmark`, in [0, 1]. */
  readonly dsr: number;
  /** SR* = E[max SR_n] over `trials` trials, per period. */
  readonly benchmark: number;
  /** N used. */
  readonly trials: number;
  /** V used: sample variance of `trialSharpes`. */
  readonly variance: number;
}

/**
 * SR, n, g3 and g4 of a series of per-period returns; throws a ValidationError for fewer than two
 * returns or a non-finite return. Constant returns give SR 0, marked `constant`.
 * @example sharpeStatistics(Float64Array.of(0.01, -0.02, 0.03)) // { sharpe: 0.2649, n: 3, skewness: -0.2391, kurtosis: 1.5, constant: false }
 */
export function sharpeStatistics(returns: Float64Array): SharpeStatistics {
  const n = returns.length;
  if (n < 2) throw new ValidationError('returns', `needs at least 2 returns for a Sharpe ratio; got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(returns[i]!)) throw new ValidationError(`returns[${i}]`, `is ${returns[i]}: drop or fill missing returns first`);
  }
  if (isConstantSpread(mean(returns), sampleStd(returns))) return { sharpe: 0, n, skewness: 0, kurtosis: 3, constant: true };
  return { sharpe: sharpeRatio(returns), n, skewness: skewness(returns), kurtosis: excessKurtosis(returns) + 3, constant: false };
}

/**
 * PSR(SR*) = Phi( (SR - SR*) * sqrt(n - 1) / sqrt(1 - g3 * SR + (g4 - 1) / 4 * SR^2) ): the
 * probability that the true Sharpe ratio exceeds SR*, given SR estimated from n non-normal returns
 * (Bailey and Lopez de Prado 2012). All per period, g4 raw.
 * @example probabilisticSharpe({ sharpe: 0.1, benchmark: 0, n: 250, skewness: 0, kurtosis: 3 }) // 0.9423
 */
export function probabilisticSharpe(input: ProbabilisticSharpeInput): number {
  const { sharpe, benchmark, n, skewness: g3, kurtosis: g4 } = input;
  requireFinite({ sharpe, benchmark, n, skewness: g3, kurtosis: g4 });
  if (n < 2) throw new ValidationError('n', `needs at least 2 returns behind the Sharpe ratio; got ${n}`);
  const term = 1 - g3 * sharpe + ((g4 - 1) / 4) * sharpe * sharpe;
  if (!(term > 0)) {
    throw new ValidationError(
      'kurtosis',
      `the variance term 1 - g3 * SR + (g4 - 1) / 4 * SR^2 is ${term} (SR ${sharpe}, g3 ${g3}, g4 ${g4}), not positive: ` +
        'pass the raw kurtosis (3 for normal returns, not the excess kurtosis) and a per-period (not annualised) SR',
    );
  }
  return normalCdf(((sharpe - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(term));
}

/**
 * E[max SR_n] ~ sqrt(V) * ((1 - gamma) * Phi^-1(1 - 1/N) + gamma * Phi^-1(1 - 1/(N e))): the
 * expected best Sharpe ratio of N independent trials whose true Sharpe ratios are all 0, V the
 * variance of their estimates (Bailey and Lopez de Prado 2014); 0 for N = 1.
 * @example expectedMaxSharpe({ trials: 100, variance: 0.5 / 250 }) // 0.1132
 */
export function expectedMaxSharpe(input: ExpectedMaxSharpeInput): number {
  const { trials, variance } = input;
  requireFinite({ trials, variance });
  if (!Number.isInteger(trials) || trials < 1) {
    throw new ValidationError('trials', `must be a positive integer (round an effective number of trials); got ${trials}`);
  }
  if (variance < 0) throw new ValidationError('variance', `must not be negative; got ${variance}`);
  if (trials === 1) return 0;
  const gamma = EULER_MASCHERONI;
  return Math.sqrt(variance) * ((1 - gamma) * normalQuantile(1 - 1 / trials) + gamma * normalQuantile(1 - 1 / (trials * Math.E)));
}

/**
 * DSR = PSR(SR*) with SR* = E[max SR_n] over N trials, V the sample variance of the trials'
 * Sharpe ratios (Bailey and Lopez de Prado 2014): the probability that the selected trial's true
 * Sharpe ratio is positive once the selection among N trials is accounted for.
 * @example
 * // The paper's example: 100 trials, their Sharpe ratios of sample variance 0.5 / 250 (0.5 a year),
 * // the best 2.5 a year, 1250 daily returns with g3 = -3, g4 = 10:
 * deflatedSharpe({ sharpe: 2.5 / Math.sqrt(250), n: 1250, skewness: -3, kurtosis: 10, trialSharpes })
 * // { dsr: 0.9004, benchmark: 0.1132, trials: 100, variance: 0.002 }
 */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpeResult {
  const { trialSharpes } = input;
  if (trialSharpes.length < 2) {
    throw new ValidationError(
      'trialSharpes',
      `needs the Sharpe ratios of at least 2 trials to estimate their variance; got ${trialSharpes.length} (for one trial use probabilisticSharpe against 0)`,
    );
  }
  for (let i = 0; i < trialSharpes.length; i++) {
    if (!Number.isFinite(trialSharpes[i]!)) throw new ValidationError(`trialSharpes[${i}]`, `is ${trialSharpes[i]}; must be finite`);
  }
  const trials = input.trials ?? trialSharpes.length;
  const variance = sampleCovariance(trialSharpes, trialSharpes);
  const benchmark = expectedMaxSharpe({ trials, variance });
  const dsr = probabilisticSharpe({ sharpe: input.sharpe, benchmark, n: input.n, skewness: input.skewness, kurtosis: input.kurtosis });
  return { dsr, benchmark, trials, variance };
}

function requireFinite(values: Record<string, number>): void {
  for (const [field, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new ValidationError(field, `must be a finite number; got ${value}`);
  }
}
