/**
 * The sweep form (strategy, universe or symbols, period, the values of each swept parameter, the
 * gate set) turned into an API v1 sweep job body, and the choices it offers. Pure: the job's own
 * schema and checks refuse the rest when it is submitted.
 */
import type { Interval } from '../../data/bar.js';
import { allStrategies } from '../../strategies/registry.js';
import { parseParamValue } from '../../strategies/param-text.js';
import type { ParamValue } from '../../strategies/strategy.js';
import { pickedUniverse } from './strategy-form.js';
import type { WebUniverse } from './web-views.js';

export type SweepSubmission =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly fields: readonly { path: string; message: string }[] };

/** The fields that show their own error beside them. */
export const SWEEP_FIELDS = ['universe', 'symbols', 'strategy', 'grid', 'from', 'to', 'gateSet'] as const;

const GRID = 'grid.';

/**
 * Each strategy's swept values are fields named grid.<strategy>.<parameter>, values separated by
 * commas: only the chosen strategy's count, and an empty one is not swept (its default holds).
 * @example sweepSubmission(new URLSearchParams('strategy=xs-momentum&universe=core&grid.xs-momentum.lookback=126,252'), universes)
 */
export function sweepSubmission(form: URLSearchParams, universes: readonly WebUniverse[]): SweepSubmission {
  const text = (name: string) => form.get(name)?.trim() ?? '';
  const picked = pickedUniverse(text('universe'), text('symbols'), universes);
  if ('path' in picked) return { ok: false, fields: [picked] };
  const prefix = `${GRID}${text('strategy')}.`;
  const grid: Record<string, ParamValue[]> = {};
  for (const [key, value] of form) {
    if (!key.startsWith(prefix)) continue;
    const values = value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length > 0) grid[key.slice(prefix.length)] = values.map(parseParamValue);
  }
  if (Object.keys(grid).length === 0)
    return { ok: false, fields: [{ path: 'grid', message: 'give the values of at least one parameter to sweep' }] };
  const dated = (name: string) => (text(name) === '' ? {} : { [name]: text(name) });
  const gated = text('gateSet') === '' ? {} : { gateSet: text('gateSet') };
  return { ok: true, body: { strategy: text('strategy'), ...picked, grid, ...dated('from'), ...dated('to'), ...gated } };
}

/**
 * The strategies a sweep may take, each parameter with the values sent in `form` or else the
 * strategy's documented sweep range (for daily bars) as the form's default.
 */
export function sweepStrategiesView(form: URLSearchParams, interval: Interval = '1d') {
  return allStrategies().map((s) => {
    const defaults = s.paramsSchema(interval).parse({}) as Record<string, unknown>;
    const ranges = s.sweep as Readonly<Record<string, readonly ParamValue[] | undefined>>;
    return {
      name: s.name,
      title: s.title,
      description: s.description,
      params: Object.entries(defaults).map(([name, value]) => ({
        name,
        default: String(value),
        value: form.get(`${GRID}${s.name}.${name}`) ?? ranges[name]?.join(', ') ?? '',
      })),
    };
  });
}
