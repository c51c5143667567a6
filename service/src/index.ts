import { Client, Connection } from '@temporalio/client';
import { createDb } from '@stepwise/db';
import type { ServiceConfig } from './config';
import type { StepwiseService } from './service-types';
import { cancelStudy } from './cancel-study';
import { compareTrials } from './compare-trials';
import { serviceContext, type ServiceDeps } from './context';
import { createSchedule } from './create-schedule';
import { deleteSchedule } from './delete-schedule';
import { getParallelCoordinates } from './get-parallel-coordinates';
import { getParetoFront } from './get-pareto-front';
import { getTrialPoints } from './get-trial-points';
import { getTrialCurves } from './get-trial-curves';
import { getS3Study } from './get-s3-study';
import { getStudy } from './get-study';
import { getStudySnapshot } from './get-study-snapshot';
import { getSurrogate } from './get-surrogate';
import { getTrialBlocks } from './get-trial-blocks';
import { launchStudy } from './launch-study';
import { listSchedules } from './list-schedules';
import { listStudies } from './list-studies';
import { listTrials } from './list-trials';
import { pauseSchedule } from './pause-schedule';
import { pauseStudy } from './pause-study';
import { renderSamples } from './render-samples';
import { resumeStudy } from './resume-study';
import { setStudyNotes } from './set-study-notes';
import { triggerSchedule } from './trigger-schedule';
import { unpauseSchedule } from './unpause-schedule';
import { resolveId } from './resolve-id';

/**
 * The launch/control API over Postgres and Temporal; web (tRPC) and tests call it. Each method is
 * a use case in its own file under service/ (named like web/src/server/procedures/); this only
 * wires them to one set of connections and the state they share (the workflow health cache).
 */

export * from './service-types';
export * from './config';
export type { ServiceDeps } from './context';
export { parseStudyConfig } from './parse-study-config';
export { toTrialProposal } from './rows';
export { studyConfidence, endpointSummary } from './get-trial-blocks';
export { resolveId, MIN_PREFIX } from './resolve-id';

export function createService(deps: ServiceDeps): StepwiseService {
  const ctx = serviceContext(deps);
  // Every id a caller gives (URL, CLI, script) may be a unique prefix: resolved once here, so each
  // use case sees a full id, and a malformed one is not found before any query (resolve-id.ts).
  const byId = <R>(kind: 'study' | 'schedule', f: (id: string) => Promise<R>) => async (id: string) => f(await resolveId(deps.db, kind, id));
  const byStudyId = <I extends { studyId: string }, R>(f: (input: I) => Promise<R>) => async (input: I) =>
    f({ ...input, studyId: await resolveId(deps.db, 'study', input.studyId, 'studyId') });
  return {
    renderSamples: renderSamples(ctx),
    listStudies: listStudies(ctx),
    getStudy: byId('study', getStudy(ctx)),
    launchStudy: launchStudy(ctx),
    cancelStudy: byId('study', cancelStudy(ctx)),
    pauseStudy: byId('study', pauseStudy(ctx)),
    resumeStudy: byId('study', resumeStudy(ctx)),
    listTrials: byStudyId(listTrials(ctx)),
    createSchedule: createSchedule(ctx),
    listSchedules: listSchedules(ctx),
    pauseSchedule: byId('schedule', pauseSchedule(ctx)),
    unpauseSchedule: byId('schedule', unpauseSchedule(ctx)),
    triggerSchedule: byId('schedule', triggerSchedule(ctx)),
    deleteSchedule: byId('schedule', deleteSchedule(ctx)),
    getTrialBlocks: getTrialBlocks(ctx),
    compareTrials: byStudyId(compareTrials(ctx)),
    getSurrogate: byStudyId(getSurrogate(ctx)),
    getParallelCoordinates: byStudyId(getParallelCoordinates(ctx)),
    getParetoFront: byStudyId(getParetoFront(ctx)),
    getTrialPoints: byStudyId(getTrialPoints(ctx)),
    getTrialCurves: byStudyId(getTrialCurves(ctx)),
    getS3Study: byStudyId(getS3Study(ctx)),
    getStudySnapshot: async (input) => getStudySnapshot(ctx)({ ...input, id: await resolveId(deps.db, 'study', input.id) }),
    setStudyNotes: async (input) => setStudyNotes(ctx)({ ...input, id: await resolveId(deps.db, 'study', input.id) }),
  };
}

/** A service wired from environment variables (web server, CLI-side tests). */
export async function createServiceFromConfig(cfg: ServiceConfig): Promise<{ service: StepwiseService; close: () => Promise<void> }> {
  // Temporal first: when it is down (the web server retries), a failed attempt leaves no pool behind.
  const connection = await Connection.connect({ address: cfg.temporalAddress });
  const db = createDb(cfg.databaseUrl, 10);
  const temporal = new Client({ connection, namespace: cfg.namespace });
  return {
    service: createService({ db, temporal, queues: cfg }),
    close: async () => {
      await db.$disconnect();
      await connection.close();
    },
  };
}
