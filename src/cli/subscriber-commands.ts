/** `momentum subscribers add|list|remove` and `momentum outbox list|send|retry`: definitions only; the work is in subscriber-actions.ts. */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import type { AddFlags, ListFlags, OutboxListFlags, OutboxSendFlags, RemoveFlags } from './subscriber-actions.js';

const actions = () => import('./subscriber-actions.js');

export function registerSubscriberCommands(program: Command, output: Output): void {
  const subscribers = program.command('subscribers').description('who receives the reports and alerts of each model portfolio');
  subscribers
    .command('add')
    .description('subscribe an address to a portfolio (again, if it had unsubscribed)')
    .requiredOption('--portfolio <name>', 'the model portfolio')
    .requiredOption('--email <address>', 'where the reports go')
    .option('--name <name>', 'how the mail addresses them')
    .requiredOption('--amount <amount>', 'the amount they invest: shares and values in their reports scale to it')
    .option('--currency <code>', "ISO 4217 code (default: the portfolio's; no other is accepted)")
    .option('--json', 'print JSON')
    .action(async (flags: AddFlags) => (await actions()).addAction(flags, output));
  subscribers
    .command('list')
    .description('subscribers, per portfolio')
    .option('--portfolio <name>', "only this portfolio's")
    .option('--all', 'include those who unsubscribed')
    .option('--json', 'print JSON (with the unsubscribe tokens)')
    .action(async (flags: ListFlags) => (await actions()).listAction(flags, output));
  subscribers
    .command('remove')
    .description('unsubscribe, by the token of an unsubscribe link or by address; queued mail to them is cancelled')
    .option('--token <token>', 'the token of their unsubscribe link')
    .option('--email <address>', 'the address (from every portfolio unless --portfolio)')
    .option('--portfolio <name>', 'only from this portfolio')
    .action(async (flags: RemoveFlags) => (await actions()).removeAction(flags, output));

  const outbox = program
    .command('outbox')
    .description('every email: queued, sent, failed (SMTP_URL, or .eml files in MOMENTUM_HOME/outbox)');
  outbox
    .command('list')
    .description('messages, newest first')
    .option('--status <status>', 'queued | sending | sent | failed | cancelled')
    .option('--limit <n>', 'how many (default 50)')
    .option('--json', 'print JSON')
    .action(async (flags: OutboxListFlags) => (await actions()).outboxListAction(flags, output));
  outbox
    .command('send')
    .description('deliver the messages that are due now (SMTP, or .eml files without SMTP_URL) and print what went where')
    .option('--limit <n>', 'at most this many')
    .option('--max-attempts <n>', 'attempts before a message is given up (default 8)')
    .action(async (flags: OutboxSendFlags) => (await actions()).outboxSendAction(flags, output));
  outbox
    .command('retry')
    .description('queue a failed or cancelled message again (e.g. after checking an "outcome unknown" one never arrived)')
    .argument('<key>', 'its idempotency key (see momentum outbox list)')
    .action(async (key: string) => (await actions()).outboxRetryAction(key, output));
}
