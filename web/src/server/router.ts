import { createCallerFactory, router } from './trpc';
import { listStudies } from './procedures/studies/list';
import { getStudy } from './procedures/studies/get';
import { launchStudy } from './procedures/studies/launch';
import { cancelStudy } from './procedures/studies/cancel';
import { pauseStudy } from './procedures/studies/pause';
import { resumeStudy } from './procedures/studies/resume';
import { studySurrogate } from './procedures/studies/surrogate';
import { studyParallel } from './procedures/studies/parallel';
import { studyPareto } from './procedures/studies/pareto';
import { studyS3 } from './procedures/studies/s3';
import { studySnapshot } from './procedures/studies/snapshot';
import { studyPoints } from './procedures/studies/points';
import { studyCurves } from './procedures/studies/curves';
import { setStudyNotes } from './procedures/studies/notes';
import { listTrials } from './procedures/trials/list';
import { trialBlocks } from './procedures/trials/blocks';
import { compareTrials } from './procedures/trials/compare';
import { sampleGrid } from './procedures/samples/grid';
import { createSchedule } from './procedures/schedules/create';
import { listSchedules } from './procedures/schedules/list';
import { pauseSchedule } from './procedures/schedules/pause';
import { unpauseSchedule } from './procedures/schedules/unpause';
import { triggerSchedule } from './procedures/schedules/trigger';
import { deleteSchedule } from './procedures/schedules/delete';

export const appRouter = router({
  studies: router({
    list: listStudies,
    get: getStudy,
    launch: launchStudy,
    cancel: cancelStudy,
    pause: pauseStudy,
    resume: resumeStudy,
    surrogate: studySurrogate,
    parallel: studyParallel,
    pareto: studyPareto,
    s3: studyS3,
    snapshot: studySnapshot,
    points: studyPoints,
    curves: studyCurves,
    setNotes: setStudyNotes,
  }),
  trials: router({ list: listTrials, blocks: trialBlocks, compare: compareTrials }),
  samples: router({ grid: sampleGrid }),
  schedules: router({
    create: createSchedule,
    list: listSchedules,
    pause: pauseSchedule,
    unpause: unpauseSchedule,
    trigger: triggerSchedule,
    delete: deleteSchedule,
  }),
});

export type AppRouter = typeof appRouter;

/** In-process caller (tests, server components): `createCaller(createContext({ service }))`. */
export const createCaller = createCallerFactory(appRouter);

export { createContext, type Context } from './trpc';
