import type { TParams, TSpace } from '../config/space';
import type { BoMethod, BoProposal, BoState } from './propose';
import { proposeParEgo } from './parego';
import { proposeEhvi } from './ehvi';
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
  /**
   * parego (default): a Chebyshev scalarisation per trial over `method`; ehvi: Monte Carlo
   * expected hypervolume improvement over one GP per objective (ehvi.ts), ParEGO where it has
   * nothing to propose (the design, too few observations, no candidate improving).
   */
  acquisition?: 'parego' | 'ehvi';
}

export interface MultiProposal {
  params: TParams;
  reason: (BoProposal['reason'] & { scalarization: 'parego'; weights?: number[] }) | { kind: 'acquisition'; method: 'gp-ehvi'; acquisitionValue: number };
}

/** The proposer's state: ParEGO's single-objective GP state, and EHVI's hyperparameters per objective. */
type MultiState = BoState & { ehvi?: { objectives: number; thetas: number[][] } };

export function proposeMultiObjective(input: ProposeMultiInput): { proposals: MultiProposal[]; state: BoState } {
  if (input.acquisition !== 'ehvi') return proposeParEgoFor(input);
  // One proposal per trial number, each with the earlier ones pending.
  const proposals: MultiProposal[] = [];
  let state: MultiState = input.state ?? { version: 1 };
  const m = input.directions.length;
  const pending = [...input.pending];
  const observed = input.finished.filter((f): f is { params: TParams; values: number[] } => f.values !== null && f.values.every(Number.isFinite));
  for (const number of input.numbers) {
    const e = number >= input.initialDesign
      ? proposeEhvi({
        space: input.space, observations: observed, taken: [...input.finished.map((f) => f.params), ...pending], pending, directions: input.directions, seed: input.seed, number,
        warmStart: state.ehvi?.objectives === m ? state.ehvi.thetas : null,
      })
      : null;
    if (e) {
      state = { ...state, ehvi: { objectives: m, thetas: e.thetas } };
      proposals.push({ params: e.params, reason: { kind: 'acquisition', method: 'gp-ehvi', acquisitionValue: e.ehvi } });
    } else {
      const r = proposeParEgoFor({ ...input, pending, numbers: [number], state });
      if (r.proposals.length === 0) break;
      proposals.push(r.proposals[0]);
      state = { ...r.state, ...(state.ehvi ? { ehvi: state.ehvi } : {}) };
    }
    pending.push(proposals[proposals.length - 1].params);
  }
  return { proposals, state };
}

function proposeParEgoFor(input: ProposeMultiInput): { proposals: MultiProposal[]; state: BoState } {
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
