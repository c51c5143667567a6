import { createCallerFactory, router } from './trpc';
import { listStudies } from './procedures/studies/list';
import { getStudy } from './procedures/studies/get';
import { launchStudy } from './procedures/studies/launch';
import { cancelStudy } from './procedures/studies/cancel';
import { listTrials } from './procedures/trials/list';
import { createSchedule } from './procedures/schedules/create';
import { listSchedules } from './procedures/schedules/list';
import { pauseSchedule } from './procedures/schedules/pause';
import { unpauseSchedule } from './procedures/schedules/unpause';
import { triggerSchedule } from './procedures/schedules/trigger';
import { deleteSchedule } from './procedures/schedules/delete';

export const appRouter = router({
  studies: router({ list: listStudies, get: getStudy, launch: launchStudy, cancel: cancelStudy }),
  trials: router({ list: listTrials }),
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
