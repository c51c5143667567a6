import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Integration files run one at a time; the replay gate (tests/replay.test.ts) must come last, so
 * that it replays the history of every workflow the other files ran.
 */
export default class ReplayLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (f: TestSpecification) => (f.moduleId.endsWith('/tests/replay.test.ts') ? 1 : 0);
    return [...sorted].sort((a, b) => last(a) - last(b));
  }
}
