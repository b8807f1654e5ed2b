/**
 * Tests spawn the built `momentum` command (dist/cli/cli.js, what a user runs), not the sources
 * through tsx: ~0.4 s a start against ~1 s, over hundreds of spawns. So that they never run a stale
 * build, this builds it first (`npm run build`) whenever a file of src/, jobs/, sql/ or package.json is newer
 * than the bundle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/cli/cli.js');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), stat.mtimeMs);
}

export default function setup(): void {
  const sources = Math.max(...['src', 'jobs', 'sql', 'package.json', 'scripts/bundle-cli.mjs'].map((p) => newestChange(join(ROOT, p))));
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
