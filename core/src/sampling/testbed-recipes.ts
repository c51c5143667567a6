import { CounterRng } from '../rng';

/**
 * The recipe of the gmm-cifar testbed's mixture (seed 104): 64 "images" [3, 32, 32] in [-1, 1],
 * tanh of a few low-frequency plane waves per channel, so neighbouring pixels correlate like natural
 * images; small per-component variances (std 0.05-0.15); weights in [0.5, 1.5) before
 * normalization. Pure, so the compute worker's ONNX testbed (workers/src/models/testbeds.ts) and
 * the in-process experiments (core/src/s3/experiments) build the same mixture from one place; the
 * draw order is part of the model's identity (its checksum keys the reference cache).
 */
export function gmmCifarRecipe(seed = 104): { means: number[][]; variances: number[]; weights: number[]; shape: [number, number, number] } {
  const rng = new CounterRng(seed);
  const K = 64, C = 3, H = 32, W = 32, WAVES = 6;
  const means = Array.from({ length: K }, () => {
    const m = new Array<number>(C * H * W);
    for (let c = 0; c < C; c++) {
      const bias = 0.5 * rng.normal();
      const waves = Array.from({ length: WAVES }, () => ({ amp: 0.5 * rng.normal(), fh: rng.int(4), fw: rng.int(4), phase: 2 * Math.PI * rng.uniform() }));
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          let v = bias;
          for (const wave of waves) v += wave.amp * Math.cos((2 * Math.PI * (wave.fh * h + wave.fw * w)) / H + wave.phase);
          m[(c * H + h) * W + w] = Math.tanh(v);
        }
      }
    }
    return m;
  });
  const variances = Array.from({ length: K }, () => (0.05 + 0.1 * rng.uniform()) ** 2);
  const weights = Array.from({ length: K }, () => 0.5 + rng.uniform());
  return { means, variances, weights, shape: [C, H, W] };
}
