/**
 * Writes the latest of a stream of values, one write at a time: values pushed while a write is
 * under way are folded into the next one, so a fast producer (a sweep reports each of its
 * thousands of combinations) costs at most one write in flight and one waiting.
 * @example const progress = latestOnly((p: number) => save(p)); progress.push(0.1); progress.push(0.2); await progress.settled()
 */
export function latestOnly<T>(write: (value: T) => Promise<void>): { push(value: T): void; settled(): Promise<void> } {
  let next: { value: T } | undefined;
  let chain = Promise.resolve();
  return {
    push(value) {
      const waiting = next !== undefined;
      next = { value };
      if (waiting) return;
      chain = chain.then(() => {
        const { value: latest } = next!;
        next = undefined;
        return write(latest);
      });
    },
    settled: () => chain,
  };
}
