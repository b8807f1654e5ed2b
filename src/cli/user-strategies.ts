/** The user's strategy files for a command: the configuration's `strategies` list, then `--strategy-file`. */
import { config } from './cli-context.js';

export async function loadUserStrategies(flagged: readonly string[]): Promise<void> {
  let configured: readonly string[] = [];
  try {
    configured = config().strategyFiles;
  } catch {
    // An unreadable configuration is reported by the commands that read it, not by every command.
  }
  if (configured.length === 0 && flagged.length === 0) return;
  const { loadStrategyFiles } = await import('../strategies/strategy-files.js');
  await loadStrategyFiles([...configured, ...flagged]);
}
