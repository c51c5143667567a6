import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { ZPrunerConfig, hyperbandBrackets, peerValuesNeeded, prunedObservationValue, shouldPrune, type PrunableTrial } from './pruning';

const done = (number: number, values: number[]): PrunableTrial => ({ number, status: 'completed', curve: values.map((value, i) => ({ step: i + 1, value })) });
const running = (number: number, values: number[]): PrunableTrial => ({ ...done(number, values), status: 'running' });

describe('pruner config', () => {
  it('fills defaults and names the field of a bad setting', () => {
    expect(ZPrunerConfig.parse({ type: 'asha' })).toEqual({ type: 'asha', minResource: 1, reductionFactor: 3 });
    const r = ZPrunerConfig.safeParse({ type: 'hyperband', minResource: 9, maxResource: 3 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['maxResource: maxResource (3) must be at least minResource (9)']);
    expect(ZPrunerConfig.safeParse({ type: 'asha', reductionFactor: 1 }).success).toBe(false);
  });
});

describe('median pruner', () => {
  const cfg = ZPrunerConfig.parse({ type: 'median', warmupSteps: 2, minTrials: 3 });
  const peers = [done(0, [5, 4, 3]), done(1, [6, 5, 4]), done(2, [4, 3, 2]), running(3, [9, 9, 9])];
  it('prunes a trial whose best so far is worse than the median of finished trials at that step', () => {
    expect(shouldPrune(cfg, 'minimize', running(9, [7, 6, 5]), peers).prune).toBe(true);
    expect(shouldPrune(cfg, 'minimize', running(9, [7, 6, 2.5]), peers).prune).toBe(false);
    // Its best so far counts, not its latest value.
    expect(shouldPrune(cfg, 'minimize', running(9, [7, 2, 6]), peers.map((p) => ({ ...p, curve: p.curve.slice(0, 3) }))).prune).toBe(false);
    expect(shouldPrune(cfg, 'maximize', running(9, [7, 6, 5]), peers).prune).toBe(false);
  });
  it('waits for the warm-up steps and for enough finished trials', () => {
    expect(shouldPrune(cfg, 'minimize', running(9, [100]), peers).reason).toMatch(/within the first 2 steps/);
    expect(shouldPrune(cfg, 'minimize', running(9, [100, 100, 100]), peers.slice(0, 2)).prune).toBe(false);
  });
});

describe('ASHA and Hyperband', () => {
  const asha = ZPrunerConfig.parse({ type: 'asha', minResource: 1, reductionFactor: 3 });
  it('keeps the best 1/eta at a rung, judged once when the trial gets there', () => {
    // Six others reached rung 3 (step 3) with values 1..6; with the trial, 7 compete, 2 go on.
    const others = [1, 2, 3, 4, 5, 6].map((v, i) => done(i, [10, 10, v]));
    expect(shouldPrune(asha, 'minimize', running(9, [10, 10, 1.5]), others).prune).toBe(false);
    expect(shouldPrune(asha, 'minimize', running(9, [10, 10, 2.5]), others).prune).toBe(true);
    expect(shouldPrune(asha, 'maximize', running(9, [10, 10, 5.5]), others).prune).toBe(false);
    // Between rungs nothing is decided.
    expect(shouldPrune(asha, 'minimize', running(9, [10, 10, 1.5, 99]), others).prune).toBe(false);
    // Failed trials do not compete.
    expect(shouldPrune(asha, 'minimize', running(9, [10, 10, 2.5]), others.map((o) => ({ ...o, status: 'failed' as const }))).prune).toBe(false);
  });

  it('Hyperband runs trial n in bracket n mod brackets, each with its own first rung', () => {
    expect(hyperbandBrackets(1, 27, 3)).toBe(4);
    const hb = ZPrunerConfig.parse({ type: 'hyperband', minResource: 1, maxResource: 27, reductionFactor: 3 });
    const others = [0, 4, 8, 12].map((n) => done(n, [0.1]));
    // Trial 16 is in bracket 0 (rung at 1 step) with trials 0, 4, 8, 12: pruned at its first step.
    expect(shouldPrune(hb, 'minimize', running(16, [1]), others).prune).toBe(true);
    // Trial 17 is in bracket 1: its first rung is at 3 steps, and it has no peers there.
    expect(shouldPrune(hb, 'minimize', running(17, [1]), others).reason).toMatch(/bracket 1: below the first rung \(3 steps\)/);
  });

  it('Hyperband has no rung at maxResource: a run that spent its budget keeps its result', () => {
    const hb = ZPrunerConfig.parse({ type: 'hyperband', minResource: 1, maxResource: 9, reductionFactor: 3 });
    // Brackets 0..2 (first rungs 1, 3, 9); trials 0, 3, 6 are bracket 0 and much better everywhere.
    const nine = (v: number) => Array.from({ length: 9 }, () => v);
    const others = [0, 3, 6].map((n) => done(n, nine(0.1)));
    // Bracket 0's rungs are 1 and 3; at step 9 (maxResource) the worse trial 9 is not judged.
    expect(shouldPrune(hb, 'minimize', running(9, [0.1, 0.1, 0.1]), others).prune).toBe(false);
    expect(shouldPrune(hb, 'minimize', running(9, [0.1, 0.1, 0.1, 5, 5, 5, 5, 5, 5]), others).prune).toBe(false);
    expect(peerValuesNeeded(hb, running(9, nine(5)))).toBeNull();
    // At a rung below maxResource it still is.
    expect(shouldPrune(hb, 'minimize', running(9, [5, 5, 5]), others).prune).toBe(true);
    // Bracket 2 starts at maxResource: it never prunes, and says why.
    const widest = shouldPrune(hb, 'minimize', running(11, nine(5)), [2, 5, 8].map((n) => done(n, nine(0.1))));
    expect(widest.prune).toBe(false);
    expect(widest.reason).toMatch(/bracket 2: no rung below maxResource \(9 steps\)/);
    // ASHA (no maxResource) still judges at step 9, its third rung.
    const asha = ZPrunerConfig.parse({ type: 'asha', minResource: 1, reductionFactor: 3 });
    expect(shouldPrune(asha, 'minimize', running(9, [0.1, 0.1, 0.1, 5, 5, 5, 5, 5, 5]), others).prune).toBe(true);
  });

  it('spends far fewer steps than running every trial to the end, and keeps the best trial', () => {
    // 30 learning curves loss(t) = a + b / t, 27 steps each; trials run one after the other.
    const rng = new CounterRng(5, 0);
    const curves = Array.from({ length: 30 }, () => {
      const a = rng.uniform(), b = 1 + 2 * rng.uniform();
      return Array.from({ length: 27 }, (_, t) => a + b / (t + 1));
    });
    const finalOf = (c: number[]) => c[c.length - 1];
    const bestTrial = curves.map(finalOf).reduce((bi, v, i, all) => (v < all[bi] ? i : bi), 0);
    const history: PrunableTrial[] = [];
    let steps = 0;
    for (let n = 0; n < curves.length; n++) {
      const trial: PrunableTrial = { number: n, status: 'running', curve: [] };
      for (let t = 0; t < 27; t++) {
        (trial.curve as Array<{ step: number; value: number }>).push({ step: t + 1, value: curves[n][t] });
        steps++;
        if (shouldPrune(asha, 'minimize', trial, history).prune) {
          trial.status = 'pruned';
          break;
        }
      }
      if (trial.status === 'running') trial.status = 'completed';
      history.push(trial);
    }
    expect(steps).toBeLessThan(0.5 * 30 * 27);
    expect(history[bestTrial].status).toBe('completed');
  });
});

describe('pruned trials for BO', () => {
  it('record their best value, never better than the median completed final value', () => {
    const t: PrunableTrial = { number: 4, status: 'pruned', curve: [{ step: 1, value: 3 }, { step: 2, value: 2 }] };
    expect(prunedObservationValue('minimize', t, [1, 5, 9])).toBe(5);
    expect(prunedObservationValue('minimize', t, [0.5, 1, 1.5])).toBe(2);
    expect(prunedObservationValue('maximize', t, [4, 5, 6])).toBe(3);
    expect(prunedObservationValue('minimize', t, [])).toBe(2);
    expect(prunedObservationValue('minimize', { ...t, curve: [{ step: 1, value: NaN }] }, [1])).toBeNull();
  });
});

describe('peerValuesNeeded', () => {
  const curve = (...steps: number[]) => steps.map((step) => ({ step, value: 1 }));
  it('asks for exactly the values shouldPrune reads', () => {
    const median = ZPrunerConfig.parse({ type: 'median', warmupSteps: 2 });
    expect(peerValuesNeeded(median, { number: 0, curve: curve(1) })).toBeNull();
    expect(peerValuesNeeded(median, { number: 0, curve: curve(1, 2) })).toEqual({ mode: 'at', step: 2 });
    const asha = ZPrunerConfig.parse({ type: 'asha', minResource: 1, reductionFactor: 3 });
    expect(peerValuesNeeded(asha, { number: 0, curve: curve(1) })).toEqual({ mode: 'reaching', step: 1 });
    expect(peerValuesNeeded(asha, { number: 0, curve: curve(1, 2) })).toBeNull();
    expect(peerValuesNeeded(asha, { number: 0, curve: curve(1, 2, 4) })).toEqual({ mode: 'reaching', step: 3 });
    expect(peerValuesNeeded(asha, { number: 0, curve: [] })).toBeNull();
    const hb = ZPrunerConfig.parse({ type: 'hyperband', minResource: 1, maxResource: 27, reductionFactor: 3 });
    // Trial 5 runs in bracket 5 mod 4 = 1, whose first rung is 3 steps.
    expect(peerValuesNeeded(hb, { number: 5, curve: curve(1, 2) })).toBeNull();
    expect(peerValuesNeeded(hb, { number: 5, curve: curve(1, 2, 3) })).toEqual({ mode: 'reaching', step: 3 });
  });
});
