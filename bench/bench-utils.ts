/** Small helpers for `npm run bench`: timing, medians, and figures printed as aligned lines. */
import { performance } from 'node:perf_hooks';

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - start) / 1000 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function report(label: string, value: string, target?: string): void {
  const verdict = target ? `  (target ${target})` : '';
  console.log(`  ${label.padEnd(58)} ${value}${verdict}`);
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
