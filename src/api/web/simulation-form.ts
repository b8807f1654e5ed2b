/**
 * Step 3's form (the out-of-sample period, whether it may overlap the backtest's, whether to
 * simulate a backtest that failed its gates) turned into the API v1 simulation job's body. Pure:
 * the job's own schema and checks refuse the rest (a period overlapping the backtest's, a date
 * that is not one) when it is submitted.
 */
import type { SimulationChoice } from './backtest-views.js';

/** @example simulationSubmission(12, new URLSearchParams('from=2015-01-01&ignoreGates=on')) // { backtestId: 12, from: '2015-01-01', ignoreGates: true, allowOverlap: false } */
export function simulationSubmission(backtestId: number, form: URLSearchParams): Record<string, unknown> {
  const { from, to, ignoreGates, allowOverlap } = simulationChoice(form);
  return { backtestId, ...(from === '' ? {} : { from }), ...(to === '' ? {} : { to }), ignoreGates, allowOverlap };
}

/** What was typed, to show the form again as it was sent. */
export function simulationChoice(form: URLSearchParams): SimulationChoice {
  return {
    from: form.get('from')?.trim() ?? '',
    to: form.get('to')?.trim() ?? '',
    ignoreGates: form.get('ignoreGates') === 'on',
    allowOverlap: form.get('allowOverlap') === 'on',
  };
}
