/**
 * An own, enumerable property computed on first read and kept: a result can offer what few callers
 * read (a sweep reads none of a backtest's thousands of fills or trade records) at no cost to the
 * others, and it still spreads and serialises as a plain property. Defined after the object
 * literal, not as a `get` inside it: V8 deoptimises a hot function whose literal has an accessor
 * on every call.
 * @example const result = withLazy({ equity }, 'fills', () => book.fills.records())
 */
export function withLazy<T extends object, K extends string, V>(target: T, key: K, compute: () => V): T & { readonly [P in K]: V } {
  let value: V | undefined;
  let done = false;
  return Object.defineProperty(target, key, {
    enumerable: true,
    get: () => {
      if (!done) {
        value = compute();
        done = true;
      }
      return value as V;
    },
  }) as T & { readonly [P in K]: V };
}
