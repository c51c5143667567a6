import { DEFAULT_COMPUTE_QUEUE, DEFAULT_ORCHESTRATOR_QUEUE, DEFAULT_PROPOSALS_QUEUE } from '../contracts/compute';

/**
 * Where the stack's services are, read from environment variables that every process (web,
 * orchestrator, proposals and compute workers, CLI-side tests) names the same way. Pure: the
 * caller passes its environment.
 */
export interface StackSettings {
  temporalAddress: string;
  namespace: string;
  /** Workflow tasks and the orchestration (DB) activities. */
  taskQueue: string;
  /** Sampling, function and command trials (compute workers). */
  computeQueue: string;
  /** CPU-heavy proposal computation (BO, S^3 screening): its own worker process. */
  proposalsQueue: string;
  databaseUrl: string;
}

export function stackSettingsFromEnv(env: Record<string, string | undefined>): StackSettings {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set: point it at the Stepwise Postgres database');
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.STEPWISE_ORCHESTRATOR_QUEUE ?? DEFAULT_ORCHESTRATOR_QUEUE,
    computeQueue: env.STEPWISE_TASK_QUEUE ?? DEFAULT_COMPUTE_QUEUE,
    proposalsQueue: env.STEPWISE_PROPOSALS_QUEUE ?? DEFAULT_PROPOSALS_QUEUE,
    databaseUrl,
  };
}
