/**
 * The standard normal distribution function and its inverse, to near double precision, with no
 * dependency. Numeric kernels: NaN in, NaN out, never throwing.
 *
 * - `normalCdf(x)` = Phi(x) = P(Z <= x) by W. J. Cody's rational Chebyshev approximations
 *   ("Rational Chebyshev approximations for the error function", Math. Comp. 23, 1969; the ANORM
 *   routine of his SPECFUN package, TOMS Algorithm 715, 1993), in the form R's `pnorm` uses:
 *   three intervals (|x| <= 0.674, <= sqrt(32), beyond), the tail computed directly (not as
 *   1 - something), and exp(-x^2 / 2) split as exp(-xsq^2 / 2) * exp(-del / 2) with xsq = x rounded
 *   down to 1/16, so the Gaussian factor keeps its relative precision. Relative error ~1e-16
 *   over the whole range, including far tails (Phi(-37) ~ 5.7e-300).
 * - `normalQuantile(p)` = Phi^-1(p) by Peter J. Acklam's rational approximation (relative error
 *   1.15e-9), refined by one Halley step against `normalCdf`, which brings it to ~1e-15. It works
 *   in the lower tail (p > 0.5 is answered as -Phi^-1(1 - p), exact in floating point), where
 *   Phi(x) - p keeps its relative precision.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const INV_SQRT_2PI = 1 / SQRT_2PI;
const SQRT_32 = Math.sqrt(32);

// Cody's coefficients (his 20-digit values, written as the shortest decimals of the same doubles):
// |x| <= 0.674 (a, b), 0.674 < |x| <= sqrt(32) (c, d), |x| > sqrt(32) (p, q).
const A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745];
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726, 6848.190450536283, 11602.65143764735,
  9842.714838383978, 1.0765576773720192e-8,
];
const D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097, 34900.95272114598, 38912.00328609327,
  19685.429676859992,
];
const P = [
  0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934, 2.9112874951168793e-5, 0.023073441764940174,
];
const Q = [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 7.297515550839662e-5];

/**
 * Phi(x), the standard normal distribution function (Cody's approximations, see the module doc).
 * @example normalCdf(1.96) // 0.9750021048517795
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    // Phi(x) = 1/2 + x * R(x^2), no cancellation near the centre.
    const xsq = x * x;
    let num = A[4]! * xsq;
    let den = xsq;
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]!) * xsq;
      den = (den + B[i]!) * xsq;
    }
    return 0.5 + (x * (num + A[3]!)) / (den + B[3]!);
  }
  let ratio: number; // tail = exp(-y^2 / 2) * ratio = P(Z > y)
  if (y <= SQRT_32) {
    let num = C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    ratio = (num + C[7]!) / (den + D[7]!);
  } else if (y < 37.5193) {
    const xsq = 1 / (y * y);
    let num = P[5]! * xsq;
    let den = xsq;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * xsq;
      den = (den + Q[i]!) * xsq;
    }
    ratio = (INV_SQRT_2PI - (xsq * (num + P[4]!)) / (den + Q[4]!)) / y;
  } else {
    return x > 0 ? 1 : 0; // beyond the smallest positive double
  }
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  const tail = Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * ratio;
  return x > 0 ? 1 - tail : tail;
}

// Acklam's coefficients: central region (a, b), tails (c, d).
const AA = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const AB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const AC = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const AD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Phi^-1(p), the standard normal quantile (Acklam + one Halley step, see the module doc); NaN for p
 * outside (0, 1).
 * @example normalQuantile(0.975) // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return Number.NaN;
  return p > 0.5 ? -lowerQuantile(1 - p) : lowerQuantile(p);
}

/** Phi^-1(p) for 0 < p <= 0.5 (x <= 0). */
function lowerQuantile(p: number): number {
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((AC[0]! * q + AC[1]!) * q + AC[2]!) * q + AC[3]!) * q + AC[4]!) * q + AC[5]!) /
      ((((AD[0]! * q + AD[1]!) * q + AD[2]!) * q + AD[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((AA[0]! * r + AA[1]!) * r + AA[2]!) * r + AA[3]!) * r + AA[4]!) * r + AA[5]!) * q) /
      (((((AB[0]! * r + AB[1]!) * r + AB[2]!) * r + AB[3]!) * r + AB[4]!) * r + 1);
  }
  // Halley step on f(x) = Phi(x) - p: u = f / f', x -= u / (1 + x * u / 2).
  const u = (normalCdf(x) - p) * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
