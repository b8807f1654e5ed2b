/**
 * Environment and configuration file, both validated with zod.
 *
 * Environment: `DATABASE_URL` (PostgreSQL; unset -> embedded PGlite), `MOMENTUM_HOME` (local state:
 * embedded database, mail outbox, generated reports; default `./.momentum`), `MOMENTUM_CONFIG`
 * (the configuration file; default `./momentum.config.json`, else the one shipped with the package).
 * Mail: `SMTP_URL`, `MAIL_FROM`, `MOMENTUM_PUBLIC_URL`, `MOMENTUM_LINK_SECRET`, `MOMENTUM_REPORT_LINK_DAYS`
 * (see `Environment`).
 * The configuration file holds named universes, each a list of symbols with optional metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE } from './backtest/sweep-chunks.js';
import { assetClassSchema, intervalSchema, normaliseSymbol, type InstrumentInfo, type Interval } from './data/bar.js';
import { ConfigError, ValidationError } from './errors.js';
import { DEFAULT_REPORT_LINK_DAYS } from './report/report-link.js';
import { packageRoot } from './util/package-root.js';
import { DEFAULT_GATE_SETS, gateSetSchema, type GateSet } from './research/gate-set.js';

export interface Environment {
  readonly databaseUrl: string | undefined;
  readonly home: string;
  readonly configPath: string;
  /** MOMENTUM_API_TOKEN: the bearer token of `momentum serve` (required off loopback). */
  readonly apiToken: string | undefined;
  /** SMTP_URL, e.g. `smtp://user:pass@host:587`; unset -> mail is written as .eml files to `<home>/outbox/`. */
  readonly smtpUrl: string | undefined;
  /** MAIL_FROM: the sender of every message, e.g. `Momentum <reports@example.com>` (unset: `momentum@localhost`). */
  readonly mailFrom: string | undefined;
  /** MOMENTUM_PUBLIC_URL: where recipients reach this installation (the unsubscribe link), no trailing slash. */
  readonly publicUrl: string | undefined;
  /** MOMENTUM_OPERATOR_EMAIL: who is told of failed jobs (unset: MAIL_FROM). */
  readonly operatorEmail: string | undefined;
  /** MOMENTUM_LINK_SECRET: signs the report links of subscriber mail (unset: `<home>/link-secret`, made on first use). */
  readonly linkSecret: string | undefined;
  /** MOMENTUM_REPORT_LINK_DAYS: how long a mailed report link works (default 90). */
  readonly reportLinkDays: number;
}

