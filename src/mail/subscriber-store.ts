/**
 * Subscribers of model portfolios: who receives each rebalance report and alert, with the amount
 * (and currency) their report scales shares and values to, and the secret token of their
 * unsubscribe link. Removing a subscriber marks them unsubscribed (queued mail to them is then
 * cancelled); adding the same address again re-subscribes them with a new token.
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Environment } from '../config.js';
import { dateToTs } from '../data/bar.js';
import type { Database } from '../db/database.js';
import type { SubscribersTable } from '../db/schema.js';
import { ValidationError } from '../errors.js';
import { portfolioNames, portfolioRow } from '../portfolio/portfolio-store.js';

export interface Subscriber {
  readonly id: number;
  readonly portfolioId: number;
  readonly portfolio: string;
  readonly email: string;
  readonly name: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly unsubscribeToken: string;
  /** YYYY-MM-DD: the day they (re)joined; alerts observed before it are not sent to them, and their book starts at the first rebalance on or after it. */
  readonly since: string;
  readonly createdAt: Date;
  readonly unsubscribedAt: Date | null;
}

export interface SubscriberInput {
  /** The portfolio's name. */
  readonly portfolio: string;
  readonly email: string;
  readonly name?: string | undefined;
  readonly amount: number;
  /** ISO 4217 code; default (and, without FX conversion, the only one allowed): the portfolio's currency. */
  readonly currency?: string | undefined;
  /** YYYY-MM-DD the subscription starts (default: today, UTC); a past day replays what they would have received. */
  readonly since?: string | undefined;
}

/** Where the unsubscribe link points when MOMENTUM_PUBLIC_URL is unset: `momentum serve` on this machine. */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

/**
 * The link that unsubscribes the holder of `token`; templates put it in every subscriber mail.
 * @example unsubscribeLink({ publicUrl: 'https://momentum.example.com' }, s.unsubscribeToken) // 'https://momentum.example.com/unsubscribe?token=...'
 */
export function unsubscribeLink(env: Pick<Environment, 'publicUrl'>, token: string): string {
  return `${publicBaseUrl(env)}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/** MOMENTUM_PUBLIC_URL (default `momentum serve` on this machine) without a trailing slash: where mailed links point. */
export function publicBaseUrl(env: Pick<Environment, 'publicUrl'>): string {
  return (env.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '');
}

const inputSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('is not an email address like name@example.com')),
  name: z
    .string()
    // eslint-disable-next-line no-control-regex
    .transform((v) => v.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim())
    .pipe(z.string().max(200, 'must be at most 200 characters'))
    .optional()
    .transform((v) => (v ? v : undefined)),
  amount: z
    .number('must be a number')
    .refine((v) => Number.isFinite(v), 'must be a finite number')
    .refine((v) => v > 0, 'must be above 0')
    .refine((v) => v <= 1e12, 'must be at most 1e12'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code like USD or EUR')
    .optional(),
});

/** Validates a subscriber's fields; errors name the field. */
export function parseSubscriberInput(input: Omit<SubscriberInput, 'portfolio'>): {
  email: string;
  name: string | undefined;
  amount: number;
  currency: string | undefined;
} {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'subscriber');
    const value = (input as Record<string, unknown>)[field];
    throw new ValidationError(field, `${JSON.stringify(value)} ${issue.message}`);
  }
  return { ...parsed.data, currency: parsed.data.currency };
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Subscribes an address to a portfolio (or re-subscribes one that had unsubscribed).
 * @example await addSubscriber(db, { portfolio: 'core', email: 'ann@example.com', name: 'Ann', amount: 10000 });
 */
export async function addSubscriber(db: Database, input: SubscriberInput): Promise<Subscriber & { readonly resubscribed: boolean }> {
  const fields = parseSubscriberInput(input);
  const portfolio = await portfolioRow(db, input.portfolio);
  const currency = fields.currency ?? portfolio.currency;
  if (currency !== portfolio.currency) {
    throw new ValidationError(
      'currency',
      `${currency} differs from portfolio ${portfolio.name}'s currency ${portfolio.currency}; momentum does not convert currencies, so use ${portfolio.currency}`,
    );
  }
  const existing = await db.kysely
    .selectFrom('subscribers')
    .selectAll()
    .where('portfolio_id', '=', portfolio.id)
    .where('email', '=', fields.email)
    .executeTakeFirst();
  if (existing && existing.unsubscribed_at === null) {
    throw new ValidationError(
      'email',
      `${fields.email} already subscribes to ${portfolio.name} (subscriber ${existing.id}); remove it first to change it`,
    );
  }
  const since = input.since ?? new Date().toISOString().slice(0, 10);
  if (!Number.isFinite(dateToTs(since))) throw new ValidationError('since', `${JSON.stringify(since)} is not a date YYYY-MM-DD`);
  const values = { name: fields.name ?? null, amount: fields.amount, currency, unsubscribe_token: newToken(), since };
  const row = existing
    ? await db.kysely
        .updateTable('subscribers')
        .set({ ...values, unsubscribed_at: null })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow()
    : await db.kysely
        .insertInto('subscribers')
        .values({ ...values, portfolio_id: portfolio.id, email: fields.email })
        .returningAll()
        .executeTakeFirstOrThrow();
  return { ...toSubscriber(row, portfolio.name), resubscribed: existing !== undefined };
}

