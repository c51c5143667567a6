import { Client, WorkflowExecutionAlreadyStartedError, type Connection } from '@temporalio/client';
import { ZStudyConfig } from '@stepwise/core';
import { finishStudy, type Db } from '@stepwise/db';
import type { OrchestratorConfig } from './config';
import type { StudyWorkflowInput } from '@stepwise/core';

/**
 * Launching a study writes its row, then starts its workflow. If the launching process dies in
 * between, the row would wait in `queued` forever. Every orchestrator therefore looks for queued
 * studies older than a grace period and starts their workflow under the id recorded on the row;
 * Temporal refuses a second start of the same id, so a study never runs twice.
 */
export async function reconcileQueuedStudies(
  db: Db,
  temporal: Client,
  queues: Pick<OrchestratorConfig, 'taskQueue' | 'computeQueue'> & { proposalsQueue?: string },
  graceMs: number,
): Promise<string[]> {
  const stale = await db.study.findMany({
    where: { status: 'queued', createdAt: { lt: new Date(Date.now() - graceMs) }, workflowId: { not: null } },
    select: { id: true, workflowId: true, config: true },
    take: 100,
  });
  const started: string[] = [];
  for (const study of stale) {
    const parsed = ZStudyConfig.safeParse(study.config);
    if (!parsed.success) {
      await finishStudy(db, study.id, 'failed', 'stored config no longer validates; relaunch it');
      continue;
    }
    try {
      await temporal.workflow.start('studyWorkflow', {
        taskQueue: queues.taskQueue,
        workflowId: study.workflowId!,
        args: [{ studyId: study.id, config: parsed.data, computeQueue: queues.computeQueue, proposalsQueue: queues.proposalsQueue } satisfies StudyWorkflowInput],
      });
      started.push(study.id);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return started;
}

/** Runs the reconciliation every `intervalMs` until the returned stop function is called. */
export function startReconciler(db: Db, connection: Connection, config: OrchestratorConfig, intervalMs: number, log: (line: string) => void) {
  const temporal = new Client({ connection, namespace: config.namespace });
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = async () => {
    try {
      const started = await reconcileQueuedStudies(db, temporal, config, Math.max(intervalMs, 10_000));
      for (const id of started) log(`reconciler: started the workflow of queued study ${id}`);
    } catch (err) {
      log(`reconciler: ${(err as Error).message}`);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
