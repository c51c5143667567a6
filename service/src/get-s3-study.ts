import { presetBaselineOf, type S3GroupReport, type S3GroupStanding, type S3StageRecord, type S3StudyView } from '@stepwise/core';
import { getTrialsByNumber, s3GroupSummary, s3StudyState } from '@stepwise/db';
import { ValidationError } from './service-types';
import type { ServiceDeps } from './context';
import { studyOrThrow } from './lookups';

export interface GetS3StudyInput {
  studyId: string;
}
export type { S3StudyView };

/**
 * An `s3` study's standing: per NFE group the baselines' and the search's counts and best trials
 * (aggregated in Postgres), the stage records (best so far, predictor rank correlation), and the
 * holdout report once certified. Small whatever the study's size: the dashboard polls it.
 */
export function getS3Study({ db }: ServiceDeps) {
  return async (input: GetS3StudyInput): Promise<S3StudyView> => {
    const row = await studyOrThrow({ db }, input.studyId);
    if (row.kind !== 's3') throw new ValidationError([{ field: 'studyId', message: `study ${row.id} is a "${row.kind}" study; this view is for kind "s3"` }]);
    const [summary, state] = await Promise.all([s3GroupSummary(db, row.id, row.direction === 'maximize' ? 'maximize' : 'minimize'), s3StudyState(db, row.id)]);
    const nfes = [...new Set(summary.map((s) => s.nfe))].sort((a, b) => a - b);
    const pick = (nfe: number, role: string) => summary.find((s) => s.nfe === nfe && s.role === role);
    const groups: S3GroupStanding[] = nfes.map((nfe) => {
      const count = (role: string) => ({ total: pick(nfe, role)?.total ?? 0, completed: pick(nfe, role)?.completed ?? 0 });
      return {
        nfe,
        baselines: { ...count('baseline'), best: pick(nfe, 'baseline')?.best ?? null },
        search: { ...count('search'), best: pick(nfe, 'search')?.best ?? null },
        searchOff: pick(nfe, 'search:off') ? { ...count('search:off'), best: pick(nfe, 'search:off')?.best ?? null } : null,
        select: count('select'),
        holdout: count('holdout'),
      };
    });
    const model = state.model && typeof state.model === 'object' ? (state.model as S3StudyView['model']) : null;
    const report = Array.isArray(state.report) ? (state.report as S3GroupReport[]) : null;
    const numbers = (report ?? []).flatMap((r) => [r.searched.trial, r.baseline.trial]);
    const rows = numbers.length ? await getTrialsByNumber(db, row.id, numbers) : [];
    const paramsOf = (n: number) => rows.find((t) => t.number === n)?.params ?? {};
    const scheduleOf = (n: number) => paramsOf(n).schedule ?? null;
    return {
      model,
      groups,
      stages: Array.isArray(state.stages) ? (state.stages as S3StageRecord[]) : [],
      report,
      winners: (report ?? []).map((r) => ({ nfe: r.nfe, searched: scheduleOf(r.searched.trial), baseline: scheduleOf(r.baseline.trial), baselinePreset: presetBaselineOf(paramsOf(r.baseline.trial)) })),
    };
  };
}
