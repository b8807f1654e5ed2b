/**
 * Which alerts a monitor run creates and which stored ones it ends: the episode rules
 * (alert-episodes.ts) applied to the portfolio's drawdown and to each position's, for the bars
 * after the watermark. Pure.
 */
import { dateToTs, formatBarTime, type Interval } from '../data/bar.js';
import { scanEpisodes, type EpisodeEvent, type Resolution } from './alert-episodes.js';
import type { ThresholdSet } from './monitor-options.js';
import type { PortfolioPath } from './value-path.js';

export type AlertScope = 'portfolio' | 'position';

/** An alert episode still open in the store. */
export interface OpenAlert {
  readonly id: number;
  readonly scope: AlertScope;
  readonly symbol: string | null;
  readonly threshold: number;
  /** The bar date it was crossed. */
  readonly observedAt: string;
}

/** A new alert, before it is stored. */
export interface AlertDraft {
  readonly scope: AlertScope;
  /** null for the portfolio. */
  readonly symbol: string | null;
  readonly rebalanceId: number;
  readonly threshold: number;
  readonly drawdown: number;
  readonly peakDate: string;
  /** The portfolio's value at its peak (scope portfolio) or the position's price level at its peak (scope position). */
  readonly peakValue: number;
  readonly observedAt: string;
  /** Set when the episode also ended within this run's bars. */
  readonly recoveredAt: string | null;
  readonly resolution: Resolution | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AlertEnding {
  readonly id: number;
  readonly recoveredAt: string;
  readonly resolution: Resolution;
}

export interface AlertPlan {
  readonly drafts: readonly AlertDraft[];
  readonly endings: readonly AlertEnding[];
}

/**
 * @example planAlerts(path, settings.thresholds, openAlerts, watermarkTs, '1d').drafts // the new alerts, oldest first
 */
export function planAlerts(
  path: PortfolioPath,
  thresholds: ThresholdSet,
  open: readonly OpenAlert[],
  through: number,
  interval: Interval,
): AlertPlan {
  const day = (ts: number) => formatBarTime(ts, interval);
  // The rebalance whose holdings were marked at the point (on a rebalance date with a bar: the old one).
  const rebalanceId = (point: number) => path.rebalances[path.observedRebalance[point]!]!.id;
  const drafts: AlertDraft[] = [];
  const endings: AlertEnding[] = [];
  // A rebalance stored after the watermark had passed its date (the monitor ran before the
  // rebalance job that day) sold positions at or before the watermark: their episodes opened up to
  // the sale end now, as the scan below never sees that sale.
  const late = new Set<number>();
  for (const spell of path.positions) {
    if (spell.exitTs === null || spell.exitTs > through) continue;
    const entryTs = path.ts[spell.entryPoint]!;
    for (const a of open) {
      const observed = barTimeOf(a.observedAt);
      if (a.scope !== 'position' || a.symbol !== spell.symbol || observed < entryTs || observed > spell.exitTs) continue;
      late.add(a.id);
      endings.push({ id: a.id, recoveredAt: day(spell.exitTs), resolution: 'position-closed' });
    }
  }
  const openOf = (scope: AlertScope, symbol: string | null) =>
    new Map(open.filter((a) => a.scope === scope && a.symbol === symbol && !late.has(a.id)).map((a) => [a.threshold, a.id]));

  const portfolioEvents: EpisodeEvent[] = Array.from(path.ts, (ts, point) => ({
    kind: 'observe',
    ts,
    drawdown: path.drawdown[point]!,
    point,
  }));
  const portfolioScan = scanEpisodes(portfolioEvents, thresholds.portfolio, openOf('portfolio', null), through);
  for (const c of portfolioScan.crossings) {
    const peak = path.peakPoint[c.point]!;
    drafts.push({
      scope: 'portfolio',
      symbol: null,
      rebalanceId: rebalanceId(c.point),
      threshold: c.threshold,
      drawdown: c.drawdown,
      peakDate: day(path.ts[peak]!),
      peakValue: path.value[peak]!,
      observedAt: day(c.ts),
      recoveredAt: c.endedTs === null ? null : day(c.endedTs),
      resolution: c.resolution,
      details: { value: path.value[c.point]!, index: path.index[c.point]!, peakIndex: path.index[peak]! },
    });
  }
  for (const e of portfolioScan.endings) endings.push({ id: e.ref, recoveredAt: day(e.ts), resolution: e.resolution });

  const symbols = [...new Set(path.positions.map((p) => p.symbol))];
  for (const symbol of symbols) {
    const spells = path.positions.filter((p) => p.symbol === symbol);
    const events: EpisodeEvent[] = [];
    for (const spell of spells) {
      spell.level.forEach((_, k) =>
        events.push({ kind: 'observe', ts: path.ts[spell.entryPoint + k]!, drawdown: spell.drawdown[k]!, point: spell.entryPoint + k }),
      );
      if (spell.exitTs !== null) events.push({ kind: 'close', ts: spell.exitTs });
    }
    const scan = scanEpisodes(events, thresholds.position, openOf('position', symbol), through);
    for (const c of scan.crossings) {
      const spell = spells.find((s) => c.point >= s.entryPoint && c.point <= s.endPoint)!;
      const k = c.point - spell.entryPoint;
      const peak = spell.peakPoint[k]!;
      drafts.push({
        scope: 'position',
        symbol,
        rebalanceId: rebalanceId(c.point),
        threshold: c.threshold,
        drawdown: c.drawdown,
        peakDate: day(path.ts[peak]!),
        peakValue: spell.level[peak - spell.entryPoint]!,
        observedAt: day(c.ts),
        recoveredAt: c.endedTs === null ? null : day(c.endedTs),
        resolution: c.resolution,
        details: { price: spell.level[k]!, entryDate: day(path.ts[spell.entryPoint]!), entryPrice: spell.entryPrice },
      });
    }
    for (const e of scan.endings) endings.push({ id: e.ref, recoveredAt: day(e.ts), resolution: e.resolution });
  }
  // Positions with an open episode but no spell on this path (their rebalances are gone) stay as they are.
  drafts.sort((a, b) => (a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : 0));
  return { drafts, endings };
}

/** Time of a stored bar date: YYYY-MM-DD, or an ISO instant for intraday bars. */
export function barTimeOf(text: string): number {
  return text.length === 10 ? dateToTs(text) : Date.parse(text);
}
