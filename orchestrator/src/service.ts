import { orchestratorConfigFromEnv } from './config';
import { createServiceFromConfig } from './service-impl';
import type { StepwiseService } from './service-types';

export * from './service-types';

let instance: StepwiseService | null = null;

/**
 * The process-wide service (Prisma client + Temporal client from the environment). Connections
 * are opened on the first call of any method, so importing this costs nothing.
 */
export function getService(): StepwiseService {
  if (instance) return instance;
  let real: Promise<StepwiseService> | null = null;
  const resolve = () => (real ??= createServiceFromConfig(orchestratorConfigFromEnv()).then((s) => s.service));
  instance = new Proxy({} as StepwiseService, {
    get: (_target, method: keyof StepwiseService) =>
      async (...args: unknown[]) => {
        const service = await resolve();
        return (service[method] as (...a: unknown[]) => unknown)(...args);
      },
  });
  return instance;
}
