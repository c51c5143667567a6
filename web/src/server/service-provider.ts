import { getService } from '@stepwise/orchestrator/service';
import type { StepwiseService } from '@stepwise/orchestrator/service-types';
import { InMemoryStepwiseService } from './testing/fake-service';

const DEMO_KEY = Symbol.for('stepwise.demoService');

/**
 * The service behind /api/trpc: the orchestrator's (Postgres + Temporal). With
 * STEPWISE_FAKE_SERVICE=1 an in-memory simulation instead, for UI work and demos without the
 * stack; it is process-local and forgets everything on restart.
 */
export function resolveService(env: NodeJS.ProcessEnv = process.env): StepwiseService {
  if (env.STEPWISE_FAKE_SERVICE === '1') {
    const g = globalThis as { [DEMO_KEY]?: StepwiseService };
    return (g[DEMO_KEY] ??= new InMemoryStepwiseService({ failureRate: 0.02, trialDurationMs: 250 }));
  }
  return getService();
}
