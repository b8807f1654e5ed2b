// Enforces DESIGN.md's rules of the house: no import cycles, lower layers never import higher ones
// (the room order of src/README.md), and each table is queried by its owning store (src/db/README.md).
// mail (outbox, transports, subscribers) sits below report (rendering), which renders and hands mail over.
const layers = [
  'util',
  'mpo',
  'db',
  'data',
  'strategies',
  'backtest',
  'research',
  'portfolio',
  'monitor',
  'mail',
  'report',
  'api',
  'notebook',
];

// Modules that may see the tables: the stores, the db internals (connection, migrator, COPY), and
// jobs/job-runs.ts, the job_runs table's store (named for the jobs room it serves).
const tableOwners = ['-store\\.ts$', '^src/db/', '^jobs/job-runs\\.ts$'];

const layerRules = layers.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-no-higher-layer`,
  severity: 'error',
  comment: `src/${layer} sits below ${layers.slice(i + 1).join(', ')} and must not import them`,
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${layers.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'src-never-imports-jobs-or-cli',
      severity: 'error',
      comment: 'jobs/ and the CLI are the outer edge; src/ modules never reach back into them',
      from: { path: '^src/(?!cli\\.ts$|cli/)' },
      to: { path: '^(jobs/|src/cli\\.ts$)' },
    },
    {
      name: 'core-never-imports-the-public-index',
      severity: 'error',
      from: { path: '^src/.+/' },
      to: { path: '^src/index\\.ts$' },
    },
    ...layerRules,
    {
      name: 'only-stores-import-the-table-types',
      severity: 'error',
      comment: 'each table has one owning *-store.ts module (src/db/README.md); other modules call its named queries',
      from: { path: '^(src|jobs)/', pathNot: tableOwners },
      to: { path: '^src/db/schema\\.ts$' },
    },
    {
      name: 'only-stores-write-sql',
      severity: 'error',
      comment:
        "queries (Kysely) live in the owning stores; src/data/panel.ts is the bars table's panel read (with derived-bars.ts, its weekly and monthly bars), beside price-store.ts (src/db/README.md)",
      from: { path: '^(src|jobs)/', pathNot: [...tableOwners, '^src/data/panel\\.ts$', '^src/data/derived-bars\\.ts$'] },
      to: { path: 'node_modules/kysely/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
