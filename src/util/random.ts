/**
 * A small seeded random source (mulberry32, a 32-bit generator with good statistical quality for
 * simulation), so everything random in momentum is reproducible from a seed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller, two uniforms a draw, no caching: the draw count is predictable). */
  normal(): number;
  /** Integer uniform in [min, max]. */
  integer(min: number, max: number): number;
}

/** @example const r = createRandom(42); r.normal() */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      const u = 1 - next(); // (0, 1]: log(u) is finite
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    integer(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
  };
}
