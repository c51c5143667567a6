import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZScheduleRow } from '../../schemas';

export const ZListSchedulesOutput = z.array(ZScheduleRow);

export const listSchedules = procedure
  .output(ZListSchedulesOutput)
  .query(({ ctx }) => ctx.service.listSchedules());
