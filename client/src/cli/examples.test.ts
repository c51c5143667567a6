import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZStudyConfig, formatIssues } from '@stepwise/core';
import { parseConfigText } from './config-file';
import { inlineScheduleFiles } from './schedule-files';

const dir = join(import.meta.dirname, '../../../examples');

/** Files in examples/ that are not study configs (the compute worker's command allowlist). */
const NOT_STUDY_CONFIGS = new Set(['commands.json']);

describe('examples/', () => {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && !NOT_STUDY_CONFIGS.has(f));

  it('has the documented examples', () => {
    expect(files).toEqual(expect.arrayContaining(['branin-random.yaml', 'branin-grid.yaml', 'hartmann6-random.yaml', 'schedule-nightly.yaml']));
  });

  it.each(files)('%s is a valid study config', async (f) => {
    // As `stepwise launch` sends it: schedule files (examples/schedules/) read and inlined.
    const parsed = ZStudyConfig.safeParse(await inlineScheduleFiles(parseConfigText(readFileSync(join(dir, f), 'utf8'), f), join(dir, f)));
    expect(parsed.success ? [] : formatIssues(parsed.error)).toEqual([]);
  });

  it('branin-random is a random Branin study running 8 trials at a time', () => {
    const cfg = ZStudyConfig.parse(parseConfigText(readFileSync(join(dir, 'branin-random.yaml'), 'utf8'), 'branin-random.yaml'));
    expect(cfg).toMatchObject({ kind: 'random', budget: { parallel: 8 }, objective: { function: 'branin' } });
  });
});
