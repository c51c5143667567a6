import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_ALLOWLIST, loadAllowlist, type AllowedProgram, type CommandAllowlist } from './allowlist';

/** A stand-in for Temporal's activity Context: attempt, heartbeats and cancellation. */
const fake = vi.hoisted(() => ({
  heartbeats: [] as unknown[],
  controller: new AbortController(),
  heartbeatTimeoutMs: undefined as number | undefined,
}));
vi.mock('@temporalio/activity', () => ({
  Context: {
    current: () => ({
      info: { attempt: 2, heartbeatTimeoutMs: fake.heartbeatTimeoutMs },
      heartbeat: (d: unknown) => fake.heartbeats.push(d),
      cancellationSignal: fake.controller.signal,
    }),
  },
}));

const { createRunCommandTrial } = await import('../activities/command-trial');
const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

beforeEach(() => {
  fake.heartbeats = [];
  fake.controller = new AbortController();
  fake.heartbeatTimeoutMs = undefined;
});

function nodeAllowlist(code: string): CommandAllowlist {
  const program: AllowedProgram = { name: 'slow', argv: [process.execPath, '-e', code], cwd: os.tmpdir(), timeoutSeconds: 30, env: {} };
  return { file: '/etc/stepwise/commands.json', programs: new Map([['slow', program]]) };
}

describe('runCommandTrial activity', () => {
  it('runs an allowlisted program and returns its outcome', async () => {
    const run = createRunCommandTrial({ allowlist: loadAllowlist(path.join(EXAMPLES, 'commands.json')), identity: 'w1' });
    const out = await run({ program: 'train-tiny', params: { lr: 0.2, hidden: 4, epochs: 20 }, metric: 'val_acc', trialNumber: 4, seed: 1 });
    expect(out).toMatchObject({ worker: 'w1', attempt: 2, status: 'completed', error: null });
    expect(out.value).toBe(out.metrics.val_acc);
    expect(fake.heartbeats.length).toBeGreaterThanOrEqual(1);

    // A failing program is a failed trial, not a failed activity.
    const bad = await run({ program: 'train-tiny', params: { lr: 'high' }, metric: 'val_loss', trialNumber: 5, seed: 1 });
    expect(bad).toMatchObject({ status: 'failed', value: null });
    expect(bad.error).toContain('lr must be a number');
  });

  it('refuses a program that is not allowlisted, non-retryably', async () => {
    const run = createRunCommandTrial({ allowlist: EMPTY_ALLOWLIST, identity: 'w1' });
    const err = await run({ program: 'rm', params: {}, metric: 'v', trialNumber: 0, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toBe(`program "rm" is not in this worker's allowlist (STEPWISE_COMMANDS_FILE=(not set)); add it there (no programs are allowed here)`);

    const run2 = createRunCommandTrial({ allowlist: nodeAllowlist(''), identity: 'w1' });
    const err2 = await run2({ program: 'other', params: {}, metric: 'v', trialNumber: 0, seed: 0 }).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/STEPWISE_COMMANDS_FILE=\/etc\/stepwise\/commands\.json\); add it there \(allowed here: slow\)/);
    const err3 = await run2({ program: 'slow', params: [] as never, metric: 'v', trialNumber: 0, seed: 0 }).catch((e: unknown) => e);
    expect((err3 as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('heartbeats while the program runs and kills it on cancellation', async () => {
    fake.heartbeatTimeoutMs = 900; // heartbeat every 300 ms
    const run = createRunCommandTrial({ allowlist: nodeAllowlist(`console.log('step 1');setInterval(()=>{},1000)`), identity: 'w1' });
    const reason = new CancelledFailure('CANCELLED');
    setTimeout(() => fake.controller.abort(reason), 1200);
    const t0 = Date.now();
    const err = await run({ program: 'slow', params: {}, metric: 'v', trialNumber: 0, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBe(reason);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(fake.heartbeats.length).toBeGreaterThanOrEqual(3);
    expect(fake.heartbeats.at(-1)).toMatchObject({ program: 'slow', trial: 0, lastLine: 'step 1' });
  });
});
