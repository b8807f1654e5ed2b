// Preloaded (node --import) into a command the bench runs: as the process exits, writes its peak
// resident memory (kB), its peak JavaScript heap in use (kB, sampled every 50 ms) and CPU time (µs,
// all threads) to the file the bench names, so the figures are the command's own.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';

const file = process.env.MOMENTUM_BENCH_USAGE_FILE;
if (file) {
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  setInterval(sample, 50).unref();
  process.on('exit', () => {
    sample();
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        peakHeapKb: Math.round(peakHeap / 1024),
        cpuMicros: usage.userCPUTime + usage.systemCPUTime,
      }),
    );
  });
}
