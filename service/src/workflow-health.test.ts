import { describe, expect, it } from 'vitest';
import { classifyRetriedTask, classifySnapshot, oneLine, UNCLAIMED_TASK_MS, type WorkflowSnapshot } from './workflow-health';

const now = Date.UTC(2026, 0, 1, 12);
const snap = (over: Partial<WorkflowSnapshot> = {}): WorkflowSnapshot => ({ status: 'RUNNING', taskQueue: 'orch', pendingTask: null, ...over });

describe('workflow health', () => {
  it('a running workflow with no task, or a fresh first attempt, is ok', () => {
    expect(classifySnapshot(snap(), now)).toEqual({ health: { state: 'ok', reason: null, since: null }, needsHistory: false });
    const fresh = snap({ pendingTask: { attempt: 1, state: 'scheduled', scheduledAt: new Date(now - 1000) } });
    expect(classifySnapshot(fresh, now).health.state).toBe('ok');
  });

  it('a retried workflow task needs the history to tell a fault from a failover', () => {
    const retried = snap({ pendingTask: { attempt: 7, state: 'scheduled', scheduledAt: new Date(now) } });
    expect(classifySnapshot(retried, now).needsHistory).toBe(true);
    const failed = classifyRetriedTask(7, { kind: 'failed', message: '[TMPRL1100] Nondeterminism error: Activity machine does not handle this event\n  at stack', at: new Date(now - 60_000) });
    expect(failed).toEqual({
      state: 'stalled',
      reason: 'workflow task failing (attempt 7): [TMPRL1100] Nondeterminism error: Activity machine does not handle this event',
      since: new Date(now - 60_000),
    });
    // One timeout is what a worker crash mid-task looks like; the next worker picks it up.
    expect(classifyRetriedTask(2, { kind: 'timed-out', at: null }).state).toBe('ok');
    expect(classifyRetriedTask(4, { kind: 'timed-out', at: null })).toMatchObject({ state: 'stalled', reason: expect.stringMatching(/timed out 3 times in a row/) });
  });

  it('a task nobody takes, a closed workflow, and the reason length', () => {
    const waiting = snap({ pendingTask: { attempt: 1, state: 'scheduled', scheduledAt: new Date(now - UNCLAIMED_TASK_MS - 5000) } });
    expect(classifySnapshot(waiting, now).health.reason).toBe('no orchestrator worker has taken its workflow task for 65 s: is an orchestrator running on queue "orch"?');
    expect(classifySnapshot(snap({ status: 'TERMINATED' }), now).health).toMatchObject({ state: 'stalled', reason: expect.stringMatching(/^its workflow is terminated in Temporal/) });
    expect(oneLine('x'.repeat(900)).length).toBe(500);
  });
});
