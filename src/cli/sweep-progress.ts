/** Sweep progress: a bar on a terminal, a line every 10% otherwise. */
import cliProgress from 'cli-progress';
import type { SweepProgress } from '../backtest/sweep.js';
import type { Output } from './cli-context.js';

export function sweepProgressReporter(output: Output): (progress: SweepProgress) => void {
  if (!output.isTTY) {
    let lastDecile = -1;
    return ({ done, total, failed }) => {
      const decile = Math.floor((done / total) * 10);
      if (decile === lastDecile && done !== total) return;
      lastDecile = decile;
      output.err(`sweep: ${done}/${total} combinations${failed ? ` (${failed} failed)` : ''}`);
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'sweep {bar} {value}/{total} combinations | {failed} failed | eta {eta}s', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return ({ done, total, failed }) => {
    if (!started) {
      bar.start(total, 0, { failed: 0 });
      started = true;
    }
    bar.update(done, { failed });
    if (done >= total) bar.stop();
  };
}
