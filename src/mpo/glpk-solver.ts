/**
 * GLPK (glpk.js, WebAssembly) for linear LinearModels: the solver of the earlier Python service,
 * kept selectable (`solver: "glpk"`). Linear only: a quadratic objective needs HiGHS.
 */
import { performance } from 'node:perf_hooks';
import GLPK, { type LP } from 'glpk.js/node';
import { ValidationError } from '../errors.js';
import type { LinearModel } from './linear-model.js';
import type { Solution, SolveOptions, SolveStatus } from './solver.js';

type Glpk = Awaited<ReturnType<typeof GLPK>>;

let loading: Promise<Glpk> | undefined;
let loaded: Glpk | undefined;

export async function loadGlpk(): Promise<Glpk> {
  loading ??= GLPK().then((glpk) => (loaded = glpk));
  return loading;
}

export function loadedGlpk(): Glpk {
  if (!loaded) throw new Error('GLPK is not loaded yet: await loadGlpk() first');
  return loaded;
}

function boundType(glpk: Glpk, lower: number, upper: number): { type: number; lb: number; ub: number } {
  const hasLower = lower !== -Infinity;
  const hasUpper = upper !== Infinity;
  if (hasLower && hasUpper) return { type: lower === upper ? glpk.GLP_FX : glpk.GLP_DB, lb: lower, ub: upper };
  if (hasLower) return { type: glpk.GLP_LO, lb: lower, ub: 0 };
  if (hasUpper) return { type: glpk.GLP_UP, lb: 0, ub: upper };
  return { type: glpk.GLP_FR, lb: 0, ub: 0 };
}

export function toGlpkProblem(glpk: Glpk, model: LinearModel): LP {
  const name = (v: number) => model.names[v]!;
  return {
    name: 'model',
    objective: {
      direction: model.sense === 'maximize' ? glpk.GLP_MAX : glpk.GLP_MIN,
      name: 'objective',
      vars: model.cost.flatMap((coef, v) => (coef === 0 ? [] : [{ name: name(v), coef }])),
    },
    subjectTo: model.rowLower.map((lower, row) => ({
      name: model.rowNames[row]!,
      vars: Array.from({ length: model.rowStarts[row + 1]! - model.rowStarts[row]! }, (_, k) => ({
        name: name(model.rowIndices[model.rowStarts[row]! + k]!),
        coef: model.rowValues[model.rowStarts[row]! + k]!,
      })),
      bnds: boundType(glpk, lower, model.rowUpper[row]!),
    })),
    bounds: model.names.map((n, v) => ({ name: n, ...boundType(glpk, model.lower[v]!, model.upper[v]!) })),
  };
}

export function solveWithGlpk(glpk: Glpk, model: LinearModel, options: SolveOptions = {}): Solution {
  if (model.quadratic.length > 0) {
    throw new ValidationError(
      'parameters.solver',
      'GLPK solves linear programmes only; a risk term (risk_aversion) needs the highs solver',
    );
  }
  const started = performance.now();
  // No presolver: with it GLPK reports an infeasible model as "undefined" rather than infeasible.
  const result = glpk.solve(toGlpkProblem(glpk, model), {
    msglev: glpk.GLP_MSG_OFF,
    presol: false,
    ...(options.timeLimit === undefined ? {} : { tmlim: options.timeLimit }),
  });
  const code = result.result.status;
  // Feasible but not proven optimal: the time limit stopped the simplex.
  const status: SolveStatus =
    code === glpk.GLP_OPT
      ? 'optimal'
      : code === glpk.GLP_FEAS
        ? 'time-limit'
        : code === glpk.GLP_NOFEAS || code === glpk.GLP_INFEAS
          ? 'infeasible'
          : code === glpk.GLP_UNBND
            ? 'unbounded'
            : 'error';
  const detail =
    {
      [glpk.GLP_OPT]: 'optimal',
      [glpk.GLP_FEAS]: 'feasible, not proven optimal',
      [glpk.GLP_INFEAS]: 'infeasible',
      [glpk.GLP_NOFEAS]: 'no feasible solution',
      [glpk.GLP_UNBND]: 'unbounded',
      [glpk.GLP_UNDEF]: 'undefined (time limit or error)',
    }[code] ?? `status ${code}`;
  const x = Float64Array.from(model.names, (n) => result.result.vars[n] ?? Number.NaN);
  return {
    status,
    objective: status === 'optimal' ? result.result.z : Number.NaN,
    x,
    detail: `GLPK: ${detail}`,
    seconds: (performance.now() - started) / 1000,
  };
}
