/**
 * Warm-up: a signal needs history (a 210-bar average exists from its 210th bar), and until it has
 * it the book may sit in cash. The first bar with a full signal is the first trading bar at which
 * every symbol with a price has a signal: a finite score (TargetSchedule.scores), or for a strategy
 * without scores, a target at a rebalance bar. A symbol the strategy never scores (ts-momentum's
 * cash proxy) is not waited for.
 */
import type { TargetSchedule } from '../strategies/strategy.js';

/**
 * The first bar from `start` with a full signal, -1 if none; `closes` are the prices the strategy saw.
 * @example firstFullSignal(schedule, signalPanel.values.adj_close, start) // 209 for a 210-bar SMA without earlier history
 */
export function firstFullSignal(schedule: TargetSchedule, closes: readonly Float64Array[], start: number): number {
  const n = closes.length;
  const bars = schedule.rebalance.length;
  const signals = schedule.scores ?? schedule.targets;
  // Whether each symbol is ever signalled: a column's scan stops at its first signal (a sweep runs this per combination).
  const signalled = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = j; i < signals.length; i += n) {
      if (Number.isFinite(signals[i]!)) {
        signalled[j] = 1;
        break;
      }
    }
  }
  for (let t = start; t < bars; t++) {
    if (!schedule.scores && !schedule.rebalance[t]) continue;
    let priced = 0;
    let full = true;
    for (let j = 0; j < n && full; j++) {
      if (!signalled[j] || Number.isNaN(closes[j]![t]!)) continue;
      priced++;
      full = Number.isFinite(signals[t * n + j]!);
    }
    if (full && priced > 0) return t;
  }
  return -1;
}
