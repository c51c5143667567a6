import { describe, expect, it } from 'vitest';
import { applyThresholdoutQuery, withFinal, type ThresholdoutRecord } from './holdout';

const config = { threshold: 0.02, sigma: 0.005, budget: 2, seed: 7 };

describe('strategy-state holdout bookkeeping', () => {
  it('keeps the GP state and other keys when storing final numbers', () => {
    const gp = { version: 1, gp: { kernel: 'matern52', dim: 2, theta: [0.1, 0.2] } };
    const final = { trialNumber: 3, params: { nfe: 8 }, holdout: { start: 100, size: 64 }, mean: 1, stderr: 0.1, ciLow: 0.8, ciHigh: 1.2, n: 64, confidence: 0.95, searchMean: 0.9 };
    expect(withFinal(gp, final)).toEqual({ ...gp, final });
    expect(withFinal(null, final)).toEqual({ final });
  });

  it('answers, records and accounts the budget; idempotent per trial; refuses once spent', () => {
    let state: unknown = { version: 1, gp: { theta: [1] } };
    const step = (trialNumber: number, train: number, holdout: number) => {
      const r = applyThresholdoutQuery(state, config, { trialNumber, train, holdout });
      if (r.next) state = r.next;
      return r;
    };
    // Close to the training value: the training value is the answer, no budget spent.
    const a = step(0, 1.0, 1.0);
    expect(a.outcome).toMatchObject({ answer: 1.0, overThreshold: false, refused: false, budgetRemaining: 2 });
    // The same query again (a retried activity): the recorded answer, nothing written.
    const again = step(0, 1.0, 1.0);
    expect(again.next).toBeNull();
    expect(again.outcome).toEqual(a.outcome);
    // Far apart: answered from the holdout with noise, one unit spent each time.
    const b = step(1, 0.5, 1.5);
    expect(b.outcome.overThreshold).toBe(true);
    expect(b.outcome.answer).not.toBe(0.5);
    expect(Math.abs(b.outcome.answer! - 1.5)).toBeLessThan(0.2);
    const c = step(2, 0.4, 1.5);
    expect(c.outcome).toMatchObject({ overThreshold: true, budgetRemaining: 0 });
    const d = step(3, 0.3, 1.5);
    expect(d.outcome).toMatchObject({ refused: true, answer: null, budgetRemaining: 0 });
    expect(step(3, 0.3, 1.5).next).toBeNull();

    const rec = (state as { thresholdout: ThresholdoutRecord; gp: unknown }).thresholdout;
    expect((state as { gp: unknown }).gp).toEqual({ theta: [1] });
    expect(rec.queries.map((q) => q.trialNumber)).toEqual([0, 1, 2]);
    expect(rec.state.queries).toBe(3);
    expect(rec.state.budgetUsed).toBe(rec.queries.filter((q) => q.overThreshold).length);
    expect(rec).toMatchObject({ budget: 2, budgetRemaining: 0, exhausted: true, refused: [3] });
    // No raw holdout means are stored.
    expect(JSON.stringify(rec)).not.toContain('"holdout"');
  });

  it('is deterministic: the same stored state and query give the same answer', () => {
    const one = applyThresholdoutQuery(null, config, { trialNumber: 5, train: 0.1, holdout: 0.9 });
    const two = applyThresholdoutQuery(null, config, { trialNumber: 5, train: 0.1, holdout: 0.9 });
    expect(one).toEqual(two);
  });
});
