import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZStudyConfig } from '@stepwise/core';
import { allowlistedPrograms, launchIssues, studyLimitsFromEnv } from './launch-checks';

const commandStudy = (program: string) =>
  ZStudyConfig.parse({ name: 'c', kind: 'random', objective: { type: 'command', program }, space: [{ type: 'float', name: 'lr', low: 0, high: 1 }], budget: { trials: 2 } });
const samplerStudy = (trials: number, maxSamples: number) =>
  ZStudyConfig.parse({
    name: 's', kind: 'random', budget: { trials }, space: [{ type: 'int', name: 'nfe', low: 2, high: 4 }],
    objective: { type: 'sampler', model: 'gmm-2d', estimation: { minSamples: 64, maxSamples, blockSize: 64 } },
  });

describe('launch checks', () => {
  it('reads the caps from the environment, defaults when unset, and refuses a nonsense value', () => {
    expect(studyLimitsFromEnv({})).toEqual({ maxStudySamples: 10_000_000, maxSamplesPerActivity: 65_536 });
    expect(studyLimitsFromEnv({ STEPWISE_MAX_STUDY_SAMPLES: '1_000', STEPWISE_MAX_SAMPLES_PER_ACTIVITY: ' 512 ' })).toEqual({ maxStudySamples: 1000, maxSamplesPerActivity: 512 });
    expect(() => studyLimitsFromEnv({ STEPWISE_MAX_STUDY_SAMPLES: 'lots' })).toThrow(/STEPWISE_MAX_STUDY_SAMPLES=lots is not a positive whole number/);
  });

  it('applies the configured study cap', () => {
    expect(launchIssues(samplerStudy(10, 1000), {})).toEqual([]);
    const issues = launchIssues(samplerStudy(10, 1000), { STEPWISE_MAX_STUDY_SAMPLES: '9999' });
    expect(issues.map((i) => i.field)).toEqual(['budget.trials']);
    expect(issues[0].message).toMatch(/up to 10,000 samples .* above the cap of 9,999 per study \(STEPWISE_MAX_STUDY_SAMPLES\)/);
  });

  it('checks a command program against the allowlist when this process can read it, and skips the check when not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-allow-'));
    const file = join(dir, 'commands.json');
    writeFileSync(file, JSON.stringify({ programs: { 'train-tiny': { argv: ['python3', 'x.py'] } } }));
    const env = { STEPWISE_COMMANDS_FILE: file };
    expect(allowlistedPrograms(env)).toEqual({ file, programs: ['train-tiny'] });
    expect(launchIssues(commandStudy('train-tiny'), env)).toEqual([]);
    expect(launchIssues(commandStudy('rm'), env)).toEqual([
      { field: 'objective.program', message: `program "rm" is not in the allowlist ${file} (STEPWISE_COMMANDS_FILE); allowed: train-tiny` },
    ]);
    expect(launchIssues(commandStudy('rm'), { STEPWISE_COMMANDS_FILE: join(dir, 'missing.json') })).toEqual([]);
    expect(launchIssues(commandStudy('rm'), {})).toEqual([]);
  });

  it('refuses a config too large to be a workflow input', () => {
    const choices = Array.from({ length: 1000 }, (_, i) => `choice-${i}-${'x'.repeat(200)}`);
    const space = Array.from({ length: 2 }, (_, i) => ({ type: 'categorical', name: `p${i}`, choices }));
    const cfg = ZStudyConfig.parse({ name: 'big', kind: 'random', objective: { type: 'command', program: 'train-tiny' }, space, budget: { trials: 2 } });
    expect(launchIssues(cfg, {})).toEqual([{ field: '(config)', message: expect.stringMatching(/^the config is \d+ KiB; the limit is 256 KiB/) }]);
  });
});
