import { peerValuesNeeded, shouldPrune, type CurvePoint, type PrunableTrial, type TPrunerConfig } from '@stepwise/core';
import { deleteIntermediateValuesAfter, peerValuesAt, peerValuesReaching, recordIntermediateValues, trialCurve, type Db, type PeerValue } from '@stepwise/db';

/**
 * Records a command trial's new intermediate values and asks the study's pruner about it
 * (issue #14, item 6). Idempotent: points are upserted on (trial, step), so a retry of this
 * activity, or a retried compute activity reporting from step 0 again, leaves one value per step;
 * the decision is a function of what is stored and the new points. A pruned run's curve ends at
 * the step it was pruned at.
 */

export interface RecordIntermediateInput {
  studyId: string;
  number: number;
  points: CurvePoint[];
  direction: 'minimize' | 'maximize';
  pruner: TPrunerConfig;
  /** False: only record (the points of a run that finished before its prune reached it). */
  judge: boolean;
}

export interface RecordIntermediateOutcome {
  /** The trial's latest stored point (the value a pruned trial is recorded with). */
  last: CurvePoint | null;
  prune: boolean;
  reason: string | null;
}

const asStatus = (s: string): PrunableTrial['status'] =>
  s === 'completed' || s === 'pruned' ? s : s === 'running' || s === 'pending' ? 'running' : 'failed';

const asTrial = (p: PeerValue): PrunableTrial => ({ number: p.number, status: asStatus(p.status), curve: [{ step: p.step, value: p.value }] });

export async function recordAndJudge(db: Db, input: RecordIntermediateInput): Promise<RecordIntermediateOutcome> {
  const { studyId, number, pruner, direction } = input;
  const points = input.points.filter((p) => Number.isSafeInteger(p.step) && p.step >= 0 && Number.isFinite(p.value));
  if (!input.judge) {
    // Only recorded: a run told to stop that finished first (its whole curve stands).
    await recordIntermediateValues(db, studyId, number, points);
    const curve = await trialCurve(db, studyId, number);
    return { last: curve.at(-1) ?? null, prune: false, reason: null };
  }
  const stored = await trialCurve(db, studyId, number);
  const byStep = new Map(stored.map((p) => [p.step, p.value]));
  for (const p of points) byStep.set(p.step, p.value);
  const curve = [...byStep].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
  // Judged at each newly reported step in turn: one batch may cross several rungs.
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  let reason: string | null = null;
  let prunedAt: number | null = null;
  for (const step of steps) {
    const upTo = curve.filter((p) => p.step <= step);
    const needed = peerValuesNeeded(pruner, { number, curve: upTo });
    if (!needed) continue;
    const peers = needed.mode === 'at'
      ? await peerValuesAt(db, studyId, needed.step, number)
      : await peerValuesReaching(db, studyId, needed.step, number);
    const decision = shouldPrune(pruner, direction, { number, curve: upTo, status: 'running' }, peers.map(asTrial));
    reason = decision.reason;
    if (decision.prune) {
      prunedAt = step;
      break;
    }
  }
  if (prunedAt === null) {
    await recordIntermediateValues(db, studyId, number, points);
    return { last: curve.at(-1) ?? null, prune: false, reason };
  }
  const cut = prunedAt;
  await recordIntermediateValues(db, studyId, number, points.filter((p) => p.step <= cut));
  // A retried run may have stored later steps in an earlier attempt: the curve ends here too.
  await deleteIntermediateValuesAfter(db, studyId, number, cut);
  return { last: curve.filter((p) => p.step <= cut).at(-1) ?? null, prune: true, reason };
}
