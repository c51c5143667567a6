import { afterAll, beforeAll } from 'vitest';
import type { Client } from '@temporalio/client';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { ManagedProcess } from '../../infra/stack/processes';
import { connectService } from './service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv, type WorkerEnv } from './workers';

export interface StudyStack {
  readonly env: WorkerEnv;
  readonly service: StepwiseService;
  readonly db: Db;
  readonly temporal: Client;
}

/**
 * One orchestrator and one compute worker on task queues of their own (named by `prefix`) and
 * the real service, started before the file's tests and stopped after them.
 */
export function useStudyStack(prefix: string, opts: { computeEnv?: Record<string, string>; orchestratorEnv?: Record<string, string> } = {}): StudyStack {
  const env = testWorkerEnv(prefix);
  let procs: ManagedProcess[] = [];
  let connected: Awaited<ReturnType<typeof connectService>> | null = null;
  beforeAll(async () => {
    procs = await Promise.all([startOrchestrator(env, 'orchestrator', opts.orchestratorEnv), startCompute(env, 'compute', opts.computeEnv)]);
    connected = await connectService(env);
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    await connected?.close();
  });
  const get = () => {
    if (!connected) throw new Error('the study stack is not started yet (use it inside a test)');
    return connected;
  };
  return {
    env,
    get service() {
      return get().service;
    },
    get db() {
      return get().db;
    },
    get temporal() {
      return get().temporal;
    },
  };
}
