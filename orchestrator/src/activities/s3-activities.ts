import { ApplicationFailure } from '@temporalio/common';
import {
  NOISE_SCHEDULE_NAMES, ZSolverSchedule, s3EndTime, type S3Arm, type TStudyConfig, ZStudyConfig, pairedRelativeImprovement, comparePaired, proposeS3Stage, s3Baselines,
  s3PresetBaselines, presetBaselineOf, s3SolverParams,
  type NewTrial, type S3GroupReport, type S3PredictorReport, type S3StageRecord, type TParams, type TS3Settings, type TS3SpaceInput, type TSolverSchedule,
} from '@stepwise/core';
import { ZSolverCalibration } from '@stepwise/core/config/objectives';
import { getStudyRow, getTrialsByNumber, insertTrials, mergeS3State, s3GroupTrials, setTrialsTotal, trialSeedValues, type Db, type S3TrialRow } from '@stepwise/db';

/**
 * The `s3` study's proposal-side activities (proposals task queue: CPU work and the reads it needs,
 * never inside a transaction). Each one records the trials it proposes before returning them and
 * is idempotent: a retry finds the rows for its numbers and returns them unchanged, so a crash
 * repeats no evaluation. The workflow (workflows/s3-study.ts) runs one of them per NFE group at
 * a time, so proposals of one group never race each other.
 */

type NoiseScheduleName = (typeof NOISE_SCHEDULE_NAMES)[number];

export interface S3GroupInput {
  studyId: string;
  nfe: number;
  /** The search arm (default the predictor's); baselines are shared by both arms. */
  arm?: S3Arm;
  /** The model's noise schedule, learned from a compute worker (describeModel). */
  noiseSchedule: string;
}

async function studySettings(db: Db, studyId: string): Promise<{ settings: TS3Settings; seed: number; config: TStudyConfig }> {
  const row = await getStudyRow(db, studyId);
  if (!row) throw ApplicationFailure.nonRetryable(`study ${studyId} does not exist`, 'StudyNotFound');
  const config = ZStudyConfig.parse(row.config);
  if (!config.s3) throw ApplicationFailure.nonRetryable(`study ${studyId} is not an s3 study`, 'InvalidStudyConfig');
  return { settings: config.s3, seed: config.seed, config };
}

function noiseName(name: string): NoiseScheduleName {
  if (!(NOISE_SCHEDULE_NAMES as readonly string[]).includes(name)) {
    throw ApplicationFailure.nonRetryable(`the model's noise schedule "${name}" is not one the sampling engine knows (${NOISE_SCHEDULE_NAMES.join(', ')})`, 'ModelError');
  }
  return name as NoiseScheduleName;
}

/** Returns the recorded trials for `numbers` if all exist (a retry), else null. */
async function recorded(db: Db, studyId: string, numbers: number[]): Promise<NewTrial[] | null> {
  if (numbers.length === 0) return [];
  const rows = await getTrialsByNumber(db, studyId, numbers);
  return rows.length === numbers.length ? rows : null;
}

async function record(db: Db, studyId: string, trials: NewTrial[]): Promise<NewTrial[]> {
  await insertTrials(db, studyId, trials);
  // Re-read: an earlier attempt's rows, if any, are the ones that count.
  return getTrialsByNumber(db, studyId, trials.map((t) => t.number));
}

const scheduleOf = (params: Record<string, unknown>): TSolverSchedule => ZSolverSchedule.parse(params.schedule);
/** A trial's arm: search, select and holdout trials carry it; older ones (no arm) are the predictor's. */
const armOf = (t: { params: Record<string, unknown> }): S3Arm => (t.params.arm === 'off' ? 'off' : 'predictor');
const byValue = (a: S3TrialRow, b: S3TrialRow, key: 'value' | 'searchValue') => (a[key] as number) - (b[key] as number) || a.number - b.number;

