/**
 * Targets of the strategies that hold a state per symbol from one signal to the next (sma-cross,
 * donchian): the state a bar sets is acted on at the first bar the rebalance schedule allows from
 * that bar on, and only if it differs from the last state acted on (0 before any). There the
 * symbol's target is `weightOf(state)` and the bar is a rebalance bar; every other target is NaN
 * (leave the position as it is).
 *
 * A state is a small integer per bar: donchian's is +1 long, 0 flat, -1 short; sma-cross's is the
 * direction of the last crossover (0 before the first), a -1 held flat.
 */
import { emptyTargets } from './strategy.js';

/**
 * Rebalance flags and a T x N target grid from per-symbol states (`states[j][t]`) and the bars the
 * schedule allows (`allowed[t]`, 1: may trade).
 * @example stateTargets(states, rebalanceMask(panel.dates, panel.interval, p), (state) => state * weight)
 */
export function stateTargets(
  states: readonly Int8Array[],
  allowed: Uint8Array,
  weightOf: (state: number) => number,
): { rebalance: Uint8Array; targets: Float64Array } {
  const n = states.length;
  const bars = allowed.length;
  const targets = emptyTargets(bars, n);
  const rebalance = new Uint8Array(bars);
  states.forEach((state, j) => {
    let acted = 0;
    for (let t = 0; t < bars; t++) {
      if (state[t] === acted || !allowed[t]) continue;
      targets[t * n + j] = weightOf(state[t]!);
      rebalance[t] = 1;
      acted = state[t]!;
    }
  });
  return { rebalance, targets };
}
