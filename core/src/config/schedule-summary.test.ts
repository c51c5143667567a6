import { describe, expect, it } from 'vitest';
import { scheduleSummary } from './schedule-summary';

describe('scheduleSummary', () => {
  it('names the NFE and the first steps\' decisions', () => {
    const schedule = {
      noiseSchedule: 'vp-linear',
      timesteps: { spacing: 'explicit', values: [1, 0.5, 0.2, 0.05, 0.001] },
      analyticFirstStep: true,
      steps: [
        { prediction: 'data', order: 1 },
        { prediction: 'data', order: 2, intermediate: [{ r: 0.5, order: 1 }], corrector: true },
        { prediction: 'noise', order: 3 },
        { prediction: 'data', order: 2 },
      ],
    };
    // 4 steps + 1 intermediate point - 1 analytic first step.
    expect(scheduleSummary(schedule)).toBe('USF · 4 NFE · afs data/1 data/2+1m,c noise/3 …');
    expect(scheduleSummary({ ...schedule, analyticFirstStep: false, timesteps: { spacing: 'logSNR' }, steps: schedule.steps.slice(0, 2) })).toBe('USF · 3 NFE · logSNR · data/1 data/2+1m,c');
  });

  it('is null for anything that is not a schedule', () => {
    for (const v of [null, 'fast.json', 3, [], {}, { steps: [] }, { steps: [{ prediction: 'data' }] }]) expect(scheduleSummary(v)).toBeNull();
  });
});
