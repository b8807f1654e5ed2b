/**
 * Random MPO requests that are feasible by construction: the parameters are drawn so that the
 * straight-line liquidation path h[a,t] = w0[a] (1 - t/P) (trades -w0[a]/P each period, cash taking
 * the other side) satisfies every constraint of ../shared/MPO.md.
 */
import { CASH, type MpoParametersJson, type MpoRequestJson } from './mpo-check.js';

/** mulberry32: a small seeded generator, so every instance is reproducible from its seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InstanceOptions {
  /** allow_short with some negative initial weights, a borrow cost and negative weight floors. */
  readonly short?: boolean;
  /** Draw cost_on_cash (true/false) and per_asset overrides too. */
  readonly extensions?: boolean;
}

/**
 * A feasible request with `assets` non-cash assets and `periods` periods. About one in six uses
 * MPO.md's default parameters; the others draw every parameter (sometimes through the trade_cost
 * alias). CASH's position among the keys and the order of period keys vary.
 */
export function randomFeasibleRequest(seed: number, assets: number, periods: number, options: InstanceOptions = {}): MpoRequestJson {
  const u = seeded(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * u();
  const P = periods;
  const names = Array.from({ length: assets }, (_, i) => `S${i}`);

  // Initial non-cash weights: sometimes all cash, sometimes a few zeros, gross s in (0, 0.95).
  const raw = names.map(() => (u() < 0.25 ? 0 : u() ** 2 * (options.short && u() < 0.4 ? -0.6 : 1)));
  const allCash = u() < 0.15;
  const grossRaw = raw.reduce((s, x) => s + Math.abs(x), 0);
  const gross = between(0.05, 0.95);
  const w0 = raw.map((x) => (allCash || grossRaw === 0 ? 0 : Number(((x / grossRaw) * gross).toFixed(6))));
  const cash = 1 - w0.reduce((s, x) => s + x, 0);
  const position = Math.floor(u() * (assets + 1));
  const keys = [...names.slice(0, position), CASH, ...names.slice(position)];
  const weightOf = (k: string) => (k === CASH ? cash : w0[names.indexOf(k)]!);
  const initial_weights = Object.fromEntries(keys.map((k) => [k, weightOf(k)]));

  const estimated_returns = Object.fromEntries(
    names.map((name) => {
      const order = Array.from({ length: P }, (_, k) => k + 1);
      if (u() < 0.3) order.reverse();
      return [name, Object.fromEntries(order.map((t) => [String(t), Number(between(-0.05, 0.05).toFixed(5))]))];
    }),
  );
  if (u() < 1 / 6 && !options.short && !options.extensions) return { initial_weights, estimated_returns };

  // Along the straight-line path: |h| <= |w0| (1 - 1/P), |z| = |w0| / P, gross <= s (1 - 1/P).
  const keep = 1 - 1 / P;
  const largest = Math.max(0, ...w0);
  const deepest = Math.min(0, ...w0);
  const grossAfter = w0.reduce((s, x) => s + Math.abs(x), 0) * keep;
  const cashAfter = Math.min(...Array.from({ length: P }, (_, k) => 1 - w0.reduce((s, x) => s + x, 0) * (1 - (k + 1) / P)));
  const parameters: MpoParametersJson = {
    min_weight: options.short ? Math.min(deepest * keep - between(0, 0.3), 0) : between(-1, 0),
    max_weight: largest * keep + between(0.01, 0.5),
    min_cash_balance: Math.max(0, cashAfter) * u(),
    max_leverage: grossAfter + between(0.01, 1),
    max_trade_size: Math.max(largest, -deepest) / P + between(0.01, 0.3),
    trade_aversion: between(0, 2),
  };
  const cost = u() < 0.1 ? 0 : Number(between(0, 0.02).toFixed(5));
  if (u() < 0.2) parameters.trade_cost = cost;
  else parameters.transaction_cost = cost;
  if (options.short) {
    parameters.allow_short = true;
    parameters.short_borrow_cost = u() < 0.3 ? 0 : Number(between(0, 0.03).toFixed(4));
  }
  if (options.extensions) {
    parameters.cost_on_cash = u() < 0.5;
    const perAsset: NonNullable<MpoParametersJson['per_asset']> = {};
    names.forEach((name, i) => {
      if (u() < 0.3) {
        const own = w0[i]!;
        perAsset[name] = { max_weight: Math.max(own, 0) * keep + between(0.01, 0.8) };
        if (options.short && u() < 0.5) perAsset[name].min_weight = Math.min(own * keep - between(0, 0.5), 0);
      }
    });
    parameters.per_asset = perAsset;
  }
  return { initial_weights, estimated_returns, parameters };
}
