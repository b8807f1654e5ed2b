/**
 * Drawdown alerts, one per threshold per episode. Pure: a drawdown series and the episodes still
 * open in, new crossings and ended episodes out.
 *
 * For each threshold θ (a negative fraction, -0.10 = 10% below the peak) and each observation d:
 * - crossing: an alert when d <= θ and no episode of θ is open; the episode opens. Several
 *   thresholds crossed on one bar alert once each; an open episode of θ stays silent however
 *   often d dips below θ again.
 * - recovery: the open episode of θ ends at the first later bar with d >= θ / 2, i.e. when at
 *   least half of the threshold's depth is won back (a new peak, d = 0, always counts). After that
 *   the next d <= θ alerts again.
 * - a position sold at a rebalance ends its open episodes ('position-closed').
 *
 * Why θ / 2: "back above θ" would re-alert on every wiggle around the line (-10.1%, -9.9%, -10.1%:
 * three emails for one slide), and "only at a new peak" would stay silent through a second leg of
 * a long bear market (-12%, bounce to -3%, -12% again). Half the depth is a hysteresis band that
 * grows with the threshold: the -5% alert re-arms above -2.5%, the -20% one above -10%.
 *
 * Comparisons allow 1e-12 of rounding, so a drawdown of exactly θ or θ / 2 counts.
 */

export const ALERT_TOLERANCE = 1e-12;

export type EpisodeEvent =
  | { readonly kind: 'observe'; readonly ts: number; readonly drawdown: number; readonly point: number }
  | { readonly kind: 'close'; readonly ts: number };

export type Resolution = 'recovered' | 'position-closed';

export interface Crossing {
  readonly threshold: number;
  readonly ts: number;
  readonly drawdown: number;
  /** The observation's point (on the portfolio's path). */
  readonly point: number;
  /** Set when the same scan also saw the episode end. */
  readonly endedTs: number | null;
  readonly resolution: Resolution | null;
}

export interface Ending<R> {
  /** The open episode (a stored alert) that ended. */
  readonly ref: R;
  readonly threshold: number;
  readonly ts: number;
  readonly resolution: Resolution;
}

export interface EpisodeScan<R> {
  readonly crossings: readonly Crossing[];
  readonly endings: readonly Ending<R>[];
}

/** The recovery level of a threshold: half its depth. */
export function recoveryLevel(threshold: number): number {
  return threshold / 2;
}

/**
 * Applies the events after `through` (exclusive; -Infinity for all) in order.
 * @example scanEpisodes([{ kind: 'observe', ts: 1, drawdown: -0.12, point: 0 }], [-0.05, -0.1], new Map(), -Infinity)
 *          // two crossings: -0.05 and -0.1, both on the same bar
 */
export function scanEpisodes<R>(
  events: readonly EpisodeEvent[],
  thresholds: readonly number[],
  open: ReadonlyMap<number, R>,
  through: number,
): EpisodeScan<R> {
  type Open = { kind: 'stored'; ref: R } | { kind: 'new'; at: number };
  const state = new Map<number, Open>([...open].map(([threshold, ref]) => [threshold, { kind: 'stored', ref }]));
  const crossings: Crossing[] = [];
  const endings: Ending<R>[] = [];
  const end = (threshold: number, episode: Open, ts: number, resolution: Resolution) => {
    if (episode.kind === 'stored') endings.push({ ref: episode.ref, threshold, ts, resolution });
    else crossings[episode.at] = { ...crossings[episode.at]!, endedTs: ts, resolution };
    state.delete(threshold);
  };
  for (const event of events) {
    if (!(event.ts > through)) continue;
    if (event.kind === 'close') {
      for (const [threshold, episode] of [...state]) end(threshold, episode, event.ts, 'position-closed');
      continue;
    }
    for (const [threshold, episode] of [...state]) {
      if (event.drawdown >= recoveryLevel(threshold) - ALERT_TOLERANCE) end(threshold, episode, event.ts, 'recovered');
    }
    for (const threshold of thresholds) {
      if (state.has(threshold) || !(event.drawdown <= threshold + ALERT_TOLERANCE)) continue;
      state.set(threshold, { kind: 'new', at: crossings.length });
      crossings.push({ threshold, ts: event.ts, drawdown: event.drawdown, point: event.point, endedTs: null, resolution: null });
    }
  }
  return { crossings, endings };
}
