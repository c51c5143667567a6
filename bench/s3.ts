import type { S3StudyView } from '../core/src/index';
import { createDb } from '../prisma/src/index';
import { Results, startBenchStack } from './support';
import { writeS3Plot } from './s3-plot';

/**
 * `npm run bench -- s3`: the S^3 search against every tuned preset baseline, on gmm-cifar (metric
 * rmse to the reference solution at the study's end time) and digits-eps (fd_features). One s3
 * study per model with the ablation arm: the same search with its predictor switched off (plain
 * evolution on real evaluations), same baselines, same number of real evaluations, certified on
 * the same 4,096 holdout seeds, so the predictor's gain is a paired comparison too. One JSON line
 * per model and NFE.
 *
 * Environment (for a quicker look):
 *   S3_BENCH_MODELS=gmm-cifar,digits-eps  S3_BENCH_NFE / S3_BENCH_EVALS (gmm-cifar)
 *   S3_BENCH_DIGITS_NFE / S3_BENCH_DIGITS_EVALS (digits-eps)
 */

const results = new Results('s3');
const env = (k: string, d: string) => process.env[k] ?? d;
const SEED = 11;

/** Per model: NFE budgets and real search evaluations per NFE group (and per arm): the protocol. */
const PLANS: Record<string, { nfe: number[]; evals: number }> = {
  'gmm-cifar': { nfe: env('S3_BENCH_NFE', '4,5,6,8,10').split(',').map(Number), evals: Number(env('S3_BENCH_EVALS', '400')) },
  'digits-eps': { nfe: env('S3_BENCH_DIGITS_NFE', '4,5,6,8,10').split(',').map(Number), evals: Number(env('S3_BENCH_DIGITS_EVALS', '400')) },
};
const models = env('S3_BENCH_MODELS', 'gmm-cifar,digits-eps').split(',');

const objectiveFor = (model: string) =>
  model.startsWith('digits')
    ? { type: 'sampler', model, featureModel: 'digits-features', metric: 'fd_features', estimation: { minSamples: 512, maxSamples: 4096, blockSize: 512 } }
    : { type: 'sampler', model, metric: 'rmse' };

const configFor = (model: string) => ({
  name: `bench s3 ${model}`,
  kind: 's3',
  seed: SEED,
  objective: objectiveFor(model),
  budget: { trials: PLANS[model].evals * PLANS[model].nfe.length, parallel: 4 },
  s3: { nfe: PLANS[model].nfe, stageSize: 50, searchSamples: 512, selectionSamples: 2048, holdoutSamples: 4096, finalists: 3, predictor: 'gp', ablation: true },
});

type Report = NonNullable<S3StudyView['report']>[number];

const stack = await startBenchStack('s3', { computeWorkers: 1 });
const db = createDb(stack.databaseUrl, 4);
try {
  for (const model of models) {
    const t0 = performance.now();
    const study = await stack.service.launchStudy({ source: 'client', config: configFor(model) });
    for (;;) {
      const s = await stack.service.getStudy(study.id);
      if (s.status === 'completed') break;
      if (s.status === 'failed' || s.status === 'cancelled') throw new Error(`study ${study.id} ${s.status}: ${s.error ?? ''}`);
      await new Promise((r) => setTimeout(r, 5000));
    }
    const wallS = (performance.now() - t0) / 1000;
    const view = await stack.service.getS3Study({ studyId: study.id });
    for (const r of view.report as Report[]) {
      const trial = (n: number) => db.trial.findUniqueOrThrow({ where: { studyId_number: { studyId: study.id, number: n } }, select: { value: true, ciLow: true, ciHigh: true, proposal: true } });
      const [base, searched] = await Promise.all([trial(r.baseline.trial), trial(r.searched.trial)]);
      // holdout trial -> its selection trial -> the baseline trial, whose proposal holds the preset's settings.
      const selection = await trial(r.baseline.selectionTrial);
      const baseSpec = (await trial((selection.proposal as { of: number }).of)).proposal as Record<string, unknown>;
      const off = r.ablation ? await trial(r.ablation.trial) : null;
      const endpoint = async (n: number) => (model === 'gmm-cifar' ? (await stack.service.getTrialBlocks({ trialId: (await db.trial.findUniqueOrThrow({ where: { studyId_number: { studyId: study.id, number: n } }, select: { id: true } })).id })).endpoint ?? null : null);
      const [baseEnd, searchedEnd] = await Promise.all([endpoint(r.baseline.trial), endpoint(r.searched.trial)]);
      const lastStage = view.stages.filter((s) => s.nfe === r.nfe && !s.arm && s.predictor?.heldOutSpearman != null).sort((a, b) => b.stage - a.stage)[0];
      results.add({
        figure: 's3', model, metric: objectiveFor(model).metric, nfe: r.nfe,
        baseline: {
          name: r.baseline.label, preset: baseSpec.preset ?? null, spacing: baseSpec.spacing ?? null, rho: baseSpec.rho ?? null, order: baseSpec.order ?? null,
          lowerOrderFinal: baseSpec.lowerOrderFinal ?? null, analyticFirstStep: baseSpec.analyticFirstStep ?? null,
          holdout: base.value, interval: [base.ciLow, base.ciHigh], compared: r.baselinesCompared,
          ...(baseEnd ? { rmse_pooled: baseEnd.rmsePooled, wrong_component_share: baseEnd.wrongComponentShare } : {}),
        },
        searched: {
          holdout: searched.value, interval: [searched.ciLow, searched.ciHigh],
          ...(searchedEnd ? { rmse_pooled: searchedEnd.rmsePooled, wrong_component_share: searchedEnd.wrongComponentShare } : {}),
        },
        improvement: { relative: r.improvement.value, interval: [r.improvement.ciLow, r.improvement.ciHigh], difference_interval: [r.difference.ciLow, r.difference.ciHigh] },
        ...(baseEnd?.rmsePooled != null && searchedEnd?.rmsePooled != null ? { pooled_improvement: 1 - searchedEnd.rmsePooled / baseEnd.rmsePooled } : {}),
        predictor_off: r.ablation && off
          ? {
              searched: { holdout: off.value, interval: [off.ciLow, off.ciHigh] },
              improvement_vs_baseline: { relative: r.ablation.improvement.value, interval: [r.ablation.improvement.ciLow, r.ablation.improvement.ciHigh] },
              predictor_gain: { relative: r.ablation.predictorGain.value, interval: [r.ablation.predictorGain.ciLow, r.ablation.predictorGain.ciHigh], difference_interval: [r.ablation.predictorGain.differenceLow, r.ablation.predictorGain.differenceHigh] },
              evaluations: r.ablation.evaluations,
            }
          : null,
        evaluations: r.evaluations,
        holdout_seeds: r.seeds,
        predictor_rank_corr: lastStage ? { spearman: lastStage.predictor!.heldOutSpearman, kendall: lastStage.predictor!.heldOutKendall, train: lastStage.predictor!.trainSize, stage: lastStage.stage } : null,
        wall_s: Math.round(wallS),
        study: study.id,
      });
    }
  }
  writeS3Plot(results.lines() as never, 'bench/results/s3-pareto.png');
} finally {
  results.save({ seed: SEED, plans: PLANS, commit: process.env.STEPWISE_COMMIT ?? null });
  await db.$disconnect();
  await stack.stop();
}
