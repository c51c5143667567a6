import { Client, Connection } from '@temporalio/client';
import { createDb } from '@stepwise/db';
import type { OrchestratorConfig } from './config';
import type { StepwiseService } from './service-types';
import { cancelStudy } from './service/cancel-study';
import { serviceContext, type ServiceDeps } from './service/context';
import { createSchedule } from './service/create-schedule';
import { deleteSchedule } from './service/delete-schedule';
import { getParallelCoordinates } from './service/get-parallel-coordinates';
import { getStudy } from './service/get-study';
import { getSurrogate } from './service/get-surrogate';
import { getTrialBlocks } from './service/get-trial-blocks';
import { launchStudy } from './service/launch-study';
import { listSchedules } from './service/list-schedules';
import { listStudies } from './service/list-studies';
import { listTrials } from './service/list-trials';
import { pauseSchedule } from './service/pause-schedule';
import { pauseStudy } from './service/pause-study';
import { renderSamples } from './service/render-samples';
import { resumeStudy } from './service/resume-study';
import { triggerSchedule } from './service/trigger-schedule';
import { unpauseSchedule } from './service/unpause-schedule';

/**
 * The launch/control API over Postgres and Temporal; web (tRPC) and tests call it. Each method is
 * a use case in its own file under service/ (named like web/src/server/procedures/); this only
 * wires them to one set of connections and the state they share (the workflow health cache).
 */

export type { ServiceDeps } from './service/context';
export { parseStudyConfig } from './service/parse-study-config';
export { toTrialProposal } from './service/rows';
export { studyConfidence } from './service/get-trial-blocks';

export function createService(deps: ServiceDeps): StepwiseService {
  const ctx = serviceContext(deps);
  return {
    renderSamples: renderSamples(ctx),
    listStudies: listStudies(ctx),
    getStudy: getStudy(ctx),
    launchStudy: launchStudy(ctx),
    cancelStudy: cancelStudy(ctx),
    pauseStudy: pauseStudy(ctx),
    resumeStudy: resumeStudy(ctx),
    listTrials: listTrials(ctx),
    createSchedule: createSchedule(ctx),
    listSchedules: listSchedules(ctx),
    pauseSchedule: pauseSchedule(ctx),
    unpauseSchedule: unpauseSchedule(ctx),
    triggerSchedule: triggerSchedule(ctx),
    deleteSchedule: deleteSchedule(ctx),
    getTrialBlocks: getTrialBlocks(ctx),
    getSurrogate: getSurrogate(ctx),
    getParallelCoordinates: getParallelCoordinates(ctx),
  };
}

/** A service wired from environment variables (web server, CLI-side tests). */
export async function createServiceFromConfig(cfg: OrchestratorConfig): Promise<{ service: StepwiseService; close: () => Promise<void> }> {
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
