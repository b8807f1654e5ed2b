// Preloaded (node --import) into a command the bench runs: as the process exits, writes its peak
// resident memory in kB to the file the bench names, so the figure is the command's own.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.MOMENTUM_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
