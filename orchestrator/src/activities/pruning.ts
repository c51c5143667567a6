import { peerValuesNeeded, shouldPrune, type CurvePoint, type PrunableTrial, type TPrunerConfig } from '@stepwise/core';
import { peerValuesAt, peerValuesReaching, recordIntermediateValues, trialCurve, type Db, type PeerValue } from '@stepwise/db';

/**
 * Records a command trial's new intermediate values and asks the study's pruner about it
 * (issue #14, item 6). Idempotent: points are upserted on (trial, step), so a retry of this
 * activity, or a retried compute activity reporting from step 0 again, leaves one value per step;
 * the decision is a function of what is stored.
 */

export interface RecordIntermediateInput {
  studyId: string;
  number: number;
  points: CurvePoint[];
  direction: 'minimize' | 'maximize';
  pruner: TPrunerConfig;
  /** False once the trial is being pruned: only record. */
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
  await recordIntermediateValues(db, studyId, number, input.points);
  const curve = await trialCurve(db, studyId, number);
  const last = curve.at(-1) ?? null;
  if (!input.judge) return { last, prune: false, reason: null };
  // Judged at each newly reported step in turn: one batch may cross several rungs.
  const steps = [...new Set(input.points.map((p) => p.step))].sort((a, b) => a - b);
  let reason: string | null = null;
  for (const step of steps) {
    const upTo = curve.filter((p) => p.step <= step);
    if (upTo.at(-1)?.step !== step) continue;
    const needed = peerValuesNeeded(pruner, { number, curve: upTo });
    if (!needed) continue;
    const peers = needed.mode === 'at'
      ? await peerValuesAt(db, studyId, needed.step, number)
      : await peerValuesReaching(db, studyId, needed.step, number);
    const decision = shouldPrune(pruner, direction, { number, curve: upTo, status: 'running' }, peers.map(asTrial));
    reason = decision.reason;
    if (decision.prune) return { last, prune: true, reason };
  }
  return { last, prune: false, reason };
}
