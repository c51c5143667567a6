import { describe, expect, it } from 'vitest';
import { waitFor } from '../infra/stack/processes';
import { waitForStatus } from './support/service';
import { useStudyStack } from './support/stack';

/**
 * Control state across continue-as-new. A study longer than one workflow run (1,000 trials for
 * search studies, 32 race rounds for evaluate studies) must carry pause through the boundary,
 * and an evaluate race rebuilt from its recorded blocks must end exactly where an unbroken race
 * of the same seed ends.
 */

const stack = useStudyStack('longruns');

async function workflowIdOf(studyId: string): Promise<string> {
  return (await stack.db.study.findUniqueOrThrow({ where: { id: studyId } })).workflowId!;
}

async function runsOf(workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
  return n;
}

/** Nothing new is recorded while paused: once what was in flight has landed, the counts hold still. */
async function expectHeld(studyId: string): Promise<number> {
  await waitForStatus(stack.service, studyId, ['paused'], 60_000);
  const counts = async () => [
    await stack.db.trial.count({ where: { studyId, status: 'completed' } }),
    await stack.db.trialBlock.count({ where: { trial: { studyId } } }),
  ];
  let before = await counts();
  await waitFor('in-flight work to land', async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await counts();
    const still = now.every((v, i) => v === before[i]);
    before = now;
    if (!still) return false;
    // Search studies drain their running trials; an evaluate study's candidates stay running until the race ends.
    const study = await stack.service.getStudy(studyId);
    return study.kind === 'evaluate' || study.trialsRunning === 0;
  }, 60_000, 10);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await counts()).toEqual(before);
  expect((await stack.service.getStudy(studyId)).status).toBe('paused');
  return before[0];
}

describe('continue-as-new keeps control state', () => {
  it('a pause sent while the last batches of a run are in flight holds in the next run', async () => {
    const launched = await stack.service.launchStudy({
      source: 'client',
      config: { name: 'pause-at-boundary', kind: 'random', objective: { type: 'function', function: 'levy', dim: 3 }, budget: { trials: 1300, parallel: 8 }, seed: 4 },
    });
    const handle = stack.temporal.workflow.getHandle(await workflowIdOf(launched.id));
    // Pause as soon as the first run has dispatched its last trial (trial 999), before it ends.
    await waitFor('the first run to dispatch its last batch', async () => {
      const p = await handle.query<{ dispatched: number }>('progress');
      return p.dispatched >= 1000;
    }, 120_000, 5);
    await stack.service.pauseStudy(launched.id);
    const held = await expectHeld(launched.id);
    expect(held).toBeGreaterThanOrEqual(1000);
    expect(held).toBeLessThan(1300);
    expect(await runsOf(handle.workflowId)).toBeGreaterThanOrEqual(2);

    await stack.service.resumeStudy(launched.id);
    const done = await waitForStatus(stack.service, launched.id, ['completed', 'failed', 'cancelled'], 180_000);
    expect(done.status).toBe('completed');
    expect(await stack.db.trial.count({ where: { studyId: launched.id, status: 'completed' } })).toBe(1300);
    const numbers = await stack.db.trial.findMany({ where: { studyId: launched.id }, select: { number: true } });
    expect(new Set(numbers.map((t) => t.number)).size).toBe(1300);
  });

  it('an evaluate race continues as new, honours pause, and ends exactly as an unbroken race', async () => {
    // Two identical candidates never separate (their paired difference is exactly zero), so the
    // race runs to maxSamples: 48 rounds of 4 seeds, more than one run's 32.
    const config = {
      name: 'long-race', kind: 'evaluate',
      objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 4, maxSamples: 192, blockSize: 4 } },
      candidates: [{ preset: 'ddim', nfe: 6 }, { preset: 'ddim', nfe: 6 }],
      budget: { trials: 2, parallel: 2 },
      seed: 9,
    };
    const paused = await stack.service.launchStudy({ source: 'client', config: { ...config, name: 'long-race paused' } });
    await waitFor('a few race rounds', async () => (await stack.db.trialBlock.count({ where: { trial: { studyId: paused.id } } })) >= 20, 120_000, 50);
    await stack.service.pauseStudy(paused.id);
    await expectHeld(paused.id);
    await stack.service.resumeStudy(paused.id);
    const reference = await stack.service.launchStudy({ source: 'client', config: { ...config, name: 'long-race reference' } });
    const [a, b] = await Promise.all([
      waitForStatus(stack.service, paused.id, ['completed', 'failed', 'cancelled'], 240_000),
      waitForStatus(stack.service, reference.id, ['completed', 'failed', 'cancelled'], 240_000),
    ]);
    expect([a.status, a.error]).toEqual(['completed', null]);
    expect(b.status).toBe('completed');
    expect(await runsOf(await workflowIdOf(paused.id))).toBeGreaterThanOrEqual(2);

    const trials = async (studyId: string) =>
      stack.db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' }, select: { number: true, value: true, stderr: true, n: true, ciLow: true, ciHigh: true } });
    const got = await trials(paused.id);
    expect(got).toHaveLength(2);
    expect(got.every((t) => t.n === 192)).toBe(true);
    expect(got).toEqual(await trials(reference.id));
    // Every race block recorded once, with its per-seed values.
    const blocks = await stack.db.trialBlock.findMany({ where: { trial: { studyId: paused.id } }, select: { blockIndex: true, values: true } });
    expect(blocks).toHaveLength(2 * 48);
    expect(blocks.every((b) => Array.isArray(b.values) && (b.values as number[]).length === 4)).toBe(true);
  });
});
