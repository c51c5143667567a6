import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { stackSettingsFromEnv, type StackSettings } from '@stepwise/core';

/** Settings of an orchestrator or proposals worker process (same variables in every topology). */
export interface OrchestratorConfig extends StackSettings {
  identity: string;
}

export function orchestratorConfigFromEnv(env = process.env, role = 'orchestrator'): OrchestratorConfig {
  return {
    ...stackSettingsFromEnv(env),
    // Every container is PID 1: a random suffix keeps identities apart when hostnames repeat.
    identity: env.STEPWISE_WORKER_ID ?? `${role}@${os.hostname()}:${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}