/** One mailbox, as src/mail/mail-compose.ts reads it: `a@b`, `Name <a@b>` or `"Name" <a@b>`. */
const MAILBOX = /^(?:(?:"[^"\\]*"|[^"<>,;:]*?)\s*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@",;:]+@[^<>\s@]+)$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

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
  SMTP_URL: optionalText.refine(
    (v) => v === undefined || /^smtps?:\/\/[^/?#]+/.test(v),
    'must look like smtp://user:pass@host:587 or smtps://host:465',
  ),
  MAIL_FROM: optionalText.refine(
    (v) => v === undefined || (!CONTROL_CHARACTER.test(v) && MAILBOX.test(v)),
    'must be an address like reports@example.com or Momentum <reports@example.com>',
  ),
  MOMENTUM_PUBLIC_URL: optionalText
    .refine((v) => v === undefined || /^https?:\/\/[^/?#]+/.test(v), 'must be an http(s) URL like https://momentum.example.com')
    .transform((v) => v?.replace(/\/+$/, '')),
  MOMENTUM_OPERATOR_EMAIL: optionalText.refine(
    (v) => v === undefined || (!CONTROL_CHARACTER.test(v) && MAILBOX.test(v)),
    'must be an address like ops@example.com',
  ),
  MOMENTUM_LINK_SECRET: optionalText.refine(
    (v) => v === undefined || v.length >= 32,
    'must be at least 32 characters (e.g. openssl rand -base64 32)',
  ),
  MOMENTUM_REPORT_LINK_DAYS: optionalText
    .refine(
      (v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 3650),
      'must be a whole number of days from 1 to 3650',
    )
    .transform((v) => (v === undefined ? DEFAULT_REPORT_LINK_DAYS : Number(v))),
});

export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Environment {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${issue.path.join('.')} ${issue.message}`);
  }
  const {
    DATABASE_URL,
    MOMENTUM_HOME,
    MOMENTUM_CONFIG,
    MOMENTUM_API_TOKEN,
    SMTP_URL,
    MAIL_FROM,
    MOMENTUM_PUBLIC_URL,
    MOMENTUM_OPERATOR_EMAIL,
    MOMENTUM_LINK_SECRET,
    MOMENTUM_REPORT_LINK_DAYS,
  } = parsed.data;
  return {
    databaseUrl: DATABASE_URL,
    home: resolve(cwd, MOMENTUM_HOME ?? '.momentum'),
    configPath: MOMENTUM_CONFIG ? resolve(cwd, MOMENTUM_CONFIG) : defaultConfigPath(cwd),
    apiToken: MOMENTUM_API_TOKEN,
    smtpUrl: SMTP_URL,
    mailFrom: MAIL_FROM,
    publicUrl: MOMENTUM_PUBLIC_URL,
    operatorEmail: MOMENTUM_OPERATOR_EMAIL,
    linkSecret: MOMENTUM_LINK_SECRET,
    reportLinkDays: MOMENTUM_REPORT_LINK_DAYS,
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
  /** The symbol subscribers' reports compare with (default SPY). */
  benchmark: z.string().optional(),
  symbols: z.array(memberSchema).min(1, 'a universe needs at least one symbol'),
});

const UNIVERSE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** `90s`, `15m`, `36h`, `7d` -> milliseconds, at most `maxMs` (`why` says what the bound is and why). */
function durationAtMost(maxMs: number, why: string) {
  return z.string().transform((text, ctx) => {
    const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 15m, 36h or 7d, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    const ms = Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
    if (ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `at most ${why}; got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ms;
  });
}

const durationSchema = durationAtMost(Number.MAX_SAFE_INTEGER, 'a number of ms JavaScript can hold');

/** The widest catch-up window: a week of an every-second entry is 604,800 slots to look through. */
export const MAX_CATCH_UP_WINDOW_MS = 7 * 86_400_000;

/** An IANA time zone that this Node knows (Intl throws a RangeError for unknown ones). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const ENTRY_NAME = /^[a-z0-9][a-z0-9:_-]*$/;

/** node-cron's check of an expression, loaded when a schedule is read: most commands never read one. */
const validateCron: typeof validateDetailed = (expression) =>
  (createRequire(import.meta.url)('node-cron') as { validateDetailed: typeof validateDetailed }).validateDetailed(expression);

/** A schedule entry: a job, when (5 or 6 cron fields; 6 adds seconds first), in which zone, with what arguments. */
const scheduleEntrySchema = z
  .strictObject({
    name: z.string().regex(ENTRY_NAME, 'entry names are lower-case words joined by -, _ or :').optional(),
    job: z.string().min(1, 'name the job to run'),
    cron: z.string(),
    timezone: z.string().optional(),
    args: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((entry, ctx) => {
    const label = `entry ${JSON.stringify(entry.name ?? entry.job)}`;
    const cron = validateCron(entry.cron);
    if (!cron.valid) {
      const why = cron.errors.map((e) => e.message).join('; ');
      ctx.addIssue({ code: 'custom', path: ['cron'], message: `${label}: invalid cron expression ${JSON.stringify(entry.cron)} (${why})` });
    }
    if (entry.timezone !== undefined && !isTimeZone(entry.timezone)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: `${label}: unknown time zone ${JSON.stringify(entry.timezone)}; use an IANA name like America/New_York or UTC`,
      });
    }
  });

