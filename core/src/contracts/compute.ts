import type { TestFunctionName } from '../functions/test-functions';
import type { MoFunctionName } from '../functions/multi-objective';
import type { TSamplerObjective } from '../config/objectives';
import type { TParams } from '../config/space';
import type { SamplerPresetName } from '../sampling/presets';
import type { SpacingName } from '../sampling/spacings';
import type { RunningStats } from '../estimation/running-stats';

/**
 * The contract between orchestration (workflows) and compute workers: activity names, inputs and
 * outputs. Workers implement it; workflows only import these types.
 */

export interface FunctionBatchInput {
  /** A multi-output function (branin_currin, zdt1) returns every output as `values`. */
  function: TestFunctionName | MoFunctionName;
  /** Additive Gaussian noise; drawn from (seed, trial number) so a retry reproduces it. */
  noiseStd: number;
  seed: number;
  points: Array<{ number: number; x: number[] }>;
}

export interface TrialOutcome {
  number: number;
  status: 'completed' | 'failed';
  value: number | null;
  /** Multi-output functions: every output (f1, f2, ...), `value` being the first. */
  values?: number[];
  error?: string | null;
  seconds: number;
}

export interface BatchOutcome {
  worker: string;
  attempt: number;
  results: TrialOutcome[];
}

/** One block of a sampler evaluation: samples start..end-1 of `seed` (common random numbers). */
export interface SamplerBlockInput {
  /** The objective with the trial's parameter overrides already applied. */
  objective: TSamplerObjective;
  seed: number;
  start: number;
  end: number;
  /** Also return the per-sample metric values (paired comparisons need them; they are scalars). */
  returnValues?: boolean;
  /**
   * rmse on a GMM testbed: count samples that end in another mixture component than their
   * reference (default true). Costs O(samples x components x dim); a search's screening
   * evaluations turn it off and its certification evaluations keep it.
   */
  wrongComponent?: boolean;
}

export interface SamplerBlockOutcome {
  worker: string;
  attempt: number;
  /** Running statistics of the per-sample metric over the block (mergeable). */
  stats: RunningStats;
  /** Per-sample metric values, seed order, when asked for. */
  values?: number[];
  /** Model evaluations per sample (equals the schedule's NFE). */
  nfe: number;
  seconds: number;
}

/** An external program from the worker's allowlist: params in as JSON on stdin, metrics out as JSON. */
export interface CommandTrialInput {
  program: string;
  params: TParams;
  /** Key of the metric to report as the trial value. */
  metric: string;
  trialNumber: number;
  seed: number;
  /**
   * Studies with a pruner: the program's per-step lines ({"step": 3, "<metric>": 0.4}) are sent
   * to the study workflow that started the activity as INTERMEDIATE_VALUES_SIGNAL, batched at
   * most every `everyMs`. Absent (every run recorded before pruning existed): no signals.
   */
  reportIntermediate?: { everyMs: number };
}

/** Signal a command trial's activity sends its study workflow with new intermediate values. */
export const INTERMEDIATE_VALUES_SIGNAL = 'intermediateValues';

export interface IntermediateValuesSignal {
  number: number;
  /** The activity attempt that read them (a retry reports from step 0 again; the store upserts). */
  attempt: number;
  points: Array<{ step: number; value: number }>;
}

export interface CommandTrialOutcome {
  worker: string;
  attempt: number;
  status: 'completed' | 'failed';
  value: number | null;
  /** Every numeric metric the program printed. */
  metrics: Record<string, number>;
  /** On failure: what went wrong, with the tail of stderr. */
  error?: string | null;
  seconds: number;
}

/** A picture of samples for people to look at (the dashboard's sample grid). */
export interface SampleGridInput {
  model: string;
  preset: string;
  nfe: number;
  /** A whole USF schedule (JSON, e.g. one an s3 study found); replaces preset, nfe and spacing. */
  schedule?: unknown;
  spacing?: string;
  guidance?: number;
  label?: number;
  count: number;
  seed: number;
}

