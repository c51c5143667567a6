import { inject } from 'vitest';
import { startProcess, stopProcess, waitFor, type ManagedProcess } from '../../infra/stack/processes';

/**
 * Worker processes for integration tests: real `tsx` processes, exactly as `npm run up` starts
 * them, so a test can SIGKILL one mid-study and start another.
 */

export interface WorkerEnv {
  databaseUrl: string;
  temporalAddress: string;
  /** Per-test-file task queues keep files from stealing each other's work. */
  orchestratorQueue: string;
  computeQueue: string;
  proposalsQueue: string;
}

export function testWorkerEnv(prefix: string): WorkerEnv {
  return {
    databaseUrl: inject('databaseUrl'),
    temporalAddress: inject('temporalAddress'),
    orchestratorQueue: `${prefix}-orchestrator`,
    computeQueue: `${prefix}-compute`,
    proposalsQueue: `${prefix}-proposals`,
  };
}

function envFor(w: WorkerEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: w.databaseUrl,
    TEMPORAL_ADDRESS: w.temporalAddress,
    STEPWISE_ORCHESTRATOR_QUEUE: w.orchestratorQueue,
    STEPWISE_TASK_QUEUE: w.computeQueue,
    STEPWISE_PROPOSALS_QUEUE: w.proposalsQueue,
    ...extra,
  };
}

async function startAndWait(name: string, script: string, env: NodeJS.ProcessEnv, readyLine: RegExp): Promise<ManagedProcess> {
  let output = '';
  const proc = startProcess(name, process.execPath, ['--import', 'tsx', script], { env, logFile: `.data/test/logs/${name}.log` });
  proc.child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  proc.child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitFor(`${name} to start`, async () => {
    if (exited) throw new Error(`${name} exited during start-up:\n${output.slice(-3000)}`);
    return readyLine.test(output);
  }, 120_000);
  return proc;
}

export function startOrchestrator(w: WorkerEnv, name = 'orchestrator', extra: Record<string, string> = {}): Promise<ManagedProcess> {
  return startAndWait(name, 'orchestrator/src/main.ts', envFor(w, { STEPWISE_WORKER_ID: name, ...extra }), /^orchestrator .* on queue/m);
}

/** The proposals worker (BO proposals; activities only), needed by every adaptive study. */
export function startProposals(w: WorkerEnv, name = 'proposals', extra: Record<string, string> = {}): Promise<ManagedProcess> {
  return startAndWait(name, 'orchestrator/src/proposals-main.ts', envFor(w, { STEPWISE_WORKER_ID: name, ...extra }), /^proposals worker .* on queue/m);
}

export function startCompute(w: WorkerEnv, name = 'compute', extra: Record<string, string> = {}): Promise<ManagedProcess> {
  return startAndWait(name, 'workers/src/main.ts', envFor(w, { STEPWISE_WORKER_ID: name, ...extra }), /^compute worker .* on queue/m);
}

/** A crash, not a shutdown: no drain, no goodbye to Temporal. */
export function kill9(p: ManagedProcess): Promise<number | string> {
  p.child.kill('SIGKILL');
  return p.exited;
}

export { stopProcess };
