import type { TParams } from '../config/space';
import { CounterRng } from '../rng';
import { proposeBatch, type BoMethod, type BoProposal, type BoState, type ProposeOptions } from './propose';
import type { TSpace } from '../config/space';
import type { ObjectiveDirection } from './pareto';

/**
 * Multi-objective proposals by ParEGO (Knowles 2006): each proposal scalarises the observed
 * objective vectors with a fresh random weight vector (augmented Chebyshev on objectives
 * normalised to [0, 1] by their observed ranges) and asks the single-objective proposer for the
 * minimiser of that scalarisation. Different weights per proposal spread the proposals along the
 * front. A first step towards hypervolume-improvement acquisitions (qNEHVI), not one.
 */

export interface MoObservation {
  params: TParams;
  /** One value per objective; a non-finite one keeps the trial out of the model. */
  values: number[];
}

export interface ProposeParEgoInput {
  space: TSpace;
  observations: MoObservation[];
  pending?: TParams[];
  directions: readonly ObjectiveDirection[];
  count: number;
  seed: number;
  /** Single-objective method behind the scalarisation (default gp-logei). */
  method?: BoMethod;
  initialDesign: number;
  state?: BoState | null;
  options?: ProposeOptions;
  /** Weight of the linear term of the augmented Chebyshev scalarisation (default 0.05). */
  rho?: number;
  /**
   * The trial number each proposal will get, ascending (see ProposeBatchInput.numbers). When
   * given, proposal i's weight vector is drawn for round numbers[i] and its design point is Sobol
   * point numbers[i], so the proposals depend on trial numbers, not on the order slots ask in.
   */
  numbers?: number[];
}

const WEIGHT_STREAM = 0x5000_0000;

/** A weight vector uniform on the simplex (Dirichlet(1, .., 1)), fixed by (seed, round). */
export function simplexWeights(m: number, seed: number, round: number): number[] {
  const rng = new CounterRng(seed, WEIGHT_STREAM + round);
  const e = Array.from({ length: m }, () => -Math.log(Math.max(rng.uniform(), 1e-300)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * Scalarised values (lower is better) of objective vectors: max_k w_k z_k + rho sum_k w_k z_k,
 * z_k the k-th objective turned into minimisation and scaled to [0, 1] over the finite rows.
 * Rows with a non-finite value get NaN.
 */
export function chebyshevScalarize(rows: number[][], directions: readonly ObjectiveDirection[], weights: readonly number[], rho = 0.05): number[] {
  const m = directions.length;
  const finite = rows.map((r) => r.length === m && r.every(Number.isFinite));
  const lo = new Array<number>(m).fill(Infinity), hi = new Array<number>(m).fill(-Infinity);
  rows.forEach((r, i) => {
    if (!finite[i]) return;
    for (let k = 0; k < m; k++) {
      const v = directions[k] === 'maximize' ? -r[k] : r[k];
      lo[k] = Math.min(lo[k], v);
      hi[k] = Math.max(hi[k], v);
    }
  });
  return rows.map((r, i) => {
    if (!finite[i]) return NaN;
    let mx = -Infinity, sum = 0;
    for (let k = 0; k < m; k++) {
      const v = directions[k] === 'maximize' ? -r[k] : r[k];
      const z = hi[k] > lo[k] ? (v - lo[k]) / (hi[k] - lo[k]) : 0;
      mx = Math.max(mx, weights[k] * z);
      sum += weights[k] * z;
    }
    return mx + rho * sum;
  });
}

export function proposeParEgo(input: ProposeParEgoInput): { proposals: BoProposal[]; state: BoState; weights: number[][] } {
  const { directions, observations, seed } = input;
  if (directions.length < 2) throw new RangeError(`proposeParEgo: give at least two objective directions, got ${directions.length}`);
  observations.forEach((o, i) => {
    if (o.values.length !== directions.length) throw new RangeError(`proposeParEgo: observation ${i} has ${o.values.length} values for ${directions.length} objectives`);
  });
  const pending = [...(input.pending ?? [])];
  const proposals: BoProposal[] = [];
  const weights: number[][] = [];
  let state: BoState = input.state ?? { version: 1 };
  const rows = observations.map((o) => o.values);
  for (let t = 0; t < input.count; t++) {
    const round = input.numbers ? input.numbers[t] : observations.length + pending.length;
    const w = simplexWeights(directions.length, seed, round);
    const scal = chebyshevScalarize(rows, directions, w, input.rho);
    const r = proposeBatch({
      space: input.space,
      observations: observations.map((o, i) => ({ params: o.params, value: scal[i] })),
      pending,
      count: 1,
      direction: 'minimize',
      seed,
      method: input.method ?? 'gp-logei',
      initialDesign: input.initialDesign,
      ...(input.numbers ? { numbers: [input.numbers[t]] } : {}),
      state,
      options: input.options,
    });
    state = r.state;
    if (r.proposals.length === 0) break;
    proposals.push(r.proposals[0]);
    weights.push(w);
    pending.push(r.proposals[0].params);
  }
  return { proposals, state, weights };
}
