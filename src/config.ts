/**
 * Environment and configuration file, both validated with zod.
 *
 * Environment: `DATABASE_URL` (PostgreSQL; unset -> embedded PGlite), `MOMENTUM_HOME` (local state:
 * embedded database, mail outbox, generated reports; default `./.momentum`), `MOMENTUM_CONFIG`
 * (the configuration file; default `./momentum.config.json`, else the one shipped with the package).
 * The configuration file holds named universes, each a list of symbols with optional metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { assetClassSchema, intervalSchema, normaliseSymbol, type InstrumentInfo, type Interval } from './data/bar.js';
import { ConfigError, ValidationError } from './errors.js';
import { packageRoot } from './util/package-root.js';
import { DEFAULT_GATE_SETS, gateSetSchema, type GateSet } from './research/gate-set.js';

export interface Environment {
  readonly databaseUrl: string | undefined;
  readonly home: string;
  readonly configPath: string;
  /** MOMENTUM_API_TOKEN: the bearer token of `momentum serve` (required off loopback). */
  readonly apiToken: string | undefined;
}

/** A variable set to blanks counts as unset. */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const envSchema = z.object({
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    'must start with postgres:// or postgresql://',
  ),
  MOMENTUM_HOME: optionalText,
  MOMENTUM_CONFIG: optionalText,
  MOMENTUM_API_TOKEN: optionalText,
});

export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Environment {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${issue.path.join('.')} ${issue.message}`);
  }
  const { DATABASE_URL, MOMENTUM_HOME, MOMENTUM_CONFIG, MOMENTUM_API_TOKEN } = parsed.data;
  return {
    databaseUrl: DATABASE_URL,
    home: resolve(cwd, MOMENTUM_HOME ?? '.momentum'),
    configPath: MOMENTUM_CONFIG ? resolve(cwd, MOMENTUM_CONFIG) : defaultConfigPath(cwd),
    apiToken: MOMENTUM_API_TOKEN,
  };
}

function defaultConfigPath(cwd: string): string {
  const local = join(cwd, 'momentum.config.json');
  if (existsSync(local)) return local;
  return join(packageRoot(), 'momentum.config.json');
}

/** A member is a symbol, or a symbol with metadata: `"SPY"` or `{ "symbol": "TLT", "asset_class": "bond" }`. */
const memberSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { symbol: value } : value),
  z.strictObject({
    symbol: z.string(),
    name: z.string().optional(),
    asset_class: assetClassSchema.optional(),
    currency: z.string().optional(),
    exchange: z.string().optional(),
    timezone: z.string().optional(),
  }),
);

const universeSchema = z.strictObject({
  description: z.string().optional(),
  interval: intervalSchema.optional(),
  symbols: z.array(memberSchema).min(1, 'a universe needs at least one symbol'),
});

const UNIVERSE_NAME = /^[a-z0-9][a-z0-9-]*$/;

const configSchema = z.strictObject({
  $schema: z.string().optional(),
  gates: z.record(z.string(), gateSetSchema).optional(),
  universes: z.record(z.string(), universeSchema).superRefine((universes, ctx) => {
    for (const name of Object.keys(universes)) {
      if (!UNIVERSE_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'universe names are lower-case words joined by -' });
    }
  }),
});

export interface Universe {
  readonly name: string;
  readonly description: string | undefined;
  readonly interval: Interval | undefined;
  readonly members: readonly InstrumentInfo[];
}

export interface MomentumConfig {
  readonly path: string;
  readonly universes: ReadonlyMap<string, Universe>;
  /** Named gate sets: the file's, else the built-in `default` and `strict`. */
  readonly gates: Readonly<Record<string, GateSet>>;
}

/** Reads and validates the configuration file; errors name the file and the bad entry. */
export function loadConfig(path: string): MomentumConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read configuration ${path}: ${(error as Error).message}`);
  }
  return parseConfig(raw, path);
}

export function parseConfig(raw: unknown, path = '(inline config)'): MomentumConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration ${path}:\n${lines.join('\n')}`);
  }
  const universes = new Map<string, Universe>();
  for (const [name, universe] of Object.entries(parsed.data.universes)) {
    const members = universe.symbols.map((member, i) => {
      try {
        return { ...member, symbol: normaliseSymbol(member.symbol) };
      } catch (error) {
        throw new ConfigError(`invalid configuration ${path}: universes.${name}.symbols.${i}: ${(error as Error).message}`);
      }
    });
    universes.set(name, { name, description: universe.description, interval: universe.interval, members });
  }
  return { path, universes, gates: { ...DEFAULT_GATE_SETS, ...parsed.data.gates } };
}

export function resolveUniverse(config: MomentumConfig, name: string): Universe {
  const universe = config.universes.get(name);
  if (!universe) {
    const known = [...config.universes.keys()].join(', ') || '(none)';
    throw new ValidationError('universe', `unknown universe ${JSON.stringify(name)} in ${config.path}; known: ${known}`);
  }
  return universe;
}
