/**
 * The declarations of the flags spec-flags.ts parses (symbols, hyperparameters, costs), for every
 * command that builds a spec from them, so their names and help read the same everywhere. Kept
 * apart from spec-flags.ts: command definitions load at start-up, the parsing only when one runs.
 */
import type { Command } from 'commander';

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** `--universe`, `--symbols`, `--interval` (resolveSymbolFlags). */
export function symbolOptions(command: Command): Command {
  return command
    .option('--universe <name>', 'a named universe from the configuration file')
    .option('--symbols <list>', 'comma-separated symbols')
    .option('--interval <interval>', 'bar interval (default 1d)');
}

/** `--param k=v`, repeatable (parseParamFlags). */
export function paramOption(command: Command): Command {
  return command.option('--param <k=v>', 'a strategy hyperparameter, repeatable (e.g. --param lookback=126)', collect, []);
}

/** `--bps`, `--slippage-bps`, `--fee` (costFlags). */
export function costOptions(command: Command): Command {
  return command
    .option('--bps <bps>', 'commission, basis points of traded value (default 5)')
    .option('--slippage-bps <bps>', 'slippage, basis points (default 5)')
    .option('--fee <amount>', 'fixed fee per order (default 0)');
}
