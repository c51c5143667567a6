import { describe, expect, it } from 'vitest';
import { computeWorkerConfigFromEnv, DEFAULT_MAX_SAMPLES_PER_ACTIVITY } from './config';

describe('compute worker config', () => {
  it('reads the per-activity sample cap and the reference cache budget, with defaults', () => {
    const defaults = computeWorkerConfigFromEnv({});
    expect(defaults.maxSamplesPerActivity).toBe(DEFAULT_MAX_SAMPLES_PER_ACTIVITY);
    expect(defaults.referenceCacheBytes).toBe(512 * 1024 * 1024);
    const set = computeWorkerConfigFromEnv({ STEPWISE_MAX_SAMPLES_PER_ACTIVITY: '4096', STEPWISE_REFERENCE_CACHE_MB: '8' });
    expect(set.maxSamplesPerActivity).toBe(4096);
    expect(set.referenceCacheBytes).toBe(8 * 1024 * 1024);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => computeWorkerConfigFromEnv({ STEPWISE_MAX_SAMPLES_PER_ACTIVITY: '0' })).toThrow(
      'STEPWISE_MAX_SAMPLES_PER_ACTIVITY must be a positive integer, got "0" (unset it for the default 65536)',
    );
    expect(() => computeWorkerConfigFromEnv({ STEPWISE_REFERENCE_CACHE_MB: '1.5GB' })).toThrow(/^STEPWISE_REFERENCE_CACHE_MB must be a positive integer, got "1\.5GB"/);
  });

  it('tells workers apart when they share a hostname and a PID (containers are all PID 1)', () => {
    const a = computeWorkerConfigFromEnv({}).identity;
    const b = computeWorkerConfigFromEnv({}).identity;
    expect(a).toMatch(/^compute-cpu@.+:\d+-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(computeWorkerConfigFromEnv({ STEPWISE_WORKER_ID: 'gpu-7' }).identity).toBe('gpu-7');
  });
});
