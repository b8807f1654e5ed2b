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
  const universe = universes.find((u) => u.name === form.get('universe'));
  if (!universe) return { ok: false, fields: [{ path: 'universe', message: 'choose one of the configured universes' }] };
  // Each strategy's parameter fields are named param.<strategy>.<name>: only the chosen one's count.
  const prefix = `${PARAM}${text('strategy')}.`;
  const params: Record<string, ParamValue> = {};
  for (const [key, value] of form)
    if (key.startsWith(prefix) && value.trim() !== '') params[key.slice(prefix.length)] = parseParamValue(value);
  const dated = (name: string) => (text(name) === '' ? {} : { [name]: text(name) });
  const common = { strategy: text('strategy'), universe: universe.name, symbols: [...universe.symbols] };
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
