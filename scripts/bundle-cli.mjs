// Bundles the built `momentum` command (dist/src/cli.js, from tsc) into dist/cli/, the `bin` of the
// package. Every start of the command used to load ~400 modules one by one (kysely alone ships 255
// files, zod 95): bundled, `data summary` measured ~130 ms faster. Lazily imported command modules
// stay separate chunks, so a command still loads only what it runs. Only the libraries loaded on
// every start are bundled; the others stay in node_modules, where some find files of their own
// (PGlite's WebAssembly, resvg's native module, fonts). The worker threads' modules are entries
// too: spawnWorker finds them next to the chunk that starts them.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED = new Set(['commander', 'kysely', 'zod']);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(manifest.dependencies).filter((name) => !BUNDLED.has(name));
const outdir = join(root, 'dist/cli');

rmSync(outdir, { recursive: true, force: true }); // chunk names change with their contents

await build({
  entryPoints: ['dist/src/cli.js', 'dist/src/backtest/sweep-worker.js', 'dist/src/api/solve-worker.js'].map((entry) => join(root, entry)),
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // commander is CommonJS and requires Node's modules: give the ESM bundle a require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
