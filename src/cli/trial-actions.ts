/** What `momentum trials` does: the trial registry's research families and their trials. */
import { describeFamily, trialCount, universeLabel } from '../backtest/trial-registry.js';
import { familyTrials, getTrialFamily, listTrialFamilies } from '../backtest/trial-store.js';
import type { Interval } from '../data/bar.js';
import { allStrategies, getStrategy } from '../strategies/registry.js';
import { barsPerYear } from '../strategies/strategy.js';
import { formatNumber } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { formatParams } from './backtest-format.js';
import { withDatabase, type Output } from './cli-context.js';
import { parseIntegerOption } from './options.js';

/** `momentum trials`: the research families and their counts, or one family's trials. */
export async function trialsAction(
  flags: { family?: string; strategy?: string; limit?: string; json?: boolean },
  output: Output,
): Promise<void> {
  const familyId = parseIntegerOption(flags.family, 'family', 1, Number.MAX_SAFE_INTEGER);
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 100_000) ?? 50;
  await withDatabase(async (db) => {
    if (familyId !== undefined) {
      const family = await getTrialFamily(db, familyId);
      const trials = await familyTrials(db, familyId);
      if (flags.json) return output.out(JSON.stringify({ family, trials }, null, 2));
      const ppy = Math.sqrt(barsPerYear(family.interval));
      output.out(`family ${family.id}: ${describeFamily(family)}: ${trialCount(family.trials)} (${family.runs} runs)`);
      output.out(
        formatTable(
          trials.map((t) => ({
            trial: t.id,
            strategy: t.strategy,
            params: formatParams(inStrategyOrder(t.strategy, family.interval, t.params)),
            source: t.source,
            runs: t.runs,
            sharpe: t.constantReturns ? 'constant' : formatNumber(t.sharpe * ppy, 2),
            backtest: t.backtestId,
            last_run: t.lastRunAt.toISOString().slice(0, 16).replace('T', ' '),
          })),
          ['trial', 'strategy', 'params', 'source', 'runs', 'sharpe', 'backtest', 'last_run'],
        ),
      );
      output.out('\nsharpe: annualised, of the latest run; a deflated Sharpe ratio in this family deflates by all of them');
      return;
    }
    const families = await listTrialFamilies(db, { ...(flags.strategy ? { strategy: flags.strategy } : {}), limit });
    if (flags.json) return output.out(JSON.stringify(families, null, 2));
    if (families.length === 0) return output.out('no trials yet: every backtest, sweep, walk-forward and simulation records one');
    output.out(
      formatTable(
        families.map((f) => ({
          family: f.id,
          kind: f.kind,
          name: f.name,
          universe: universeLabel(f),
          interval: f.interval,
          period: `${f.periodFrom} .. ${f.periodTo}`,
          trials: f.trials,
          runs: f.runs,
        })),
        ['family', 'kind', 'name', 'universe', 'interval', 'period', 'trials', 'runs'],
      ),
    );
    output.out('\ntrials: configurations tried (a re-run counts once); runs: every run; momentum trials --family ID lists them');
  });
}

/** Stored params (jsonb reorders keys) in the order the strategy declares them. */
function inStrategyOrder(strategy: string, interval: Interval, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const declared = allStrategies().some((s) => s.name === strategy)
    ? Object.keys(getStrategy(strategy).paramsSchema(interval).parse({}) as object)
    : [];
  return Object.fromEntries(
    [...declared.filter((k) => k in params), ...Object.keys(params).filter((k) => !declared.includes(k))].map((k) => [k, params[k]]),
  );
}
