import cliProgress from 'cli-progress';
import type { StepwiseClient, StepwiseOutputs } from '../index';
import { formatNumber } from './format';
import { createReconnector } from './reconnect';

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
  /**
   * Called with a line when something goes wrong or right again: "reconnecting (HTTP 503)" and
   * "reconnected" around an outage, "stalled: ..." when Temporal says the study's workflow cannot
   * move. Without it these go nowhere (the bar's status still shows them).
   */
  onNotice?: (line: string) => void;
  /** Called with every state read (e.g. to start following an s3 study's stages once its kind is known). */
  onPoll?: (s: StudyDetail) => void;
}

type Health = StudyDetail['health'];

/** The notice for a change of the workflow's health, or null when there is nothing new to say. */
export function healthNotice(id: string, before: Health, now: Health): string | null {
  const was = before?.state ?? 'ok';
  const is = now?.state ?? 'ok';
  if (is === was && (is === 'ok' || before?.reason === now?.reason)) return null;
  if (is === 'stalled') return `stalled: ${now?.reason ?? 'its workflow cannot make progress'}\n  \`stepwise cancel ${id}\` terminates it and closes its trials`;
  if (is === 'unknown') return `cannot tell whether the workflow is healthy: ${now?.reason ?? 'Temporal did not answer'}`;
  return was === 'stalled' ? 'the workflow is making progress again' : null;
}

/** "running", or "running, STALLED" when Temporal says the study's workflow cannot move ("running?" when it could not be asked). */
export function statusText(s: { status: string; health?: { state: string } | null }): string {
  if (s.health?.state === 'stalled') return `${s.status}, STALLED`;
  if (s.health?.state === 'unknown') return `${s.status}?`;
  return s.status;
}

/** The status the bar shows: the study's, or "reconnecting…" while the server cannot be reached. */
export function barStatus(s: Pick<StudyDetail, 'status' | 'health'>, reconnecting: boolean): string {
  return reconnecting ? 'reconnecting…' : statusText(s);
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
  let health: Health = undefined;
  let last: StudyDetail | null = null;
  const notice = (line: string) => opts.onNotice?.(line);
  const reconnector = createReconnector({
    sleep,
    onReconnecting: (reason) => {
      notice(`reconnecting (${reason})`);
      if (bar && started && last) bar.update({ status: barStatus(last, true), best: formatNumber(last.bestValue), running: last.trialsRunning });
    },
    onReconnected: () => notice('reconnected'),
  });
  try {
    for (;;) {
      const s = await reconnector.call(() => client.studies.get.query({ id }));
      last = s;
      opts.onPoll?.(s);
      const change = healthNotice(id, health, s.health);
      health = s.health;
      if (change) notice(change);
      if (opts.onImprovement && s.bestValue !== null && (announced === null || announced.value !== s.bestValue || announced.trial !== s.bestTrialNumber)) {
        announced = { value: s.bestValue, trial: s.bestTrialNumber };
        const line = improvementLine(s);
        if (line) opts.onImprovement(line);
      }
      const done = s.trialsCompleted + s.trialsFailed + (s.trialsPruned ?? 0);
      const payload = { status: barStatus(s, false), best: formatNumber(s.bestValue), running: s.trialsRunning };
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
