import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchHistories, loadHistories, replayHistories, saveHistories, type RecordedHistory } from '@stepwise/orchestrator/replay';

/**
 * The replay gate. Runs after every other integration file (tests/support/sequencer.ts), fetches
 * the history of every workflow they ran on the test Temporal server — studies, continued runs,
 * evaluate races, schedule firings, sample grids, crashed and cancelled ones — and replays each
 * against the current workflow bundle. Any nondeterminism (a command order that depends on which
 * concurrent branch finished first, an unpatched change) fails here. The histories are saved
 * under .data/test/histories for inspection (`temporal workflow show` reads them).
 */

/** Workflows a test wedges on purpose with a deliberately broken bundle: their histories are not the product's. */
const INTENTIONALLY_BROKEN = /^wedged-/;

let connection: Connection;
let histories: RecordedHistory[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  const all = await fetchHistories(new Client({ connection }));
  histories = all.filter((h) => !INTENTIONALLY_BROKEN.test(h.workflowId));
  saveHistories(histories, '.data/test/histories');
});

afterAll(async () => {
  await connection?.close();
});

describe('replay gate', () => {
  it('has histories to replay (it runs after the other integration files, never alone)', () => {
    expect(histories.length, 'no workflow histories on the test server: run this file together with the other integration tests').toBeGreaterThan(0);
    expect(new Set(histories.map((h) => h.workflowType)).has('studyWorkflow')).toBe(true);
  });

  // Histories recorded by the previous release's test suite (clean-clone CI of da0540d, before the
  // sample grid's longer, heartbeating activity): every workflow type and most study kinds,
  // continued runs included. The current code must replay them, as it must a study that was
  // running during an upgrade. Keep them; add a newer set when a release changes workflows.
  it('replays the histories the previous release recorded (tests/fixtures/histories-v0.5)', async () => {
    const old = loadHistories('tests/fixtures/histories-v0.5');
    expect(new Set(old.map((h) => h.workflowType))).toEqual(new Set(['studyWorkflow', 'sampleGridWorkflow', 'describeModelWorkflow', 'scheduledStudyWorkflow']));
    const { replayed, failures } = await replayHistories(old);
    expect(replayed).toBe(old.length);
    expect(failures.map((f) => `${f.workflowType} ${f.workflowId}: ${f.error.slice(0, 400)}`)).toEqual([]);
  }, 300_000);

  it('every recorded history replays against the current workflow code', async () => {
    const { replayed, failures } = await replayHistories(histories);
    expect(replayed).toBe(histories.length);
    expect(failures.map((f) => `${f.workflowType} ${f.workflowId}/${f.runId}: ${f.error.slice(0, 400)}`)).toEqual([]);
  }, 600_000);
});
