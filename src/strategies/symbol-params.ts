/** Hyperparameters that name a symbol of the panel (a cash proxy, a fallback asset). */
import { z } from 'zod';
import { isValidSymbol, normaliseSymbol } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import type { StrategyPanel } from './strategy.js';

/** An optional symbol parameter: '' (none) or a valid symbol. @example z.strictObject({ cashSymbol: optionalSymbol().default('') }) */
export const optionalSymbol = () => z.string().refine((s) => s === '' || isValidSymbol(s), { message: "expected a symbol or ''" });

/**
 * Index of a named symbol parameter in the panel, -1 for ''; a ValidationError naming the parameter otherwise.
 * @example symbolIndex(panel, p.cashSymbol, 'cashSymbol') // 3, or throws 'params.cashSymbol: BIL is not in the panel ...'
 */
export function symbolIndex(panel: StrategyPanel, raw: string, param: string): number {
  if (raw === '') return -1;
  const j = panel.symbols.indexOf(normaliseSymbol(raw, `params.${param}`));
  if (j < 0)
    throw new ValidationError(`params.${param}`, `${raw} is not in the panel (${panel.symbols.join(', ')}); add it or leave it ''`);
  return j;
}
