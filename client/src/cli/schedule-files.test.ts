import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError } from './config-file';
import { inlineScheduleFiles } from './schedule-files';

const schedule = { noiseSchedule: 'vp-linear', timesteps: { spacing: 'logSNR' }, steps: [{ prediction: 'data', order: 1 }, { prediction: 'data', order: 2 }] };

describe('schedule files in a study config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-schedules-'));
  mkdirSync(join(dir, 'configs', 'schedules'), { recursive: true });
  writeFileSync(join(dir, 'configs', 'schedules', 'fast.json'), JSON.stringify(schedule));
  writeFileSync(join(dir, 'configs', 'schedules', 'slow.yaml'), 'noiseSchedule: vp-linear\ntimesteps: { spacing: logSNR }\nsteps:\n  - { prediction: noise, order: 1 }\n');
  writeFileSync(join(dir, 'configs', 'schedules', 'broken.json'), '{ "steps": [');
  const configPath = join(dir, 'configs', 'study.yaml');

  it('inlines candidates\', the objective\'s and schedule choices\' files, resolved relative to the config file', async () => {
    const config = {
      kind: 'evaluate',
      objective: { type: 'sampler', model: 'gmm-2d', schedule: 'schedules/slow.yaml' },
      candidates: [{ schedule: 'schedules/fast.json' }, { preset: 'ddim', nfe: 2 }, { schedule }],
      space: [{ type: 'categorical', name: 'schedule', choices: ['schedules/fast.json', schedule] }, { type: 'categorical', name: 'preset', choices: ['ddim'] }],
    };
    const out = (await inlineScheduleFiles(config, configPath)) as typeof config & Record<string, never>;
    expect(out.candidates).toEqual([{ schedule }, { preset: 'ddim', nfe: 2 }, { schedule }]);
    expect(out.objective.schedule).toEqual({ noiseSchedule: 'vp-linear', timesteps: { spacing: 'logSNR' }, steps: [{ prediction: 'noise', order: 1 }] });
    expect(out.space[0].choices).toEqual([schedule, schedule]);
    expect(out.space[1]).toEqual(config.space[1]);
    // The input is not modified.
    expect(config.candidates[0].schedule).toBe('schedules/fast.json');
  });

  it('names the field and the file when one cannot be read or parsed', async () => {
    const bad = (ref: string) => inlineScheduleFiles({ candidates: [{ preset: 'ddim' }, { schedule: ref }] }, configPath);
    await expect(bad('schedules/missing.json')).rejects.toThrow(ConfigFileError);
    await expect(bad('schedules/missing.json')).rejects.toThrow(/candidates\.1\.schedule: cannot read schedule file schedules\/missing\.json \(.*configs\/schedules\/missing\.json\): ENOENT/);
    await expect(bad('schedules/broken.json')).rejects.toThrow(/candidates\.1\.schedule: schedules\/broken\.json is not valid JSON/);
  });
});
