import type { Db } from './client';
import { Prisma } from './generated/client';
import { isUuid } from './ids';

export type ScheduleRowDb = Prisma.RerunScheduleGetPayload<{ include: { _count: { select: { studies: true } } } }>;

const withCount = { _count: { select: { studies: true } } } as const;

export async function createScheduleRow(
  db: Db,
  input: { id: string; name: string; spec: object; template: object; temporalScheduleId: string; paused: boolean },
): Promise<ScheduleRowDb> {
  return db.rerunSchedule.create({
    data: {
      id: input.id,
      name: input.name,
      spec: input.spec as Prisma.InputJsonValue,
      template: input.template as Prisma.InputJsonValue,
      temporalScheduleId: input.temporalScheduleId,
      paused: input.paused,
    },
    include: withCount,
  });
}

export async function listScheduleRows(db: Db): Promise<ScheduleRowDb[]> {
  return db.rerunSchedule.findMany({ orderBy: { createdAt: 'desc' }, include: withCount });
}

export async function getScheduleRow(db: Db, id: string): Promise<ScheduleRowDb | null> {
  if (!isUuid(id)) return null;
  return db.rerunSchedule.findUnique({ where: { id }, include: withCount });
}

export async function updateScheduleRow(
  db: Db,
  id: string,
  data: { paused?: boolean; lastRunAt?: Date | null; nextRunAt?: Date | null },
): Promise<ScheduleRowDb> {
  return db.rerunSchedule.update({ where: { id }, data, include: withCount });
}

export async function deleteScheduleRow(db: Db, id: string): Promise<void> {
  await db.rerunSchedule.deleteMany({ where: { id } });
}
