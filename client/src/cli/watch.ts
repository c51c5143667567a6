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
  /**
   * Called with a line ("new best 0.4012 at trial 17") each time the best value improves. The CLI
   * passes it when stderr is not a terminal, where the bar is redrawn only every few seconds.
   */
  onImprovement?: (line: string) => void;
}

/** "new best 0.4012 at trial 17", with "± 0.0031, n = 256" when the best trial has an interval. */
export function improvementLine(s: Pick<StudyDetail, 'bestValue' | 'bestTrialNumber' | 'bestTrial'>): string | null {
  if (s.bestValue === null || s.bestTrialNumber === null) return null;
  let line = `new best ${formatNumber(s.bestValue)} at trial ${s.bestTrialNumber}`;
  const t = s.bestTrial && s.bestTrial.number === s.bestTrialNumber ? s.bestTrial : null;
  const extra: string[] = [];
  if (t && t.ciLow !== null && t.ciHigh !== null) extra.push(`± ${formatNumber((t.ciHigh - t.ciLow) / 2, 3)}`);
  if (t && t.n !== null && t.n > 1) extra.push(`n = ${t.n}`);
  if (extra.length) line += ` (${extra.join(', ')})`;
  return line;
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
  let announced: { value: number; trial: number | null } | null = null;
  try {
    for (;;) {
      const s = await client.studies.get.query({ id });
      if (opts.onImprovement && s.bestValue !== null && (announced === null || announced.value !== s.bestValue || announced.trial !== s.bestTrialNumber)) {
        announced = { value: s.bestValue, trial: s.bestTrialNumber };
        const line = improvementLine(s);
        if (line) opts.onImprovement(line);
      }
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
