/** Small helpers for `npm run bench`: timing, medians, and figures printed as aligned lines. */
import { performance } from 'node:perf_hooks';

/** Wall time, and this process's CPU time (all threads: PGlite's WebAssembly tiers up on others). */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
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
