import { ZSamplerObjective } from '../core/src/index';
import { createSamplerEvaluator } from '../workers/src/activities/sampler-block';
import { Results } from './support';

/**
 * The learned digits testbed: Fréchet distance in the feature network's space against held-out
 * digits (one set of 2,048 samples, and eight sets of 512 for intervals and paired comparisons) and class accuracy of conditional samples (guidance 1), per
 * solver and NFE, plus sampling throughput. Also the statistics-based presets, with the compute
 * worker's default calibration (objective.calibration): dpm-solver-v3 (EMS from 256 guided model
 * samples of seed stream 2^31, 120-interval grid) and dc-solver (ratios fitted per NFE on 10
 * samples of that stream); their statistics are computed on first use (the first row's seconds
 * include it, `calibration_seconds`) and cached under .data/bench/models/stats.
 */
const results = new Results('digits');
/** Sets of SET_SIZE samples (seeds 0..SETS*SET_SIZE-1, the same for every solver: common random numbers). */
const SETS = 8;
const SET_SIZE = 512;
/** Two-sided 95% Student t quantile with SETS - 1 = 7 degrees of freedom. */
const T_7 = 2.3646;
const setFds = new Map<string, number[]>();
const meanSe = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length) };
};
const evaluate = createSamplerEvaluator({ modelDir: '.data/bench/models', device: 'cpu' });
const N = 2048;
const GUIDANCE = 1;
for (const preset of ['ddim', 'dpmpp-2m', 'unipc-bh2', 'dpm-solver-v3', 'dc-solver'] as const) {
  for (const nfe of [4, 6, 10, 20]) {
    const common = { type: 'sampler', model: 'digits-eps', featureModel: 'digits-features', preset, nfe, guidance: GUIDANCE };
    const fdObjective = ZSamplerObjective.parse({ ...common, metric: 'fd_features', estimation: { minSamples: N, maxSamples: N, blockSize: N } });
    // Statistics first (a one-sample block computes and caches them), so that samples_per_s is sampling only.
    const c0 = performance.now();
    if (preset === 'dpm-solver-v3' || preset === 'dc-solver') await evaluate(ZSamplerObjective.parse({ ...common, metric: 'class_accuracy' }), 0, 0, 1);
    const calibration = (performance.now() - c0) / 1000;
    const t0 = performance.now();
    const fd = (await evaluate(fdObjective, 0, 0, N)).values[0];
    const seconds = (performance.now() - t0) / 1000;
    // FD per set of 512 (8 sets): a mean with its standard error, and per-set values for paired comparisons.
    const setObjective = ZSamplerObjective.parse({ ...common, metric: 'fd_features', estimation: { minSamples: SET_SIZE, maxSamples: SETS * SET_SIZE, blockSize: SET_SIZE } });
    const sets = Array.from((await evaluate(setObjective, 0, 0, SETS * SET_SIZE)).values);
    setFds.set(`${preset}:${nfe}`, sets);
    const fdSets = meanSe(sets);
    const accObjective = ZSamplerObjective.parse({ ...common, metric: 'class_accuracy', estimation: { minSamples: N, maxSamples: N, blockSize: N } });
    const hits = (await evaluate(accObjective, 0, 0, N)).values;
    const accuracy = hits.reduce((a, b) => a + b, 0) / N;
    const se = Math.sqrt((accuracy * (1 - accuracy)) / N);
    results.add({ figure: 'digits', preset, nfe, guidance: GUIDANCE, samples: N, fd_features: +fd.toFixed(3), class_accuracy: +accuracy.toFixed(4), class_accuracy_stderr: +se.toFixed(4), samples_per_s: Math.round(N / seconds),
      fd_features_512: { mean: +fdSets.mean.toFixed(3), stderr: +fdSets.se.toFixed(3), sets: SETS },
      ...(preset === 'dpm-solver-v3' || preset === 'dc-solver' ? { calibration_seconds: +calibration.toFixed(2), calibration: fdObjective.calibration ?? 'defaults' } : {}) });
  }
}
// The statistics-based presets against DPM-Solver++(2M) and UniPC-bh2 at each NFE: paired by set
// (same seeds), mean difference of FD@512 with a 95% t interval (negative: the first is better).
for (const preset of ['dpm-solver-v3', 'dc-solver'] as const) {
  for (const against of ['dpmpp-2m', 'unipc-bh2'] as const) {
    for (const nfe of [4, 6, 10, 20]) {
      const x = setFds.get(`${preset}:${nfe}`)!, y = setFds.get(`${against}:${nfe}`)!;
      const d = meanSe(x.map((v, i) => v - y[i]));
      const interval = [d.mean - T_7 * d.se, d.mean + T_7 * d.se].map((v) => +v.toFixed(3));
      results.add({
        figure: 'digits_fd_paired', preset, against, nfe, guidance: GUIDANCE, sets: SETS, set_size: SET_SIZE,
        difference: +d.mean.toFixed(3), interval, verdict: interval[1] < 0 ? 'lower' : interval[0] > 0 ? 'higher' : 'not distinguishable',
        test: 'paired by set (common seeds), 95% t interval on the mean difference of FD@512',
      });
    }
  }
}
results.save();
