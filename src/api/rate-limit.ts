/**
 * A per-address request budget for the public endpoints (the links of subscriber mail): at most
 * `limit` requests a minute from one address, so a guesser cannot try tokens or signatures fast and
 * a burst cannot queue work on the database. Fixed one-minute windows: the table of addresses is
 * emptied as each window begins, so it holds at most one minute's distinct callers.
 */
export interface RateLimiter {
  /** Counts a request from `address`: 0 when allowed, else the seconds until the next window. */
  take(address: string): number;
}

const WINDOW_MS = 60_000;

/** @example const limiter = rateLimiter(60); if (limiter.take(req.socket.remoteAddress ?? '') > 0) answer429() */
export function rateLimiter(limit: number, now: () => number = Date.now): RateLimiter {
  const counts = new Map<string, number>();
  let windowStart = now();
  return {
    take(address) {
      if (limit === 0) return 0;
      const at = now();
      if (at - windowStart >= WINDOW_MS) {
        counts.clear();
        windowStart = at;
      }
      const count = (counts.get(address) ?? 0) + 1;
      counts.set(address, count);
      return count > limit ? Math.max(1, Math.ceil((windowStart + WINDOW_MS - at) / 1000)) : 0;
    },
  };
}