export interface ListSubscribersOptions {
  /** Only this portfolio's (by name). */
  readonly portfolio?: string | undefined;
  /** Include those who unsubscribed (default false). */
  readonly includeUnsubscribed?: boolean | undefined;
}

export async function listSubscribers(db: Database, options: ListSubscribersOptions = {}): Promise<Subscriber[]> {
  let query = withPortfolioName(db);
  if (options.portfolio !== undefined) query = query.where('portfolios.id', '=', (await portfolioRow(db, options.portfolio)).id);
  if (!options.includeUnsubscribed) query = query.where('subscribers.unsubscribed_at', 'is', null);
  const rows = await query.orderBy('portfolios.name').orderBy('subscribers.email').execute();
  return rows.map((row) => toSubscriber(row, row.portfolio));
}

/** Subscriber rows with their portfolio's name. */
function withPortfolioName(db: Database) {
  return db.kysely
    .selectFrom('subscribers')
    .innerJoin('portfolios', 'portfolios.id', 'subscribers.portfolio_id')
    .selectAll('subscribers')
    .select('portfolios.name as portfolio');
}

/** The active subscribers of a portfolio (by id): whom a rebalance report or an alert goes to. */
export async function activeSubscribers(db: Database, portfolioId: number): Promise<Subscriber[]> {
  const rows = await withPortfolioName(db)
    .where('subscribers.portfolio_id', '=', portfolioId)
    .where('subscribers.unsubscribed_at', 'is', null)
    .orderBy('subscribers.id')
    .execute();
  return rows.map((row) => toSubscriber(row, row.portfolio));
}

/**
 * Whom an unsubscribe token names, changing nothing (what the link's confirmation page shows); an
 * unknown token is a ValidationError.
 * @example const [ann] = await subscribersOfToken(db, token); ann.unsubscribedAt === null // still subscribed
 */
export async function subscribersOfToken(db: Database, token: string): Promise<Subscriber[]> {
  const rows = await withPortfolioName(db).where('subscribers.unsubscribe_token', '=', token.trim()).execute();
  if (rows.length === 0) throw unknownSubscriber('token', 'that unsubscribe token');
  return rows.map((row) => toSubscriber(row, row.portfolio));
}

/** Whether a subscriber still is one: their unsubscribe time (null: subscribed); undefined when the row is gone. */
export async function subscriptionState(db: Database, subscriberId: number): Promise<{ unsubscribedAt: Date | null } | undefined> {
  const row = await db.kysely.selectFrom('subscribers').select('unsubscribed_at').where('id', '=', subscriberId).executeTakeFirst();
  return row && { unsubscribedAt: row.unsubscribed_at };
}

function unknownSubscriber(field: string, what: string): ValidationError {
  return new ValidationError(field, `no subscriber with ${what}; see momentum subscribers list`);
}

export type UnsubscribeTarget =
  | { readonly token: string }
  | { readonly email: string; /** Only from this portfolio (default: from all). */ readonly portfolio?: string | undefined };

/**
 * Unsubscribes by link token, or an address (from one portfolio or all); returns whom it
 * unsubscribed (empty when they already had). An unknown token or address is a ValidationError.
 * @example await unsubscribe(db, { token }); await unsubscribe(db, { email: 'ann@example.com', portfolio: 'core' });
 */
export async function unsubscribe(db: Database, target: UnsubscribeTarget, now: Date = new Date()): Promise<Subscriber[]> {
  let query = db.kysely
    .selectFrom('subscribers')
    .innerJoin('portfolios', 'portfolios.id', 'subscribers.portfolio_id')
    .select('subscribers.id');
  let what: string;
  if ('token' in target) {
    query = query.where('subscribers.unsubscribe_token', '=', target.token.trim());
    what = 'that unsubscribe token';
  } else {
    const email = parseSubscriberInput({ email: target.email, amount: 1 }).email;
    query = query.where('subscribers.email', '=', email);
    if (target.portfolio !== undefined) query = query.where('portfolios.id', '=', (await portfolioRow(db, target.portfolio)).id);
    what = `${email}${target.portfolio === undefined ? '' : ` in portfolio ${target.portfolio}`}`;
  }
  const ids = (await query.execute()).map((r) => r.id);
  if (ids.length === 0) throw unknownSubscriber('token' in target ? 'token' : 'email', what);
  const rows = await db.kysely
    .updateTable('subscribers')
    .set({ unsubscribed_at: now })
    .where('id', 'in', ids)
    .where('unsubscribed_at', 'is', null)
    .returningAll()
    .execute();
  const names = await portfolioNames(
    db,
    rows.map((r) => r.portfolio_id),
  );
  return rows.map((row) => toSubscriber(row, names.get(row.portfolio_id)!));
}

function toSubscriber(row: Selectable<SubscribersTable>, portfolio: string): Subscriber {
  return {
    id: row.id,
    portfolioId: row.portfolio_id,
    portfolio,
    email: row.email,
    name: row.name,
    amount: row.amount,
    currency: row.currency,
    unsubscribeToken: row.unsubscribe_token,
    since: row.since,
    createdAt: row.created_at,
    unsubscribedAt: row.unsubscribed_at,
  };
}
