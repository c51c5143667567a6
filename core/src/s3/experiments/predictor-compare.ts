import { encodeAll, encodingDim } from '../encoding';
import { crossValidate, fitPredictor, PREDICTOR_NAMES } from '../predictor';
import { kendall, spearman } from '../rank';
import { proposeS3Stage, type S3Evaluated } from '../search';
import { parseS3Space } from '../space';
import { buildProblem, buildReducedCifar, evaluateSchedule } from './gmm-cifar-sim';

/**
 * Which predictor ranks real S^3 evaluations best? On gmm-cifar (exact, gmm-cifar-sim.ts, 512
 * samples, common random numbers, tEnd 1e-3), per NFE: collect evaluations the way a study
 * does (stage 0 seeds, then stages of plain evolution, so the data do not favour any predictor),
 * then score each predictor two ways and print one JSON line per (NFE, predictor):
 *   cv:       5-fold cross-validated Spearman / Kendall over all evaluations;
 *   forward:  trained on the first 60% (earlier stages), ranked on the last 40% (later stages,
 *             children of the best so far: the narrow range a stage actually screens).
 *
 *   npx tsx core/src/s3/experiments/predictor-compare.ts [nfe,nfe,...] [evaluations]
 */

const nfes = (process.argv[2] ?? '4,5,10').split(',').map(Number);
const N = Number(process.argv[3] ?? 320);
const round = (x: number) => Number(x.toFixed(3));

async function main() {
  const g = buildReducedCifar();
  const p = await buildProblem({ samples: 512, seed: 7, tEnd: 1e-3, g });
  for (const nfe of nfes) {
    const space = parseS3Space({ nfe, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
    const evaluated: S3Evaluated[] = [];
    for (let stage = 0; evaluated.length < N; stage++) {
      const r = proposeS3Stage({ space, evaluated, count: Math.min(stage === 0 ? 64 : 48, N - evaluated.length), seed: 5, stage, predictor: 'none' });
      for (const s of r.candidates) evaluated.push({ schedule: s, value: (await evaluateSchedule(p, s)).rmse });
    }
    const d = encodingDim(nfe);
    const X = encodeAll(evaluated.map((e) => e.schedule), space);
    const values = evaluated.map((e) => e.value);
    const cut = Math.floor(0.6 * N);
    const test = values.slice(cut);
    const ok = test.map(Number.isFinite);
    for (const name of PREDICTOR_NAMES) {
      const t0 = performance.now();
      const cv = crossValidate(name, X, N, d, values, 1);
      const model = fitPredictor(name, X.subarray(0, cut * d), cut, d, values.slice(0, cut), 1);
      const pred = model.predict(X.subarray(cut * d), N - cut);
      const pf = Array.from(pred).filter((_, i) => ok[i]), tf = test.filter((_, i) => ok[i]);
      console.log(JSON.stringify({
        nfe, predictor: name, n: N, cvSpearman: round(cv.spearman), cvKendall: round(cv.kendall),
        forwardSpearman: round(spearman(pf, tf)), forwardKendall: round(kendall(pf, tf)), forwardN: tf.length,
        seconds: round((performance.now() - t0) / 1000),
      }));
    }
  }
}

await main();