/** The batch service (`momentum schedule`): its entries, catch-up window, health endpoint and shutdown grace. */
const scheduleSchema = z
  .strictObject({
    /** Zone of entries that name none. */
    timezone: z.string().refine(isTimeZone, 'unknown time zone; use an IANA name like America/New_York or UTC').default('UTC'),
    /** At start, slots missed within this window run once, oldest first ("0s": no catch-up); at most 7 days. */
    catchUpWindow: durationAtMost(
      MAX_CATCH_UP_WINDOW_MS,
      '7d (168h): catch-up runs slots missed while the service was down, not history',
    ).prefault('24h'),
    /** Only the most recent this-many slots of each entry are caught up; older missed ones are given up. */
    catchUpLimit: z.number().int().min(0).max(10_000).default(100),
    healthHost: z.string().min(1).default('127.0.0.1'),
    /** GET /health; 0 picks a free port. */
    healthPort: z.number().int().min(0).max(65_535).default(8787),
    /** On SIGTERM/SIGINT, how long running jobs may take to finish. */
    shutdownGrace: durationSchema.prefault('5m'),
    /** A running job's claim on its slot, renewed while it runs; another replica may take the slot over once it lapses. */
    lease: durationSchema.prefault('60s'),
    entries: z.array(scheduleEntrySchema).min(1, 'a schedule needs at least one entry'),
  })
  .superRefine((schedule, ctx) => {
    if (!isTimeZone(schedule.timezone)) return;
    const seen = new Map<string, number>();
    schedule.entries.forEach((entry, i) => {
      const name = entry.name ?? entry.job;
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'name'],
          message: `entry ${JSON.stringify(name)} is scheduled twice (entries ${first} and ${i}): give one of them a distinct "name"`,
        });
      }
      seen.set(name, i);
    });
  });

/**
 * The distributed job engine (pg-boss on the PostgreSQL server; `momentum worker`, `sweep
 * --distributed`). Needs DATABASE_URL: the embedded engine runs sweeps on local threads.
 */
const jobsSchema = z.strictObject({
  /** The scheduler's rebalance slots enqueue one job per due portfolio for the workers instead of running them itself. */
  distributed: z.boolean().default(false),
  /** Combinations per job of a distributed sweep. */
  chunkSize: z.number().int().min(1).max(MAX_CHUNK_SIZE).default(DEFAULT_CHUNK_SIZE),
  /** A job taken and not finished within this (its worker died, or hangs) is failed and run again by another worker. */
  expireAfter: durationAtMost(86_400_000, '1d').prefault('15m'),
  /** Times a failed job is run again before it counts as failed for good. */
  retryLimit: z.number().int().min(0).max(100).default(3),
  /** How often an idle worker looks for jobs (a busy one takes the next at once). */
  pollInterval: durationAtMost(600_000, '10m').prefault('2s'),
  /** How often expired jobs are looked for (by one worker at a time). */
  maintenanceInterval: durationAtMost(3_600_000, '1h').prefault('30s'),
  /** On SIGTERM/SIGINT, how long a worker's running jobs may take to finish before they are handed back to the queue. */
  shutdownGrace: durationAtMost(86_400_000, '1d').prefault('2m'),
});

export interface JobsConfig {
  readonly distributed: boolean;
  readonly chunkSize: number;
  readonly expireSeconds: number;
  readonly retryLimit: number;
  readonly pollSeconds: number;
  readonly maintenanceSeconds: number;
  readonly shutdownGraceMs: number;
}

function toJobsConfig(jobs: z.output<typeof jobsSchema>): JobsConfig {
  // pg-boss counts whole seconds, at least one.
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  return {
    distributed: jobs.distributed,
    chunkSize: jobs.chunkSize,
    expireSeconds: seconds(jobs.expireAfter),
    retryLimit: jobs.retryLimit,
    pollSeconds: seconds(jobs.pollInterval),
    maintenanceSeconds: seconds(jobs.maintenanceInterval),
    shutdownGraceMs: jobs.shutdownGrace,
  };
}

