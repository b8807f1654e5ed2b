/**
 * Maps `items` through `task` with at most `concurrency` tasks in flight, keeping input order.
 * Each task must handle its own errors (a rejection aborts the map): ingestion wraps every symbol
 * so one failure never stops the others.
 * @example const sizes = await mapWithConcurrency(files, 4, (f) => stat(f).then((s) => s.size))
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
