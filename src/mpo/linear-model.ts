/**
 * A small modelling layer for linear and quadratic programmes, so a model reads like its maths:
 * named variables with bounds, rows `lower <= sum(coef x) <= upper`, a linear objective, and an
 * optional quadratic objective term (for risk). Solvers translate it to their own formats.
 *
 * @example
 * const m = new LinearModel('maximize');
 * const x = m.variable('x', 0, 3), y = m.variable('y', 0, 1);
 * m.constrain([[x, 1], [y, 1]], -Infinity, 4, 'capacity');
 * m.objective([[x, 1], [y, 2]]);
 */
export type Sense = 'maximize' | 'minimize';

/** A variable is its column index. */
export type Var = number;
/** `[variable, coefficient]` */
export type Term = readonly [Var, number];

export class LinearModel {
  readonly sense: Sense;
  readonly names: string[] = [];
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  readonly cost: number[] = [];
  /** Row-wise sparse matrix. */
  readonly rowStarts: number[] = [0];
  readonly rowIndices: number[] = [];
  readonly rowValues: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly rowNames: string[] = [];
  /** Quadratic objective: sum over entries of coef * x_i * x_j (i <= j, each pair once). */
  readonly quadratic: { i: Var; j: Var; coef: number }[] = [];

  constructor(sense: Sense) {
    this.sense = sense;
  }

  get columns(): number {
    return this.names.length;
  }

  get rows(): number {
    return this.rowLower.length;
  }

  variable(name: string, lower: number, upper: number): Var {
    this.names.push(name);
    this.lower.push(lower);
    this.upper.push(upper);
    this.cost.push(0);
    return this.names.length - 1;
  }

  /** lower <= sum(coef x) <= upper; equal bounds make an equation. Zero coefficients are dropped. */
  constrain(terms: readonly Term[], lower: number, upper: number, name = `r${this.rows}`): void {
    for (const [v, coef] of terms) {
      if (coef === 0) continue;
      this.rowIndices.push(v);
      this.rowValues.push(coef);
    }
    this.rowStarts.push(this.rowIndices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    this.rowNames.push(name);
  }

  /**
   * A variable a >= |x| (rows a - x >= 0 and a + x >= 0), 0 <= a <= upper: |x| wherever the
   * objective pushes a down. `names` name the variable and its two rows.
   */
  absolute(x: Var, names: { readonly variable: string; readonly up: string; readonly down: string }, upper = Infinity): Var {
    const a = this.variable(names.variable, 0, upper);
    this.constrain(
      [
        [a, 1],
        [x, -1],
      ],
      0,
      Infinity,
      names.up,
    );
    this.constrain(
      [
        [a, 1],
        [x, 1],
      ],
      0,
      Infinity,
      names.down,
    );
    return a;
  }

  /** Adds linear terms to the objective (several calls accumulate). */
  objective(terms: readonly Term[]): void {
    for (const [v, coef] of terms) this.cost[v] = this.cost[v]! + coef;
  }

  /** Adds coef * x_i * x_j to the objective (i == j: coef * x_i^2). */
  quadraticTerm(i: Var, j: Var, coef: number): void {
    if (coef !== 0) this.quadratic.push(i <= j ? { i, j, coef } : { i: j, j: i, coef });
  }

  /** The row's value at a point, for checks. */
  rowValue(row: number, x: ArrayLike<number>): number {
    let sum = 0;
    for (let k = this.rowStarts[row]!; k < this.rowStarts[row + 1]!; k++) sum += this.rowValues[k]! * x[this.rowIndices[k]!]!;
    return sum;
  }

  /** The objective at a point. */
  objectiveValue(x: ArrayLike<number>): number {
    let value = 0;
    for (let v = 0; v < this.columns; v++) value += this.cost[v]! * x[v]!;
    for (const { i, j, coef } of this.quadratic) value += coef * x[i]! * x[j]!;
    return value;
  }
}
