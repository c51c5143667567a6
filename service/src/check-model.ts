import { randomUUID } from 'node:crypto';
import { isNonRetryableComputeErrorType, type ModelDescription, type TStudyConfig } from '@stepwise/core';
import type { ServiceDeps } from './context';
import type { KeyIssue } from './unknown-keys';

/**
 * The model check at launch: a compute worker (the only place models live) opens the study's model
 * through describeModelWorkflow and checks its contract with one forward pass. A missing or broken
 * model, or settings the model cannot serve (guidance on an unconditional model, a label past its
 * classes, a schedule for another noise schedule), is a field issue before anything is written.
 *
 * When no compute worker answers within MODEL_CHECK_TIMEOUT the launch goes ahead unchecked: the
 * study then waits in Temporal for a worker like any other, and a model the worker refuses ends it
 * `failed` with the worker's reason. A launch must not depend on a GPU host being up this minute.
 */

export const MODEL_CHECK_TIMEOUT = '15s';

interface FailureLike {
  name?: string;
  message: string;
  type?: string | null;
  nonRetryable?: boolean;
  cause?: unknown;
}

function chain(e: unknown): FailureLike[] {
  const out: FailureLike[] = [];
  for (let c: unknown = e; c instanceof Error && out.length < 10; c = (c as FailureLike).cause) out.push(c as FailureLike);
  return out;
}

export type ModelCheck = { ok: true; description: ModelDescription } | { ok: false; reason: string } | { ok: null; reason: string };

/** Describes `model` on a compute worker: ok, refused (with the worker's reason), or unknown (no worker answered). */
export async function describeModel({ temporal, queues }: Pick<ServiceDeps, 'temporal' | 'queues'>, model: string): Promise<ModelCheck> {
  try {
    const description = (await temporal.workflow.execute('describeModelWorkflow', {
      taskQueue: queues.taskQueue,
      workflowId: `describe-model-${randomUUID()}`,
      workflowExecutionTimeout: MODEL_CHECK_TIMEOUT,
      args: [{ model, computeQueue: queues.computeQueue }],
    })) as ModelDescription;
    return { ok: true, description };
  } catch (err) {
    const failures = chain(err);
    const refusal = failures.find((f) => f.name === 'ApplicationFailure' && f.nonRetryable && isNonRetryableComputeErrorType(f.type));
    if (refusal) return { ok: false, reason: refusal.message.replace(/^model: /, '') };
    if (failures.some((f) => f.name === 'TimeoutFailure')) return { ok: null, reason: `no compute worker on queue "${queues.computeQueue}" answered within ${MODEL_CHECK_TIMEOUT}` };
    throw err;
  }
}

/** Settings of a sampler study the described model cannot serve. */
export function modelFitIssues(config: TStudyConfig, d: ModelDescription): KeyIssue[] {
  if (config.objective.type !== 'sampler') return [];
  const o = config.objective;
  const issues: KeyIssue[] = [];
  // Every value a trial can set for a field: the objective's, each candidate's, each choice / bound.
  const values = (key: 'guidance' | 'label'): Array<{ field: string; value: unknown }> => [
    ...(o[key] !== undefined ? [{ field: `objective.${key}`, value: o[key] }] : []),
    ...(config.candidates ?? []).flatMap((c, i) => (key in c ? [{ field: `candidates.${i}.${key}`, value: c[key] }] : [])),
    ...(config.space ?? []).flatMap((p, i) =>
      p.name !== key ? [] : p.type === 'categorical' ? p.choices.map((v, j) => ({ field: `space.${i}.choices.${j}`, value: v })) : [{ field: `space.${i}.high`, value: p.high }]),
  ];
  if (!d.conditional) {
    for (const { field, value } of values('guidance')) if (typeof value === 'number' && value > 0) issues.push({ field, message: `model ${o.model} is unconditional: guidance needs a class-conditional model (remove it or set 0)` });
    for (const { field } of values('label')) issues.push({ field, message: `model ${o.model} is unconditional: it takes no class label (remove label)` });
  } else if (d.classes !== undefined) {
    for (const { field, value } of values('label')) {
      if (typeof value === 'number' && value >= d.classes) issues.push({ field, message: `model ${o.model} has ${d.classes} classes: label must be 0..${d.classes - 1}, got ${value}` });
    }
  }
  if (o.schedule && o.schedule.noiseSchedule !== d.noiseSchedule) {
    issues.push({ field: 'objective.schedule.noiseSchedule', message: `model ${o.model} was trained with the "${d.noiseSchedule}" noise schedule, not "${o.schedule.noiseSchedule}"` });
  }
  return issues;
}

/** The launch-time model issues of a config (none for other objectives, or when no worker answered). */
export async function modelIssues(deps: Pick<ServiceDeps, 'temporal' | 'queues'>, config: TStudyConfig): Promise<KeyIssue[]> {
  if (config.objective.type !== 'sampler') return [];
  const check = await describeModel(deps, config.objective.model);
  if (check.ok === false) return [{ field: 'objective.model', message: check.reason }];
  if (check.ok === null) {
    console.warn(`launch: model ${config.objective.model} not checked: ${check.reason}`);
    return [];
  }
  return modelFitIssues(config, check.description);
}
