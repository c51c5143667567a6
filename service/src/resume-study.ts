import type { StudySummary } from './service-types';
import type { ServiceDeps } from './context';
import { signalStudy } from './signal-study';

/** Continues a paused study. */
export function resumeStudy(deps: ServiceDeps) {
  return (id: string): Promise<StudySummary> => signalStudy(deps, id, 'resume');
}
