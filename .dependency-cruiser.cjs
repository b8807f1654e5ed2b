// Enforces DESIGN.md's rules of the house: no import cycles, and lower layers never import higher ones.
const layers = ['util', 'mpo', 'db', 'data', 'strategies', 'backtest', 'research', 'portfolio', 'monitor', 'report', 'api'];

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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
