/**
 * Corporate actions as data: a split or a cash dividend of one symbol on its ex-date.
 *
 * - `split`: `value` new shares per old share on the ex-date (2 for a 2:1 split, 0.125 for a 1:8
 *   reverse split). Raw prices before the ex-date are in old shares: a holding of s shares becomes
 *   s x value shares.
 * - `dividend`: `value` cash per share (in the instrument's currency) paid to holders of the shares
 *   held at the close before the ex-date.
 *
 * Sources: Yahoo's chart events, an events file beside a CSV price file (`actions/SYMBOL.csv`,
 * `date,kind,value`), or derived from the raw/adjusted close factor (derive-actions.ts).
 */
export const ACTION_KINDS = ['split', 'dividend'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface CorporateAction {
  readonly symbol: string;
  /** YYYY-MM-DD, the first trading day without the entitlement. */
  readonly exDate: string;
  readonly kind: ActionKind;
  /** Split: new shares per old share; dividend: cash per share. Finite, > 0. */
  readonly value: number;
  /** Where it came from: 'yahoo', 'csv', 'derived'. */
  readonly source: string;
  /** How it was found, when that needs saying (a derived event's evidence). */
  readonly note?: string | null;
}

/**
 * A split ratio in words: `4:1`, `1:8 (reverse)`, `3:2` (within 1e-5: upstream data writes 7:1 as 7.00000700001); the decimal when no small fraction fits.
 * @example splitText(0.125) // '1:8 (reverse)'
 */
export function splitText(ratio: number): string {
  const fraction = simpleFraction(ratio, 1e-5);
  if (!fraction) return `${ratio}:1`;
  const [p, q] = fraction;
  return `${p}:${q}${p < q ? ' (reverse)' : ''}`;
}

/**
 * The split ratio p/q closest to x in relative terms, if within `tolerance`: p and q up to 20 with
 * the smaller of them up to 4, as companies set splits (2:1, 3:2, 5:4, 7:1, 1:8, 1:20...).
 * @example simpleFraction(7.00000700001, 1e-5) // [7, 1]
 */
export function simpleFraction(x: number, tolerance: number): [number, number] | null {
  if (!(x > 0) || !Number.isFinite(x)) return null;
  let best: [number, number] | null = null;
  let bestError = Infinity;
  for (let q = 1; q <= 20; q++) {
    for (let p = 1; p <= 20; p++) {
      if (Math.min(p, q) > 4 || gcd(p, q) !== 1) continue;
      const error = Math.abs(p / q / x - 1);
      if (error < bestError) {
        best = [p, q];
        bestError = error;
      }
    }
  }
  return best && bestError <= tolerance ? best : null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** One line of `momentum data actions`: `2020-08-31  split     4:1`. */
export function describeAction(action: Pick<CorporateAction, 'kind' | 'value'>): string {
  return action.kind === 'split' ? `split ${splitText(action.value)}` : `dividend ${action.value} a share`;
}
