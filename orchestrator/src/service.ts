import type { StepwiseService } from './service-types';

export * from './service-types';

let instance: StepwiseService | null = null;

/**
 * The process-wide service (Prisma client + Temporal client from the environment).
 * The implementation lands with the orchestrator; until then calling it throws.
 */
export function getService(): StepwiseService {
  if (!instance) throw new Error('orchestrator service is not wired yet');
  return instance;
}

export function setService(service: StepwiseService): void {
  instance = service;
}
