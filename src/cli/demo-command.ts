/** `momentum demo`: the offline end-to-end run a new user starts with. */
import type { Command } from 'commander';
import { trialCount } from '../backtest/trial-registry.js';
import { formatBytes, formatDrawdown, formatNumber, formatPercent } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import type { WebUniverse } from '../api/web/web-views.js';
import { ValidationError } from '../errors.js';
import { withDatabase, type Output } from './cli-context.js';
import { parseIntegerOption } from './options.js';
import { resolveSymbolFlags } from './spec-flags.js';

export function registerDemoCommand(program: Command, output: Output): void {
  program
    .command('demo')
    .description(
      'offline demo: the whole pipeline on the seeded synthetic market in the embedded database (ingest, backtests, gates, out-of-sample, portfolios, monitoring, reports to the outbox)',
    )
    .option('--seed <n>', 'synthetic market seed (default 42)')
    .option('--source <source>', 'synthetic (default), or yahoo or csv for real data (with --universe)')
    .option('--universe <name>', 'the universe to run it on with --source yahoo|csv (a name from the configuration file)')
    .option('--path <folder>', 'the CSV folder, with --source csv')
    .option('--serve', "then serve the web application on the demo's data (on loopback) until Ctrl-C")
    .option('--port <port>', 'with --serve: the port (0: any free port)', '8080')
    .action(async (flags: DemoFlags) => {
      const started = Date.now();
      let served: WebUniverse | undefined;
      await withDatabase(async (db, env) => {
        output.out(`momentum demo: database ${db.location} (${db.engine}); MOMENTUM_HOME ${env.home}`);
        const seed = parseIntegerOption(flags.seed, 'seed', 0, 2 ** 32 - 1);
        const market = await demoMarket(flags);
        const { runDemo } = await import('../demo/run-demo.js');
        const { ingestProgressReporter } = await import('./ingest-progress.js');
        const { ingest, summary, backtests, selections, portfolios } = await runDemo(db, {
          env,
          ...(market ? { market } : {}),
          ...(seed === undefined ? {} : { seed }),
          onProgress: ingestProgressReporter(output, '1d'),
        });
        const t = ingest.totals;
        output.out(
          `\n1. ingest (${market ? `${market.universe} from ${market.provider.name}` : 'synthetic market'}, run ${ingest.runId}): ${ingest.status}; ${t.bars_inserted} new bars, ${t.bars_updated} updated, ` +
            `${t.bars_unchanged} unchanged, ${t.bars_rejected} rejected, ${t.bars_flagged} flagged`,
        );
        output.out(
          market
            ? `\n2. data summary (${market.universe} from ${market.provider.name})\n`
            : '\n2. data summary (SYNTHETIC data: generated for the demo, not market prices)\n',
        );
        output.out(formatTable(summary, ['symbol', 'asset_class', 'first', 'last', 'bars', 'name']));
        const first = backtests[0]?.metrics.period;
        output.out(`\n3. backtests of the strategy library in-sample, ${first?.start} .. ${first?.end}, costs 5 + 5 bps, stored;`);
        const family = selections.inSample;
        output.out(
          `4. each judged against the default gates (Sharpe, CAGR, drawdown, trades, deflated Sharpe, PBO) as one of the ${family.trials} strategies`,
        );
        output.out(
          `   the demo chooses among: ${trialCount(family.trials)} (trial family ${family.id}), so each deflated Sharpe ratio counts them all;`,
        );
        output.out('5. those that passed simulated out of sample on the years after:\n');
        output.out(
          formatTable(
            backtests.map((b) => ({
              id: b.id,
              strategy: b.strategy,
              cagr: formatPercent(b.metrics.returns.cagr, 2),
              sharpe: formatNumber(b.metrics.returns.sharpe, 2),
              max_drawdown: formatDrawdown(b.metrics.drawdown.maxDepthPct / 100),
              trades: b.metrics.trades.closed,
              dsr: formatNumber(b.gate.statistics.dsr, 3),
              trials: b.gate.statistics.trials,
              gates: b.gate.passed
                ? 'passed'
                : `failed: ${b.gate.checks
                    .filter((c) => c.status === 'fail')
                    .map((c) => c.name)
                    .join(',')}`,
              oos_sharpe: formatNumber(b.simulation?.comparison.outOfSample.sharpe, 2),
              oos_cagr: formatPercent(b.simulation?.comparison.outOfSample.cagr, 2),
            })),
            ['id', 'strategy', 'cagr', 'sharpe', 'max_drawdown', 'trades', 'dsr', 'trials', 'gates', 'oos_sharpe', 'oos_cagr'],
          ),
        );
        if (portfolios) {
          const p = portfolios;
          const oos = selections.outOfSample;
          const why = p.portfolios[0]?.ignoredGates
            ? 'GATES IGNORED: no backtest passed'
            : `the best out-of-sample Sharpe among those that passed: ${oos ? `${trialCount(oos.trials)} (trial family ${oos.id})` : 'chosen alone'}`;
          output.out(
            `\n6. model portfolios of backtest ${p.backtestId} (${p.strategy}, ${why}), created a year back and rebalanced on its calendar:\n`,
          );
          output.out(
            formatTable(
              p.portfolios.map((x) => ({ name: x.name, created: x.created, rebalances: x.rebalances, value: formatNumber(x.value, 2) })),
              ['name', 'created', 'rebalances', 'value'],
            ),
          );
          const alerts = p.monitor.newAlerts.length;
          output.out(
            `\n7. monitoring as of ${p.monitor.asOf}: ${p.monitor.portfolios.map((s) => `${s.portfolio} drawdown ${formatPercent(s.drawdown, 1)}, drift ${formatPercent(s.drift.total, 1)}`).join('; ')}; ${alerts} new alert(s) stored, ${p.alerts.queued.length} mailed`,
          );
          const { DEFAULT_ALERT_FRESHNESS_DAYS, notMailedNotes } = await import('../report/publish.js');
          for (const note of notMailedNotes(p.alerts, DEFAULT_ALERT_FRESHNESS_DAYS)) output.out(`   ${note}`);
          output.out(`\n8. reports: the interactive report ${p.report.reportPath}`);
          output.out(`   mail (${p.delivery.counts.sent} sent now; SMTP_URL unset: written as .eml files):`);
          for (const m of p.outbox)
            output.out(`   ${m.kind.padEnd(9)} ${formatBytes(m.bytes).padStart(9)}  ${m.destination}\n             ${m.subject}`);
          const largest = Math.max(0, ...p.outbox.map((m) => m.bytes));
          output.out(
            `   largest mail ${formatBytes(largest)} (relays commonly refuse 10 MB and more); the rebalance mail links to its interactive report, served by momentum serve`,
          );
        }
        output.out(
          `\ndone in ${formatNumber((Date.now() - started) / 1000, 1)} s. Next: momentum portfolio show ${portfolios?.portfolios[0]?.name ?? 'NAME'}, momentum alerts, momentum backtests show ${backtests[0]?.id ?? 1}, momentum strategies${flags.serve ? '' : ', npm run demo -- --serve (the web application)'}`,
        );
        served = {
          name: market?.universe ?? 'synthetic',
          description: market ? null : 'the synthetic market of the demo (generated, not market prices)',
          symbols: summary.map((row) => row.symbol),
        };
      });
      if (!flags.serve || !served) return;
      // The database is closed by now: the server opens it again, shared with other commands.
      output.out(`\n9. the web application on the demo's data (the universe ${served.name}):`);
      const { serveAction } = await import('./serve-command.js');
      await serveAction({ host: '127.0.0.1', port: flags.port }, output, [served]);
    });
}

interface DemoFlags {
  seed?: string;
  source?: string;
  universe?: string;
  path?: string;
  serve?: boolean;
  port: string;
}

/** The market of `--source yahoo|csv --universe NAME`; undefined for the synthetic default. */
async function demoMarket(flags: { source?: string; universe?: string; path?: string }) {
  if (flags.source === undefined || flags.source === 'synthetic') {
    if (flags.universe)
      throw new ValidationError('universe', 'the synthetic market is its own universe: give --source yahoo or csv with --universe');
    return undefined;
  }
  if (!flags.universe) throw new ValidationError('universe', `--source ${flags.source} needs --universe NAME (see momentum universes)`);
  const { createProvider } = await import('../data/providers/create-provider.js');
  const { universe, symbols, metadata } = resolveSymbolFlags({ universe: flags.universe });
  return {
    provider: createProvider({ source: flags.source, path: flags.path }),
    universe: universe!,
    symbols: symbols!,
    metadata: metadata!,
  };
}
