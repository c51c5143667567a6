import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { BRANIN_CURRIN, NON_RETRYABLE_COMPUTE_ERRORS, zdt1 } from '@stepwise/core';
import { evaluateFunctionBatch } from './function-batch';
import { inActivityContext } from './test-context';

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApplicationFailure) return e;
    throw e;
  }
  throw new Error('expected the activity to fail');
}

describe('evaluateFunctionBatch, multi-output functions', () => {
  it('returns every output as values (value = the first), each with its own reproducible noise', async () => {
    const x = [0.3, 0.8];
    const exact = await inActivityContext(() => evaluateFunctionBatch({ function: 'branin_currin', noiseStd: 0, seed: 1, points: [{ number: 4, x }] }, 'w'));
    expect(exact.results[0]).toMatchObject({ number: 4, status: 'completed', values: BRANIN_CURRIN.evaluate(x), value: BRANIN_CURRIN.evaluate(x)[0] });
    const noisy = () => inActivityContext(() => evaluateFunctionBatch({ function: 'zdt1', noiseStd: 0.1, seed: 1, points: [{ number: 4, x: [0.2, 0.5, 0.5] }] }, 'w'));
    const [a, b] = [await noisy(), await noisy()];
    expect(a.results[0].values).toEqual(b.results[0].values);
    const clean = zdt1(3).evaluate([0.2, 0.5, 0.5]);
    const noise = a.results[0].values!.map((v, k) => v - clean[k]);
    expect(noise.every((d) => d !== 0)).toBe(true);
    expect(noise[0]).not.toBe(noise[1]);
  });

  it('refuses points outside the unit cube or of the wrong dimension: InvalidComputeInput', async () => {
    const cases = [
      [{ function: 'branin_currin', noiseStd: 0, seed: 1, points: [{ number: 0, x: [0.5, 1.5] }] }, /points\[0\]\.x must lie in \[0, 1\]\^d for branin_currin/],
      [{ function: 'branin_currin', noiseStd: 0, seed: 1, points: [{ number: 0, x: [0.5, 0.5, 0.5] }] }, /points\[0\]\.x has 3 coordinates; branin_currin takes 2/],
      [{ function: 'zdt1', noiseStd: 0, seed: 1, points: [{ number: 0, x: [0.5] }] }, /points\[0\]\.x has 1 coordinates; zdt1 takes at least 2/],
    ] as const;
    for (const [input, message] of cases) {
      const err = await failure(inActivityContext(() => evaluateFunctionBatch(input as never, 'w')));
      expect([err.nonRetryable, err.type]).toEqual([true, NON_RETRYABLE_COMPUTE_ERRORS.input]);
      expect(err.message).toMatch(message);
    }
  });
});
