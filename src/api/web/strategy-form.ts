/**
 * Step 2's form (strategy, universe, parameters, ignore gates) turned into an API v1 job body: a
 * backtest, or a model portfolio when the "create the portfolio" button was pressed. Pure: the
 * job's own schema checks the rest when it is submitted.
 */
import { parseParamValue } from '../../strategies/param-text.js';
import type { ParamValue } from '../../strategies/strategy.js';
import type { WebUniverse } from './web-views.js';

export type FormSubmission =
  | { readonly ok: true; readonly kind: 'backtest' | 'portfolio'; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly fields: readonly { path: string; message: string }[] };

const PARAM = 'param.';

/** @example strategySubmission(new URLSearchParams('kind=backtest&strategy=xs-momentum&universe=core'), universes) */
export function strategySubmission(form: URLSearchParams, universes: readonly WebUniverse[]): FormSubmission {
  const text = (name: string) => form.get(name)?.trim() ?? '';
  const kind = text('kind') === 'portfolio' ? 'portfolio' : 'backtest';
  const picked = pickedUniverse(text('universe'), text('symbols'), universes);
  if ('path' in picked) return { ok: false, fields: [picked] };
  // Each strategy's parameter fields are named param.<strategy>.<name>: only the chosen one's count.
  const prefix = `${PARAM}${text('strategy')}.`;
  const params: Record<string, ParamValue> = {};
  for (const [key, value] of form)
    if (key.startsWith(prefix) && value.trim() !== '') params[key.slice(prefix.length)] = parseParamValue(value);
  const dated = (name: string) => (text(name) === '' ? {} : { [name]: text(name) });
  const common = { strategy: text('strategy'), ...picked };
  if (kind === 'backtest') return { ok: true, kind, body: { ...common, params, ...dated('from'), ...dated('to') } };
  const amount = Number(text('amount'));
  const request = {
    ...common,
    hyperparameters: params,
    amount: text('amount') === '' || !Number.isFinite(amount) ? Number.NaN : amount,
    ignoreGates: form.get('ignoreGates') === 'on',
    ...dated('asOf'),
  };
  if (Number.isNaN(request.amount))
    return { ok: false, fields: [{ path: 'request.amount', message: 'give the amount to invest, a number' }] };
  return { ok: true, kind, body: { name: text('name'), request } };
}

/** What the forms keep of a submission to show it again: the universe or symbols, the strategy and the period. */
export function chosenCommon(form: URLSearchParams) {
  const field = (name: string) => form.get(name) ?? '';
  return {
    universe: field('universe'),
    symbols: field('symbols'),
    strategy: field('strategy') || 'xs-momentum',
    from: field('from'),
    to: field('to'),
  };
}

/** A named universe, or symbols typed in (one of the two). */
export function pickedUniverse(
  name: string,
  typed: string,
  universes: readonly WebUniverse[],
): { universe: string | null; symbols: string[] } | { path: string; message: string } {
  if (name !== '' && typed !== '') return { path: 'symbols', message: 'choose a universe or type symbols, not both' };
  if (typed !== '') return { universe: null, symbols: typed.split(/[\s,]+/).filter((s) => s !== '') };
  const universe = universes.find((u) => u.name === name);
  if (!universe) return { path: 'universe', message: 'choose one of the configured universes, or type symbols' };
  return { universe: universe.name, symbols: [...universe.symbols] };
}

/** The form's fields that show their own error beside them. */
const FORM_FIELDS = ['universe', 'symbols', 'strategy', 'params', 'from', 'to', 'name', 'amount', 'asOf'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/**
 * The refusals by the form field they concern (a job body's path: `request.amount` is the amount
 * field, `params.topPct` the strategy's parameters, `grid.lookback` a sweep's grid); null for a
 * field without one.
 * @example fieldErrors([{ path: 'request.amount', message: 'must be more than 0' }]).amount // 'must be more than 0'
 */
export function fieldErrors<F extends string = FormField>(
  errors: readonly { path: string; message: string }[],
  fields: readonly F[] = FORM_FIELDS as readonly string[] as readonly F[],
): Record<F, string | null> {
  const byField = Object.fromEntries(fields.map((f) => [f, null])) as Record<F, string | null>;
  for (const { path, message } of errors) {
    const bare = path.replace(/^request\./, '');
    const head = bare.split('.')[0] === 'hyperparameters' ? 'params' : bare.split('.')[0];
    const field = fields.find((f) => f === head || f === bare);
    if (field) byField[field] = [byField[field], `${bare}: ${message}`].filter(Boolean).join('; ');
  }
  return byField;
}
