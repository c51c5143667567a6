import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { Client } from '@temporalio/client';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

const w = testWorkerEnv('schedules');
let procs: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let temporal: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  procs = await Promise.all([startOrchestrator(w), startCompute(w)]);
  ({ service, db, temporal, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => stopProcess(p)));
  await close?.();
});

const template = {
  name: 'nightly branin', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 20, parallel: 4 },
};

describe('rerun schedules', () => {
  it('create, pause, unpause, trigger now (a new study that completes) and delete', async () => {
    const created = await service.createSchedule({ name: 'nightly', spec: { cron: '0 3 * * *' }, template });
    expect(created.paused).toBe(false);
    expect(created.nextRunAt).not.toBeNull();
    expect((await service.listSchedules()).map((s) => s.id)).toContain(created.id);

    const paused = await service.pauseSchedule(created.id);
    expect(paused.paused).toBe(true);
    expect((await temporal.schedule.getHandle(created.temporalScheduleId).describe()).state.paused).toBe(true);
    expect((await service.unpauseSchedule(created.id)).paused).toBe(false);

    await service.triggerSchedule(created.id);
    await waitFor('the triggered study to appear', async () => (await db.study.count({ where: { scheduleId: created.id } })) === 1, 60_000);
    const study = await db.study.findFirstOrThrow({ where: { scheduleId: created.id } });
    expect(study.source).toBe('schedule');
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(await db.trial.count({ where: { studyId: study.id } })).toBe(20);
    expect((await service.listSchedules()).find((s) => s.id === created.id)?.studiesCreated).toBe(1);

    await service.deleteSchedule(created.id);
    expect((await service.listSchedules()).map((s) => s.id)).not.toContain(created.id);
    await expect(temporal.schedule.getHandle(created.temporalScheduleId).describe()).rejects.toThrow();
    // The study it created stays, unlinked from nothing but its history.
    expect(await db.study.count({ where: { id: study.id } })).toBe(1);
  });

  it('an interval schedule fires by itself', async () => {
    const created = await service.createSchedule({ name: 'every-2s', spec: { intervalSeconds: 2 }, template });
    await waitFor('two firings', async () => (await db.study.count({ where: { scheduleId: created.id } })) >= 2, 60_000);
    await service.deleteSchedule(created.id);
  });

  it('rejects a bad spec and a bad template with field names, creating nothing', async () => {
    const before = await db.rerunSchedule.count();
    const err = (await service
      .createSchedule({ name: 'bad', spec: { cron: 'every day' }, template: { ...template, budget: { trials: -1 } } })
      .catch((e) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    const fields = err.issues.map((i) => i.field);
    expect(fields).toContain('spec.cron');
    expect(fields).toContain('template.budget.trials');
    expect(await db.rerunSchedule.count()).toBe(before);
  });
});
