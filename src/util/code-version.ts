/**
 * The code version stored with every result: the package version plus the git commit when the
 * code runs from a checkout (`0.1.0+git.1a2b3c4`, `-dirty` with uncommitted changes).
 */
import { execFileSync } from 'node:child_process';
import { packageRoot, packageVersion } from './package-root.js';

let cached: string | undefined;

/** A worker thread runs its parent's code: it takes the parent's version rather than asking git again. */
export function adoptCodeVersion(version: string): void {
  cached = version;
}

export function codeVersion(): string {
  if (cached) return cached;
  let version = packageVersion();
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 })
        .toString()
        .trim();
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    version += `+git.${commit}${dirty ? '-dirty' : ''}`;
  } catch {
    // not a git checkout (an installed package): the package version alone
  }
  cached = version;
  return version;
}
