/**
 * `momentum reference sma-cross|momentum-xs FOLDER`: the reference cases' rules as a command, so
 * any folder of CSVs in that layout (other seeds, other sizes) can be checked against backtrader.
 * Prints JSON with the field names of the case's expected.json (the `summary` for sma-cross).
 */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import { parseIntegerOption, parseNumberOption } from './options.js';

export function registerReferenceCommand(program: Command, output: Output): void {
  const reference = program.command('reference').description("run a reference case's rules on a folder of CSVs and print the summary JSON");
  reference
    .command('sma-cross <folder>')
    .description('per symbol: buy SIZE shares when SMA(fast) crosses above SMA(slow), sell when it crosses back; fills next open')
    .option('--fast <n>', 'fast SMA length', '20')
    .option('--slow <n>', 'slow SMA length', '100')
    .option('--size <n>', 'shares per entry', '100')
    .option('--cash <amount>', 'starting cash', '1000000000')
    .option('--detail', 'print every trade per symbol too ({ summary, per_symbol })')
    .action(async (folder: string, flags: { fast: string; slow: string; size: string; cash: string; detail?: boolean }) => {
      const { readReferencePanel, smaCrossReference } = await import('../backtest/reference.js');
      const result = smaCrossReference(await readReferencePanel(folder), {
        fast: parseIntegerOption(flags.fast, 'fast', 1, 100_000)!,
        slow: parseIntegerOption(flags.slow, 'slow', 2, 100_000)!,
        size: parseIntegerOption(flags.size, 'size', 1, 1e12)!,
        cash: parseNumberOption(flags.cash, 'cash', 0)!,
      });
      output.out(JSON.stringify(flags.detail ? result : result.summary, null, 1));
    });
  reference
    .command('momentum-xs <folder>')
    .description('month-end 12-1 momentum: hold the top 20% at target-scale/k of value, whole shares, reducing orders first')
    .option('--target-scale <x>', 'fraction of portfolio value invested', '0.99')
    .option('--lookback <n>', 'bars back to the start of the return window', '252')
    .option('--skip <n>', 'latest bars skipped', '21')
    .option('--top-pct <pct>', 'top quantile held, percent', '20')
    .option('--cash <amount>', 'starting cash', '1000000')
    .action(async (folder: string, flags: { targetScale: string; lookback: string; skip: string; topPct: string; cash: string }) => {
      const { readReferencePanel, momentumXsReference } = await import('../backtest/reference.js');
      const result = momentumXsReference(await readReferencePanel(folder), {
        targetScale: parseNumberOption(flags.targetScale, 'target-scale', 0)!,
        lookback: parseIntegerOption(flags.lookback, 'lookback', 2, 100_000)!,
        skip: parseIntegerOption(flags.skip, 'skip', 0, 100_000)!,
        topPct: parseNumberOption(flags.topPct, 'top-pct', 0)!,
        cash: parseNumberOption(flags.cash, 'cash', 0)!,
      });
      output.out(JSON.stringify(result, null, 1));
    });
}