export interface SampleGridOutcome {
  /** PNG bytes, base64. */
  pngBase64: string;
  shape: number[];
  nfe: number;
}

/** What a compute worker reads from a model after opening it and checking the contract. */
export interface DescribeModelInput {
  model: string;
}

export interface ModelDescription {
  model: string;
  kind: 'onnx' | 'gmm';
  /** Per-sample dimension (product of shape) and the per-sample shape. */
  dim: number;
  shape: number[];
  noiseSchedule: string;
  prediction: string;
  /** Takes class labels (classifier-free guidance); `classes` is then the number of labels. */
  conditional: boolean;
  classes?: number;
  sha256: string;
  worker: string;
}

export interface ComputeActivities {
  /** Opens a model, checks its contract and one forward pass; a missing or broken model fails non-retryably (ModelError). */
  describeModel(input: DescribeModelInput): Promise<ModelDescription>;
  renderSampleGrid(input: SampleGridInput): Promise<SampleGridOutcome>;
  evaluateFunctionBatch(input: FunctionBatchInput): Promise<BatchOutcome>;
  evaluateSamplerBlock(input: SamplerBlockInput): Promise<SamplerBlockOutcome>;
  runCommandTrial(input: CommandTrialInput): Promise<CommandTrialOutcome>;
}

export const DEFAULT_COMPUTE_QUEUE = 'compute';
export const DEFAULT_ORCHESTRATOR_QUEUE = 'orchestrator';
export const DEFAULT_PROPOSALS_QUEUE = 'proposals';

/**
 * ApplicationFailure types a compute activity throws non-retryably: the same input fails the same
 * way on every attempt and every worker, so the study should end `failed` with the message (which
 * says what is wrong and what to do) instead of retrying. Any other failure type is transient.
 *   model: the model file is missing, not valid ONNX, breaks the contract, uses an operator
 *          onnxruntime lacks, fails at run time on contract shapes, or outputs NaN/Inf.
 *   input: the request itself is invalid (objective, schedule, metric, sample range, program).
 *   limit: the request exceeds a configured cap of the worker (e.g. samples per activity).
 */
export const NON_RETRYABLE_COMPUTE_ERRORS = { model: 'ModelError', input: 'InvalidComputeInput', limit: 'ComputeLimitExceeded' } as const;
export type NonRetryableComputeErrorKind = keyof typeof NON_RETRYABLE_COMPUTE_ERRORS;
export type NonRetryableComputeErrorType = (typeof NON_RETRYABLE_COMPUTE_ERRORS)[NonRetryableComputeErrorKind];

export function isNonRetryableComputeErrorType(type: string | null | undefined): type is NonRetryableComputeErrorType {
  return (Object.values(NON_RETRYABLE_COMPUTE_ERRORS) as readonly string[]).includes(type ?? '');
}

/**
 * What the in-process sampler (`@stepwise/workers/sample-export`, used by the compute worker's
 * sample grids and by `stepwise sample --local`) takes: a preset at an NFE, or a whole schedule.
 */
export interface LocalSampleRequest {
  model: string;
  /** A USF preset, or dpm-solver-v3 / dc-solver (their statistics computed and cached in modelDir). */
  preset: SamplerPresetName;
  nfe: number;
  spacing?: SpacingName;
  count: number;
  seed: number;
  /** Output file: .npy (float32 [count, ...shape]) or .png. */
  out: string;
  modelDir: string;
  /** Class-conditional models: guidance scale (0 = unconditional) and an optional fixed label. */
  guidance?: number;
  label?: number;
  /** A whole USF schedule (e.g. exported from an s3 study); replaces preset, nfe and spacing. */
  schedule?: unknown;
  /** Execution provider (cpu, cuda): the compute worker passes its own; the CLI's --local path STEPWISE_DEVICE. */
  device?: string;
}
