import { Client, Connection } from '@temporalio/client';
import { createDb } from '@stepwise/db';
import type { ServiceConfig } from './config';
import type { StepwiseService } from './service-types';
import { cancelStudy } from './cancel-study';
import { serviceContext, type ServiceDeps } from './context';
import { createSchedule } from './create-schedule';
import { deleteSchedule } from './delete-schedule';
import { getParallelCoordinates } from './get-parallel-coordinates';
import { getStudy } from './get-study';
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
import { triggerSchedule } from './trigger-schedule';
import { unpauseSchedule } from './unpause-schedule';

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
export { studyConfidence } from './get-trial-blocks';

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
