/**
 * `npm run bench`: prints the performance figures the issues ask for. Figures, not assertions:
 * this machine is shared and noisy. PostgreSQL figures need DATABASE_URL (or run
 * `scripts/with-postgres.sh npm run bench`, which starts a throwaway server).
 * `npm run bench -- startup service` runs only the sections named.
 */
import { cpus } from 'node:os';
import { benchSmaCross, benchSweep, benchXsMomentum } from './backtest-bench.js';
import { benchCsvIngest } from './csv-ingest-bench.js';
import { benchPriceStore } from './price-store-bench.js';
import { benchPbo } from './research-bench.js';
import { benchStartup } from './startup-bench.js';
import { benchMpo } from './mpo-bench.js';
import { benchService } from './service-bench.js';
import { benchWorkers } from './worker-bench.js';
import { fmt, peakRssMb } from './bench-utils.js';

const url = process.env.DATABASE_URL || undefined;
console.log(
  `momentum benchmarks: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}); shared machine, figures are indicative`,
);

// Order matters on one process: the large heaps of the sweep and of PGlite's 1M bars slow what
// runs after them, so the commands (their own processes), the PostgreSQL store and the engine come first.
const sections: readonly (readonly [string, () => unknown])[] = [
  ['startup', benchStartup],
  ['service', benchService],
  ['csv', benchCsvIngest],
  [
    'postgres',
    () =>
      url
        ? benchPriceStore('postgres')
        : console.log('\n(PostgreSQL figures skipped: set DATABASE_URL or run scripts/with-postgres.sh npm run bench)'),
  ],
  ['sma-cross', benchSmaCross],
  ['xs-momentum', benchXsMomentum],
  [
    'sweep',
    async () => {
      if (url) await benchSweep('postgres');
      await benchSweep('pglite');
    },
  ],
  [
    'workers',
    () =>
      url
        ? benchWorkers()
        : console.log('\n(distributed sweep figures skipped: they need PostgreSQL; run scripts/with-postgres.sh npm run bench -- workers)'),
  ],
  ['pbo', benchPbo],
  ['mpo', benchMpo],
  ['pglite', () => benchPriceStore('pglite')],
];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !sections.some(([section]) => section === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark section(s) ${unknown.join(', ')}: choose from ${sections.map(([name]) => name).join(', ')}`);
  process.exit(2);
}
for (const [name, run] of sections) if (asked.length === 0 || asked.includes(name)) await run();

console.log(`\npeak memory (RSS): ${fmt(peakRssMb())} MB`);
process.exit(0);
