import { ZSamplerObjective } from '../core/src/index';
import { createSamplerEvaluator } from '../workers/src/activities/sampler-block';
import { Results } from './support';

/**
 * The learned digits testbed: Fréchet distance in the feature network's space against held-out
 * digits (one set of 2,048 samples) and class accuracy of conditional samples (guidance 1), per
 * solver and NFE, plus sampling throughput. Also the statistics-based presets, with the compute
 * worker's default calibration (objective.calibration): dpm-solver-v3 (EMS from 256 guided model
 * samples of seed stream 2^31, 120-interval grid) and dc-solver (ratios fitted per NFE on 10
 * samples of that stream); their statistics are computed on first use (the first row's seconds
 * include it, `calibration_seconds`) and cached under .data/bench/models/stats.
 */
const results = new Results('digits');
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
    const accObjective = ZSamplerObjective.parse({ ...common, metric: 'class_accuracy', estimation: { minSamples: N, maxSamples: N, blockSize: N } });
    const hits = (await evaluate(accObjective, 0, 0, N)).values;
    const accuracy = hits.reduce((a, b) => a + b, 0) / N;
    const se = Math.sqrt((accuracy * (1 - accuracy)) / N);
    results.add({ figure: 'digits', preset, nfe, guidance: GUIDANCE, samples: N, fd_features: +fd.toFixed(3), class_accuracy: +accuracy.toFixed(4), class_accuracy_stderr: +se.toFixed(4), samples_per_s: Math.round(N / seconds),
      ...(preset === 'dpm-solver-v3' || preset === 'dc-solver' ? { calibration_seconds: +calibration.toFixed(2), calibration: fdObjective.calibration ?? 'defaults' } : {}) });
  }
}
results.save();
