/**
 * Corporate actions derived from a price series when the source gives no events: the adjustment
 * factor f_t = adj_close_t / close_t changes only on ex-dates (adjusted prices are the raw prices
 * scaled back for every later split and dividend), so its step g = f_t / f_{t-1} between two
 * consecutive bars says what happened on bar t:
 *
 *   |g - 1| <= tolerance                 nothing: the adjusted close's own rounding. The tolerance is
 *                                        measured on the series: 20 x the median |g - 1| over all its
 *                                        steps (most steps have no event, so that median is the
 *                                        rounding noise), kept between 1e-6 and 1e-2
 *   |ln g| > ln 1.2 and g within 0.1% of a split ratio p/q (p, q <= 20, the smaller <= 4)
 *                                        a split of p/q new shares per old share
 *                                        (adjusted prices before it were divided by p/q)
 *   otherwise, g > 1                      a cash distribution D = close_{t-1} x (1 - 1/g)
 *                                        (adjusted prices before it were scaled by 1 - D/close_{t-1});
 *                                        above 20% of the price it is flagged as unclassified (a
 *                                        spin-off or special dividend?) and still stored as a
 *                                        distribution, so holdings keep the value the adjusted series keeps
 *   otherwise (g < 1)                     flagged as unclassified and not stored: no split or
 *                                        dividend makes the adjusted close fall against the raw one
 *
 * On ../shared/data (adjusted closes to 10 decimals) the tolerance is 1e-6, so a dividend of 0.0001%
 * of the price is seen; a source that rounds adjusted closes to cents sees only larger ones.
 * A split ratio needs the series' own scale: derive over one consistent download (a whole file),
 * not across deltas fetched on different days (Yahoo re-anchors adjusted closes at each dividend).
 * Checked against the real event files of ../shared/data (test/data/derive-actions.test.ts).
 */
import { formatBarTime, type Interval } from './bar.js';
import { simpleFraction, splitText, type CorporateAction } from './corporate-action.js';

const MIN_TOLERANCE = 1e-6;
const MAX_TOLERANCE = 1e-2;
/** A factor step beyond +-20% can be a split; within it, it is a distribution. */
const SPLIT_STEP = 1.2;
/** How close a step must come to a split ratio to be called a split (every real split of ../shared/data fits exactly). */
const SPLIT_FIT = 0.001;

export interface FactorRow {
  readonly ts: number;
  readonly close: number;
  readonly adj_close: number;
}

export interface DerivedActions {
  readonly actions: readonly CorporateAction[];
  /** Steps it could not classify (or classified with doubt), by bar date. */
  readonly flagged: readonly { readonly ts: string; readonly reason: string }[];
}

/**
 * @example deriveActions('USO', rows, '1d').actions // [{ exDate: '2020-04-29', kind: 'split', value: 0.125, ... }]
 */
export function deriveActions(symbol: string, rows: readonly FactorRow[], interval: Interval): DerivedActions {
  const actions: CorporateAction[] = [];
  const flagged: { ts: string; reason: string }[] = [];
  const priced = rows.filter((row) => row.close > 0 && row.adj_close > 0);
  const steps = priced.slice(1).map((row, i) => row.adj_close / row.close / (priced[i]!.adj_close / priced[i]!.close));
  const tolerance = stepTolerance(steps);
  steps.forEach((step, i) => {
    const date = formatBarTime(priced[i + 1]!.ts, interval);
    const classified = classifyStep(step, priced[i]!.close, tolerance);
    if (classified.kind === 'split' || classified.kind === 'dividend') {
      actions.push({ symbol, exDate: date, kind: classified.kind, value: classified.value, source: 'derived', note: classified.note });
    }
    if (classified.kind === 'dividend' && classified.doubt) flagged.push({ ts: date, reason: classified.doubt });
    if (classified.kind === 'unclassified') flagged.push({ ts: date, reason: classified.reason });
  });
  return { actions, flagged };
}

/** The series' rounding noise: 20 x the median |g - 1|, within [1e-6, 1e-2]. */
export function stepTolerance(steps: readonly number[]): number {
  const sizes = steps
    .filter(Number.isFinite)
    .map((g) => Math.abs(g - 1))
    .sort((a, b) => a - b);
  const median = sizes.length === 0 ? 0 : sizes[Math.floor(sizes.length / 2)]!;
  return Math.min(MAX_TOLERANCE, Math.max(MIN_TOLERANCE, 20 * median));
}

type Step =
  | { readonly kind: 'none' }
  | { readonly kind: 'split'; readonly value: number; readonly note: string }
  | { readonly kind: 'dividend'; readonly value: number; readonly note: string; readonly doubt: string | null }
  | { readonly kind: 'unclassified'; readonly reason: string };

/** What one step g of the adjustment factor means (the rule of the module header). */
export function classifyStep(step: number, previousClose: number, tolerance: number): Step {
  if (!Number.isFinite(step) || Math.abs(step - 1) <= tolerance) return { kind: 'none' };
  const factor = `the adjustment factor (adj_close / close) moved x${round(step, 6)}`;
  if (Math.abs(Math.log(step)) > Math.log(SPLIT_STEP)) {
    const fraction = simpleFraction(step, SPLIT_FIT);
    if (fraction) {
      const ratio = fraction[0] / fraction[1];
      return { kind: 'split', value: ratio, note: `derived: ${factor}, a ${splitText(ratio)} split` };
    }
  }
  if (step > 1) {
    const cash = previousClose * (1 - 1 / step);
    const share = 1 - 1 / step;
    const note = `derived: ${factor}, a distribution of ${round(cash, 6)} a share (${round(share * 100, 3)}% of the close before)`;
    const doubt =
      step > SPLIT_STEP
        ? `unclassified: ${factor} (${round(share * 100, 1)}% of the price), no split ratio fits; stored as a cash distribution of ${round(cash, 4)} a share (a spin-off or special dividend?): give an events file to be exact`
        : null;
    return { kind: 'dividend', value: cash, note, doubt };
  }
  return {
    kind: 'unclassified',
    reason: `unclassified: ${factor}, a fall no split or dividend explains; not stored as an event (check the adjusted close)`,
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
