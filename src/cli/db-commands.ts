/** `momentum db migrate|status`. */
import type { Command } from 'commander';
import { formatTable } from '../util/table.js';
import { environment, withLightDatabase, type Output } from './cli-context.js';

const database = () => import('../db/database.js');
const migrator = () => import('../db/migrator.js');

export function registerDbCommands(program: Command, output: Output): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations from sql/ (commands that need the database do this too)')
    .action(async () => {
      const env = environment();
      const db = await (await database()).openDatabase({ url: env.databaseUrl, home: env.home, migrate: false });
      try {
        const result = await (await migrator()).migrate(db);
        for (const m of result.applied) output.out(`applied ${m.name}`);
        output.out(`${db.location}: ${result.applied.length} applied now, ${result.alreadyApplied} already applied`);
      } finally {
        await db.close();
      }
    });
  db.command('compress-after <age>')
    .description("TimescaleDB: compress chunks of bars older than this (PostgreSQL interval text, e.g. '18 months'; default 2 years)")
    .action((age: string) =>
      withLightDatabase(async (db) => {
        const { setCompressionAge } = await import('../db/timescale-status.js');
        output.out(`bars: chunks older than ${await setCompressionAge(db, age)} are compressed by TimescaleDB's policy`);
      }),
    );
  db.command('status')
    .description('applied and pending migrations, the engine, what TimescaleDB does for the price store, and the job queue')
    .action(() =>
      withLightDatabase(
        async (db) => {
          const rows = await (await migrator()).migrationStatus(db);
          output.out(formatTable(rows, ['migration', 'state', 'applied_at']));
          output.out(`database: ${db.location} (${db.engine})`);
          const { timescaleStatus, describeTimescale } = await import('../db/timescale-status.js');
          output.out(describeTimescale(await timescaleStatus(db)));
          const { describeQueue } = await import('../../jobs/queue/queue-status.js');
          output.out(await describeQueue(db));
        },
        environment(),
        { migrate: false },
      ),
    );
}
