import cliProgress from 'cli-progress';
import type { StepwiseClient, StepwiseOutputs } from '../index';
import { formatNumber } from './format';

type StudyDetail = StepwiseOutputs['studies']['get'];

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export interface WatchOptions {
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where the bar is drawn (stderr, so stdout stays clean for the result). */
  stream?: NodeJS.WritableStream;
  /** Disable the bar (tests, --json). */
  quiet?: boolean;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls the study until it reaches a terminal status, drawing a progress bar; returns the final state. */
export async function watchStudy(client: StepwiseClient, id: string, opts: WatchOptions = {}): Promise<StudyDetail> {
  const sleep = opts.sleep ?? wait;
  const interval = opts.intervalMs ?? 1000;
  const bar = opts.quiet
    ? null
    : new cliProgress.SingleBar(
        {
          stream: opts.stream ?? process.stderr,
          format: ' {bar} {percentage}% | {value}/{total} trials | {running} running | best {best} | {status}',
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
  let started = false;
  try {
    for (;;) {
      const s = await client.studies.get.query({ id });
      const done = s.trialsCompleted + s.trialsFailed;
      const payload = { status: s.status, best: formatNumber(s.bestValue), running: s.trialsRunning };
      if (bar) {
        if (!started) {
          bar.start(Math.max(s.trialsTotal, 1), done, payload);
          started = true;
        } else {
          bar.setTotal(Math.max(s.trialsTotal, 1));
          bar.update(done, payload);
        }
      }
      if (TERMINAL.has(s.status)) return s;
      await sleep(interval);
    }
  } finally {
    if (bar && started) bar.stop();
  }
}
