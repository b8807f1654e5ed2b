// Preloaded (node --import) into a command the bench runs: as the process exits, writes its peak
// resident memory (kB) and CPU time (µs, all threads) to the file the bench names, so the figures
// are the command's own.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.MOMENTUM_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
  });
}
