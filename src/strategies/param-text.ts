/** Hyperparameter values typed on a command line: `126` -> 126, `true` -> true, `SHY` -> 'SHY'. */
import { ValidationError } from '../errors.js';
import type { ParamValue } from './strategy.js';

export function parseParamValue(text: string): ParamValue {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
}

/** `name=value` -> [name, raw value text]; the error names the flag. */
export function splitAssignment(text: string, flag: string): [string, string] {
  const match = /^([A-Za-z]\w*)=(.+)$/.exec(text.trim());
  if (!match) throw new ValidationError(flag, `expected name=value, got ${JSON.stringify(text)}`);
  return [match[1]!, match[2]!];
}
