/**
 * Analyst-revision momentum, after Womack (1996), "Do Brokerage Analysts' Recommendations Have
 * Investment Value?" (prices drift after upgrades and, longer, after downgrades) and Jegadeesh,
 * Kim, Krische and Lee (2004), "Analyzing the Analysts" (the change in consensus predicts returns):
 *
 *   net_j(t)   = upgrades - downgrades of j seen in the last `windowBars` bars (first bar in (t - windowBars, t])
 *   score_j(t) = net_j(t) when > 0, none otherwise
 *
 * then the top `topPct`% of the names with a score, equally weighted (ties by symbol name), at
 * month-end (or another schedule); with no name upgraded on net, cash. Initiations, maintained and
 * reiterated ratings do not count. An action is seen from the UTC day after it (the as-of rule of
 * src/data/fundamentals.ts).
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { longTopQuantile } from './momentum-selection.js';
import { scheduleFields } from './schedule.js';
import { barsPerMonth, type Strategy, type StrategyContext, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) => {
  const quarter = 3 * barsPerMonth(interval);
  return z.strictObject({
    /** Bars of actions counted (three months). */
    windowBars: z.number().int().min(1).max(100_000).default(quarter),
    topPct: z.number().gt(0).max(100).default(30),
    ...scheduleFields('month-end'),
  });
};

export type RevisionMomentumParams = z.infer<ReturnType<typeof schema>>;

export const revisionMomentum: Strategy<RevisionMomentumParams> = {
  name: 'revision-momentum',
  title: 'Analyst-revision momentum (net upgrades)',
  citation: 'Womack (1996), Journal of Finance 51(1); Jegadeesh, Kim, Krische and Lee (2004), Journal of Finance 59(3)',
  description:
    "Hold the top quantile of names by analysts' upgrades minus downgrades over the last windowBars bars, among names upgraded on net. An action counts from the UTC day after it.",
  scoreLabel: 'net analyst upgrades (upgrades - downgrades) over the window',
  exitRule: 'none between rebalances: a holding is sold when its net upgrades fall to zero or below, or others rank higher, at a rebalance',
  fields: ['adj_close'],
  data: { analystActions: true },
  paramsSchema: schema,
  sweep: { windowBars: [21, 63, 126], topPct: [20, 30, 50] },
  targets(panel: StrategyPanel, p: RevisionMomentumParams, context?: StrategyContext): TargetSchedule {
    return longTopQuantile(panel, p, `revision-momentum:${p.windowBars}`, () => netUpgrades(panel, p.windowBars), context);
  },
};

/** score_j(t) of the module comment, one column per symbol. */
function netUpgrades(panel: StrategyPanel, windowBars: number): Float64Array[] {
  const bars = panel.dates.length;
  return panel.symbols.map((_, j) => {
    // +1 at an upgrade's first bar, -1 at a downgrade's, and the opposite windowBars later when it leaves the window.
    const change = new Float64Array(bars + 1);
    for (const a of panel.analystActions?.[j] ?? []) {
      const sign = a.action === 'up' ? 1 : a.action === 'down' ? -1 : 0;
      change[a.firstBar] += sign;
      if (a.firstBar + windowBars < bars) change[a.firstBar + windowBars] -= sign;
    }
    const out = new Float64Array(bars);
    let net = 0;
    for (let t = 0; t < bars; t++) {
      net += change[t]!;
      out[t] = net > 0 ? net : Number.NaN;
    }
    return out;
  });
}
