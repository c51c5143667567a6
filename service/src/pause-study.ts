import type { StudySummary } from './service-types';
import type { ServiceDeps } from './context';
import { signalStudy } from './signal-study';

/** Stops dispatching new trials (in-flight ones finish); resumeStudy continues. */
export function pauseStudy(deps: ServiceDeps) {
  return (id: string): Promise<StudySummary> => signalStudy(deps, id, 'pause');
}