export function createS3Activities(db: Db, heartbeat: () => void = () => {}) {
  return {
    /** Records the group's tuned baselines as trials firstNumber, firstNumber + 1, ... and returns them. */
    async proposeS3Baselines(input: S3GroupInput & { firstNumber: number }): Promise<NewTrial[]> {
      const existing = await s3GroupTrials(db, input.studyId, input.nfe);
      const baselines = existing.filter((t) => t.params.role === 'baseline');
      if (baselines.length > 0) return baselines.map((t) => ({ number: t.number, params: t.params as TParams }));
      const { settings, config } = await studySettings(db, input.studyId);
      const noise = noiseName(input.noiseSchedule);
      const tEnd = s3EndTime(config, noise);
      const list = s3Baselines({ nfe: input.nfe, noiseSchedule: noise, tEnd, presets: settings.baselinePresets });
      const trials: NewTrial[] = list.map((b, i) => ({
        number: input.firstNumber + i,
        params: { nfe: input.nfe, role: 'baseline', label: b.spec.label, schedule: b.schedule as unknown as TParams[string] },
        proposal: { kind: 'baseline', ...b.spec },
      }));
      // dpm-solver-v3 / dc-solver when named: their own solver settings instead of a schedule.
      const calibration = config.objective.type === 'sampler' ? config.objective.calibration : undefined;
      const emsGrid = (calibration ?? ZSolverCalibration.parse({})).emsGrid;
      for (const b of s3PresetBaselines({ nfe: input.nfe, noiseSchedule: noise, tEnd, presets: settings.baselinePresets, emsGrid })) {
        trials.push({
          number: input.firstNumber + trials.length,
          params: { role: 'baseline', label: b.spec.label, ...b.solver }, // solver.nfe is the group's
          proposal: { kind: 'baseline', ...b.spec },
        });
      }
      return record(db, input.studyId, trials);
    },

    /** One search stage of one group: the predictor-screened candidates, recorded as trials `numbers`. */
    async proposeS3Stage(input: S3GroupInput & { stage: number; numbers: number[] }): Promise<{ trials: NewTrial[]; predictor: S3PredictorReport | null }> {
      const again = await recorded(db, input.studyId, input.numbers);
      if (again) return { trials: again, predictor: null };
      const { settings, seed, config } = await studySettings(db, input.studyId);
      const arm = input.arm ?? 'predictor';
      const evaluated = (await s3GroupTrials(db, input.studyId, input.nfe))
        // A preset baseline (no USF schedule) is never a parent: the search evolves schedules only.
        .filter((t) => (t.params.role === 'baseline' || (t.params.role === 'search' && armOf(t) === arm)) && t.status !== 'running' && t.status !== 'pending' && !presetBaselineOf(t.params))
        .map((t) => ({ schedule: scheduleOf(t.params), value: t.searchValue ?? Number.NaN }));
      heartbeat();
      const result = proposeS3Stage({
        space: { nfe: input.nfe, noiseSchedule: noiseName(input.noiseSchedule), tEnd: s3EndTime(config, noiseName(input.noiseSchedule)), ...(settings.space ?? {}) } as TS3SpaceInput,
        evaluated,
        count: input.numbers.length,
        // One stream per (study seed, group): groups explore independently, reproducibly.
        seed: (seed * 131 + input.nfe) % 2 ** 31,
        stage: input.stage,
        populationSize: settings.populationSize,
        predictor: (arm === 'off' ? 'none' : settings.predictor) as never,
      });
      heartbeat();
      const trials: NewTrial[] = result.candidates.map((schedule, i) => ({
        number: input.numbers[i],
        params: { nfe: input.nfe, role: 'search', ...(arm === 'off' ? { arm } : {}), stage: input.stage, schedule: schedule as unknown as TParams[string] },
        proposal: { kind: 's3', stage: input.stage, predictor: result.predictor, evaluated: evaluated.length },
      }));
      return { trials: await record(db, input.studyId, trials), predictor: result.predictor };
    },

    /**
     * The group's finalists, re-evaluated on the selection seeds: the best `finalists` searched
     * schedules and the best baselines (by their search-seed value), as `select` trials.
     */
    async proposeS3Finalists(input: S3GroupInput & { firstNumber: number; baselines: number }): Promise<NewTrial[]> {
      const arm = input.arm ?? 'predictor';
      const rows = await s3GroupTrials(db, input.studyId, input.nfe);
      const done = rows.filter((t) => t.params.role === 'select' && armOf(t) === arm);
      if (done.length > 0) return done.map((t) => ({ number: t.number, params: t.params as TParams }));
      const { settings } = await studySettings(db, input.studyId);
      const ranked = (role: string) => rows.filter((t) => t.params.role === role && (role === 'baseline' || armOf(t) === arm) && t.searchValue !== null).sort((a, b) => byValue(a, b, 'searchValue'));
      const picks = [
        ...ranked('search').slice(0, settings.finalists).map((t) => ({ t, source: 'search' })),
        ...ranked('baseline').slice(0, input.baselines).map((t) => ({ t, source: 'baseline' })),
      ];
      const trials: NewTrial[] = picks.map(({ t, source }, i) => ({
        number: input.firstNumber + i,
        params: { nfe: input.nfe, role: 'select', ...(arm === 'off' ? { arm } : {}), source, of: t.number, ...(typeof t.params.label === 'string' ? { label: t.params.label } : {}), ...(s3SolverParams(t.params) as TParams) },
        proposal: { kind: 'select', of: t.number, source },
      }));
      return record(db, input.studyId, trials);
    },

    /** The chosen baseline and searched schedule (best on the selection seeds), as two `holdout` trials. */
    async proposeS3Certification(input: S3GroupInput & { firstNumber: number }): Promise<NewTrial[]> {
      // The baseline finalists are evaluated once (with the predictor's arm) and certified once;
      // the ablation arm certifies only its own searched schedule against that same baseline.
      const arm = input.arm ?? 'predictor';
      const rows = await s3GroupTrials(db, input.studyId, input.nfe);
      const done = rows.filter((t) => t.params.role === 'holdout' && armOf(t) === arm);
      if (done.length > 0) return done.map((t) => ({ number: t.number, params: t.params as TParams }));
      const select = rows.filter((t) => t.params.role === 'select' && t.status === 'completed' && t.value !== null);
      const best = (source: string) => select.filter((t) => t.params.source === source && (source === 'baseline' || armOf(t) === arm)).sort((a, b) => byValue(a, b, 'value'))[0];
      const picks = arm === 'off' ? [best('search')] : [best('baseline'), best('search')];
      if (picks.some((p) => !p)) throw ApplicationFailure.nonRetryable(`NFE ${input.nfe} (${arm}): no completed finalist to certify`, 'S3NothingToCertify');
      const trials: NewTrial[] = picks.map((t, i) => ({
        number: input.firstNumber + i,
        params: { nfe: input.nfe, role: 'holdout', ...(arm === 'off' ? { arm } : {}), source: t.params.source as string, of: t.number, ...(typeof t.params.label === 'string' ? { label: t.params.label } : {}), ...(s3SolverParams(t.params) as TParams) },
        proposal: { kind: 'holdout', of: t.number, source: t.params.source, selectionValue: t.value },
      }));
      return record(db, input.studyId, trials);
    },

    /** Appends one stage record (best value so far, predictor quality) for a group; idempotent. */
    async recordS3Stage(input: { studyId: string; entry: S3StageRecord }): Promise<void> {
      await mergeS3State(db, input.studyId, (s3) => {
        const stages = Array.isArray(s3.stages) ? (s3.stages as S3StageRecord[]) : [];
        const kept = stages.filter((e) => !(e.stage === input.entry.stage && e.nfe === input.entry.nfe && e.arm === input.entry.arm));
        return { ...s3, stages: [...kept, input.entry].sort((a, b) => a.stage - b.stage || a.nfe - b.nfe) };
      });
    },

    async setS3Plan(input: { studyId: string; trialsTotal: number; model: unknown }): Promise<void> {
      await setTrialsTotal(db, input.studyId, input.trialsTotal);
      await mergeS3State(db, input.studyId, (s3) => ({ ...s3, model: input.model }));
    },

    /** The per-NFE report on the holdout seeds, with paired intervals; stored on the study and returned. */
    async s3Report(input: { studyId: string; groups: number[]; confidence?: number }): Promise<S3GroupReport[]> {
      const confidence = input.confidence ?? 0.95;
      const reports: S3GroupReport[] = [];
      for (const nfe of input.groups) {
        const rows = await s3GroupTrials(db, input.studyId, nfe);
        const holdout = rows.filter((t) => t.params.role === 'holdout');
        const base = holdout.find((t) => t.params.source === 'baseline');
        const searched = holdout.find((t) => t.params.source === 'search' && armOf(t) === 'predictor');
        const off = holdout.find((t) => t.params.source === 'search' && armOf(t) === 'off');
        if (!base || !searched) throw ApplicationFailure.nonRetryable(`NFE ${nfe}: the holdout evaluations are missing`, 'S3NothingToCertify');
        const values = await trialSeedValues(db, input.studyId, [base.number, searched.number, ...(off ? [off.number] : [])]);
        const flat = (n: number) => (values.get(n) ?? []).flatMap((b) => b.values);
        const x = flat(base.number), y = flat(searched.number);
        if (x.length !== y.length || x.length < 3) throw ApplicationFailure.nonRetryable(`NFE ${nfe}: holdout values are not seed-aligned (${x.length} vs ${y.length})`, 'S3NothingToCertify');
        const diff = comparePaired(y, x, confidence);
        const rel = pairedRelativeImprovement(x, y, confidence);
        const search = rows.filter((t) => t.params.role === 'search' && armOf(t) === 'predictor');
        let ablation: S3GroupReport['ablation'] = null;
        if (off) {
          const z = flat(off.number);
          if (z.length === x.length) {
            const vsBaseline = pairedRelativeImprovement(x, z, confidence);
            const vsOff = pairedRelativeImprovement(z, y, confidence);
            const d = comparePaired(y, z, confidence);
            ablation = {
              trial: off.number, holdout: off.value, selectionTrial: Number(off.params.of),
              evaluations: rows.filter((t) => t.params.role === 'search' && armOf(t) === 'off').length,
              improvement: { value: vsBaseline.value, ciLow: vsBaseline.ciLow, ciHigh: vsBaseline.ciHigh },
              predictorGain: { value: vsOff.value, ciLow: vsOff.ciLow, ciHigh: vsOff.ciHigh, differenceLow: d.ciLow, differenceHigh: d.ciHigh },
            };
          }
        }
        const baselineSelect = rows.filter((t) => t.params.role === 'select' && t.params.source === 'baseline');
        reports.push({
          nfe,
          seeds: x.length,
          baseline: { trial: base.number, label: String(base.params.label ?? ''), holdout: base.value, selectionTrial: Number(base.params.of) },
          searched: { trial: searched.number, holdout: searched.value, selectionTrial: Number(searched.params.of) },
          difference: { mean: diff.mean, ciLow: diff.ciLow, ciHigh: diff.ciHigh, correlation: diff.correlation, varianceRatio: diff.varianceRatio },
          improvement: { value: rel.value, ciLow: rel.ciLow, ciHigh: rel.ciHigh },
          evaluations: search.length,
          baselinesCompared: rows.filter((t) => t.params.role === 'baseline').length,
          baselineFinalists: baselineSelect.length,
          confidence,
          ablation,
        });
        heartbeat();
      }
      await mergeS3State(db, input.studyId, (s3) => ({ ...s3, report: reports }));
      return reports;
    },
  };
}

export type S3Activities = ReturnType<typeof createS3Activities>;
