/**
 * The user's strategy files for a command: the configuration's `strategies` list, then
 * `--strategy-file`. A configured file that fails to load is a warning, not the end of every command
 * (`db status` needs no strategy, and the service must start); a command that needs the strategy
 * then says it is unknown and why. A file named on the command line must load.
 */
import { errorMessage } from '../errors.js';
import { config, processOutput } from './cli-context.js';

export async function loadUserStrategies(flagged: readonly string[]): Promise<void> {
  let configured: readonly string[] = [];
  let configPath = '';
  try {
    ({ strategyFiles: configured, path: configPath } = config());
  } catch {
    // An unreadable configuration is reported by the commands that read it, not by every command.
  }
  if (configured.length === 0 && flagged.length === 0) return;
  const { loadStrategyFile, loadStrategyFiles } = await import('../strategies/strategy-files.js');
  const { recordStrategyLoadFailure } = await import('../strategies/registry.js');
  for (const file of configured) {
    try {
      await loadStrategyFile(file);
    } catch (error) {
      const message = `${errorMessage(error)} (listed in ${configPath})`;
      recordStrategyLoadFailure(message);
      processOutput.err(`warning: ${message}`);
    }
  }
  await loadStrategyFiles(flagged);
}