export interface ScheduleEntry {
  /** Unique among entries: the job's name unless the entry is named (job_runs.entry). */
  readonly name: string;
  readonly job: string;
  readonly cron: string;
  readonly timezone: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface ScheduleConfig {
  readonly entries: readonly ScheduleEntry[];
  readonly catchUpWindowMs: number;
  readonly catchUpLimit: number;
  readonly healthHost: string;
  readonly healthPort: number;
  readonly shutdownGraceMs: number;
  readonly leaseMs: number;
}

function toScheduleConfig(schedule: z.output<typeof scheduleSchema>): ScheduleConfig {
  return {
    entries: schedule.entries.map((e) => ({
      name: e.name ?? e.job,
      job: e.job,
      cron: e.cron,
      timezone: e.timezone ?? schedule.timezone,
      args: e.args,
    })),
    catchUpWindowMs: schedule.catchUpWindow,
    catchUpLimit: schedule.catchUpLimit,
    healthHost: schedule.healthHost,
    healthPort: schedule.healthPort,
    shutdownGraceMs: schedule.shutdownGrace,
    leaseMs: Math.max(schedule.lease, 3_000),
  };
}

const configSchema = z.strictObject({
  $schema: z.string().optional(),
  gates: z.record(z.string(), gateSetSchema).optional(),
  schedule: scheduleSchema.optional(),
  jobs: jobsSchema.prefault({}),
  /** The user's strategy files (relative to this file), loaded by every command: see src/strategies/strategy-files.ts. */
  strategies: z.array(z.string().min(1)).optional(),
  universes: z.record(z.string(), universeSchema).superRefine((universes, ctx) => {
    for (const name of Object.keys(universes)) {
      if (!UNIVERSE_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'universe names are lower-case words joined by -' });
    }
  }),
});

/** What a universe is compared with when its configuration names no benchmark (US data). */
export const DEFAULT_BENCHMARK = 'SPY';

export interface Universe {
  readonly name: string;
  readonly description: string | undefined;
  readonly interval: Interval | undefined;
  /** The symbol reports compare with (default DEFAULT_BENCHMARK). */
  readonly benchmark: string;
  readonly members: readonly InstrumentInfo[];
}

export interface MomentumConfig {
  readonly path: string;
  readonly universes: ReadonlyMap<string, Universe>;
  /** Named gate sets: the file's, else the built-in `default` and `strict`. */
  readonly gates: Readonly<Record<string, GateSet>>;
  /** The batch service's schedule (`momentum schedule`), when the file has one. */
  readonly schedule?: ScheduleConfig;
  /** The distributed job engine's settings (defaults when the file has no `jobs` section). */
  readonly jobs: JobsConfig;
  /** The user's strategy files, as absolute paths (the file's `strategies`, relative to it). */
  readonly strategyFiles: readonly string[];
}

/** Reads and validates the configuration file; errors name the file and the bad entry. */
export function loadConfig(path: string): MomentumConfig {
  let raw: unknown;
  try {
    // A byte-order mark (Windows editors write one) is not JSON, but it is not the author's mistake either.
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
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
    let benchmark = DEFAULT_BENCHMARK;
    try {
      if (universe.benchmark !== undefined) benchmark = normaliseSymbol(universe.benchmark);
    } catch (error) {
      throw new ConfigError(`invalid configuration ${path}: universes.${name}.benchmark: ${(error as Error).message}`);
    }
    universes.set(name, { name, description: universe.description, interval: universe.interval, members, benchmark });
  }
  const schedule = parsed.data.schedule ? { schedule: toScheduleConfig(parsed.data.schedule) } : {};
  const strategyFiles = (parsed.data.strategies ?? []).map((file) => resolve(dirname(resolve(path)), file));
  return {
    path,
    universes,
    gates: { ...DEFAULT_GATE_SETS, ...parsed.data.gates },
    ...schedule,
    jobs: toJobsConfig(parsed.data.jobs),
    strategyFiles,
  };
}

/** The benchmark of a portfolio's universe (by name; null or unknown: the default). */
export function benchmarkOf(config: MomentumConfig, universe: string | null | undefined): string {
  return (universe ? config.universes.get(universe)?.benchmark : undefined) ?? DEFAULT_BENCHMARK;
}

export function resolveUniverse(config: MomentumConfig, name: string): Universe {
  const universe = config.universes.get(name);
  if (!universe) {
    const known = [...config.universes.keys()].join(', ') || '(none)';
    throw new ValidationError('universe', `unknown universe ${JSON.stringify(name)} in ${config.path}; known: ${known}`);
  }
  return universe;
}
