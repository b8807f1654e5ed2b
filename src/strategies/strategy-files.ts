/**
 * A user's strategies, loaded from their files (`--strategy-file`, the `strategies` list of
 * momentum.config.json, a notebook) and registered by name. A file is a module whose default export
 * is a strategy (defineStrategy) or a list of them; `.ts` files are compiled on the fly by tsx.
 * `import { defineStrategy, z } from 'momentum'` resolves to this installation's strategy kit
 * (strategy-kit.ts) wherever the file lives, so a strategy needs no package setup of its own.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module, { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage, ValidationError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import { isStrategy } from './define-strategy.js';
import { registerStrategy, type StrategySource } from './registry.js';
import type { Strategy, StrategyParams } from './strategy.js';

export interface LoadedStrategyFile extends StrategySource {
  readonly strategies: readonly Strategy<StrategyParams>[];
}

const loaded = new Map<string, LoadedStrategyFile>();
let resolverRegistered = false;

/**
 * Loads a strategy file (relative paths from `base`, default the working folder) and registers its
 * strategies. Loading an unchanged file again returns what was loaded; a file edited since (a
 * notebook cell run again) is loaded anew and replaces its strategies. `expectedSha256`: refuse a
 * file that is not that version (a sweep worker must run the code its parent ran).
 * @example const [absMom] = (await loadStrategyFile('strategies/abs-mom.ts')).strategies;
 */
export async function loadStrategyFile(path: string, base: string = process.cwd(), expectedSha256?: string): Promise<LoadedStrategyFile> {
  const file = resolve(base, path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigError(`strategy file ${file} does not exist`);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    throw new ConfigError(
      `strategy file ${file} changed after it was loaded (sha256 ${sha256.slice(0, 16)}, loaded ${expectedSha256.slice(0, 16)}): load it again and re-run`,
    );
  }
  const known = loaded.get(file);
  if (known && known.sha256 === sha256) return known;
  registerPackageResolver();
  let namespace: Record<string, unknown>;
  try {
    // tsx compiles TypeScript (and loads JavaScript as is) through Node's own loader, in tests too; no
    // tsconfig of the working folder, so that 'momentum' always means this package's built strategy kit.
    const { tsImport } = await import('tsx/esm/api');
    namespace = (await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url, tsconfig: false })) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`strategy file ${file} failed to load: ${errorMessage(error)}`);
  }
  const strategies = exportedStrategies(namespace);
  if (strategies.length === 0) {
    throw new ConfigError(`strategy file ${file} exports no strategy: make its default export defineStrategy({ ... }) (or a list of them)`);
  }
  const source = { file, sha256 };
  for (const strategy of strategies) {
    try {
      registerStrategy(strategy, source);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(error.field, `${error.message} (strategy file ${file})`);
      throw error;
    }
  }
  const result = { ...source, strategies };
  loaded.set(file, result);
  return result;
}

/** Loads several files in order (the config's list, then the command line's). */
export async function loadStrategyFiles(paths: readonly string[], base?: string): Promise<LoadedStrategyFile[]> {
  const files: LoadedStrategyFile[] = [];
  for (const path of paths) files.push(await loadStrategyFile(path, base));
  return files;
}

function exportedStrategies(namespace: Record<string, unknown>): Strategy<StrategyParams>[] {
  // tsx may wrap a CommonJS-compiled default export once more.
  let value = namespace['default'];
  if (value && typeof value === 'object' && 'default' in value && !isStrategy(value)) value = (value as { default: unknown }).default;
  const candidates = Array.isArray(value) ? value : [value];
  const found = candidates.filter(isStrategy);
  if (found.length !== candidates.length && value !== undefined) {
    throw new ConfigError("a strategy file's default export must be strategies made by defineStrategy({ ... })");
  }
  return found;
}

/**
 * Lets a strategy file anywhere `import ... from 'momentum'`: the specifier resolves to this
 * package's built strategy kit, for ES modules (a resolve hook) and for CommonJS (tsx compiles a `.ts` file
 * outside any `"type": "module"` package to CommonJS, whose require() Node 20's hooks do not see).
 * Set before tsx loads, so that its require hook calls through this one.
 */
function registerPackageResolver(): void {
  if (resolverRegistered) return;
  resolverRegistered = true;
  const index = resolve(packageRoot(), 'dist/src/strategies/strategy-kit.js');
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'momentum') return { url: ${JSON.stringify(pathToFileURL(index).href)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'momentum' ? index : resolveFilename.call(this, request, ...rest);
  };
}
