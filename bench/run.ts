/**
 * `npm run bench`: prints the performance figures the issues ask for. Figures, not assertions:
 * this machine is shared and noisy. PostgreSQL figures need DATABASE_URL (or run
 * `scripts/with-postgres.sh npm run bench`, which starts a throwaway server).
 */
import { cpus } from 'node:os';
import { benchSmaCross, benchSweep, benchXsMomentum } from './backtest-bench.js';
import { benchCsvIngest } from './csv-ingest-bench.js';
import { benchPriceStore } from './price-store-bench.js';
import { benchPbo } from './research-bench.js';
import { benchStartup } from './startup-bench.js';
import { benchMpo } from './mpo-bench.js';
import { benchService } from './service-bench.js';
import { fmt, peakRssMb } from './bench-utils.js';

const url = process.env.DATABASE_URL || undefined;
console.log(
  `momentum benchmarks: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}); shared machine, figures are indicative`,
);

// Order matters on one process: the large heaps of the sweep and of PGlite's 1M bars slow what
// runs after them, so the commands (their own processes), the PostgreSQL store and the engine come first.
benchStartup();
await benchService();
await benchCsvIngest();
if (url) await benchPriceStore('postgres');
else console.log('\n(PostgreSQL figures skipped: set DATABASE_URL or run scripts/with-postgres.sh npm run bench)');
await benchSmaCross();
benchXsMomentum();
await benchSweep();
benchPbo();
await benchMpo();
await benchPriceStore('pglite');

console.log(`\npeak memory (RSS): ${fmt(peakRssMb())} MB`);
process.exit(0);
