/**
 * Every date option of the `momentum` command, found by walking the command tree, refuses an
 * impossible date before anything runs, with an error naming the option.
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { Output } from '../../src/cli/cli-context.js';

const silent: Output = { out: () => undefined, err: () => undefined, isTTY: false };

/** [command path, option flag] of every option taking a `<date>`. */
function dateOptions(command: Command, path: string[] = []): [string[], string][] {
  return command.commands.flatMap((sub) => {
    const here = [...path, sub.name()];
    const own = sub.options.filter((o) => o.flags.includes('<date>')).map((o): [string[], string] => [here, o.long!]);
    return [...own, ...dateOptions(sub, here)];
  });
}

function quiet(command: Command): void {
  command.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  command.commands.forEach(quiet);
}

describe('date options of the momentum command', () => {
  const found = dateOptions(buildProgram(silent)).map(([path, flag]) => `${path.join(' ')} ${flag}`);

  it('are all known (a new one joins this list and its checks)', () => {
    expect(found.sort()).toEqual(
      [
        'backtest --from',
        'backtest --to',
        'ingest --from',
        'ingest --to',
        'monitor --as-of',
        'portfolio create --as-of',
        'portfolio rebalance --as-of',
        'portfolio sip-backtest --from',
        'portfolio sip-backtest --to',
        'simulate --from',
        'simulate --to',
        'sweep --from',
        'sweep --to',
        'walkforward --from',
        'walkforward --to',
      ].sort(),
    );
  });

  it.each(found.flatMap((option) => ['2008-02-30', '2020-13-45'].map((date) => [option, date])))(
    '%s refuses %s, naming the option',
    async (option, date) => {
      const words = option.split(' ');
      const program = buildProgram(silent);
      quiet(program);
      const parsing = program.parseAsync(['node', 'momentum', ...words, date]);
      await expect(parsing).rejects.toBeInstanceOf(CommanderError);
      await parsing.catch((error: CommanderError) => {
        expect(error.code).toBe('commander.invalidArgument');
        expect(error.message).toContain(`option '${words[words.length - 1]} <date>' argument '${date}' is invalid`);
        expect(error.message).toContain(`${date} is not a calendar date`);
      });
    },
  );
});
