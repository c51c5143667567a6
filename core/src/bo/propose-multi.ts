import type { TParams, TSpace } from '../config/space';
import type { BoMethod, BoProposal, BoState } from './propose';
import { proposeParEgo } from './parego';
import type { ObjectiveDirection } from './pareto';

/**
 * The proposer of multi-objective bayesopt studies: ParEGO (parego.ts) over the study's
 * single-objective method, one fresh random Chebyshev weight vector per trial number. The
 * proposal's reason records the weights, so a trial says which trade-off it was aimed at.
 */

export interface ProposeMultiInput {
  space: TSpace;
  /** Finished trials: their values in objectives order, or null (failed: kept out of the model, never proposed again). */
  finished: Array<{ params: TParams; values: number[] | null }>;
  pending: TParams[];
  directions: readonly ObjectiveDirection[];
  /** Trial numbers to propose, ascending. */
  numbers: number[];
  seed: number;
  method: BoMethod;
  initialDesign: number;
  state?: BoState | null;
}

export interface MultiProposal {
  params: TParams;
  reason: BoProposal['reason'] & { scalarization: 'parego'; weights?: number[] };
}

export function proposeMultiObjective(input: ProposeMultiInput): { proposals: MultiProposal[]; state: BoState } {
  const m = input.directions.length;
  const r = proposeParEgo({
    space: input.space,
    // A failed trial's NaN values keep it out of the model but in the proposer's taken set.
    observations: input.finished.map((f) => ({ params: f.params, values: f.values ?? new Array<number>(m).fill(Number.NaN) })),
    pending: input.pending,
    directions: input.directions,
    count: input.numbers.length,
    numbers: input.numbers,
    seed: input.seed,
    method: input.method,
    initialDesign: input.initialDesign,
    state: input.state ?? undefined,
  });
  return {
    // Design points ignore the weights: only model-based proposals name the trade-off they aimed at.
    proposals: r.proposals.map((p, i) => ({ params: p.params, reason: { ...p.reason, scalarization: 'parego' as const, ...(p.reason.kind === 'acquisition' ? { weights: r.weights[i] } : {}) } })),
    state: r.state,
  };
}
