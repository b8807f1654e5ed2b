/**
 * A portfolio name that does not exist is one error wherever it is looked up (the portfolio
 * store, monitoring and alerts, subscribers, publishing a report): the same type, and one message
 * that lists the portfolios there are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/config.js';
import { NotFoundError } from '../../src/errors.js';
import { listAlerts } from '../../src/monitor/monitor-store.js';
import { monitorPortfolios } from '../../src/monitor/monitor-portfolios.js';
import { getPortfolio } from '../../src/portfolio/portfolio-store.js';
import { publishRebalance } from '../../src/report/publish.js';
import { addSubscriber, listSubscribers, unsubscribe } from '../../src/mail/subscriber-store.js';
import { insertPortfolio } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Never read: the lookup fails first. */
const env = readEnvironment({});

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the lookup to fail');
}

describe(`no such portfolio (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await insertPortfolio(db, 'core');
    await insertPortfolio(db, 'growth');
  });
  afterAll(async () => {
    await db.close();
  });

  it('is one error, with one message, from every lookup by name', async () => {
    const errors = [
      await failure(() => getPortfolio(db, 'nope')),
      await failure(() => monitorPortfolios(db, { portfolio: 'nope' })),
      await failure(() => listAlerts(db, { portfolio: 'nope' })),
      await failure(() => addSubscriber(db, { portfolio: 'nope', email: 'ann@example.com', amount: 1_000 })),
      await failure(() => listSubscribers(db, { portfolio: 'nope' })),
      await failure(() => unsubscribe(db, { email: 'ann@example.com', portfolio: 'nope' })),
      await failure(() => publishRebalance(db, env, 'nope')),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ kind: 'portfolio', key: 'nope', message: 'no portfolio named "nope"; there are core, growth' });
    }
  });
});
