/**
 * Intermediate values of a command trial (pruning, issue #14 item 6): besides its last line (the
 * final metrics), a program may print one JSON object per step, e.g. {"step": 3, "val_loss": 0.41},
 * with an integer `step` >= 0 and the study's metric as a finite number. Any other line is
 * progress text, as before. The reporter batches the points it is given and sends them at most
 * once per period (one send in flight), and the period grows with the run's age (a thirtieth of
 * it), so a program printing thousands of steps for hours costs the study workflow a few hundred
 * signals (about 30 per tenfold of elapsed time), while a decision on a young run is prompt.
 */

export interface StepPoint {
  step: number;
  value: number;
}

/** Lines longer than this are never intermediate values (a step line is short). */
const MAX_STEP_LINE = 4096;
/** Points per send: a signal stays small whatever the program prints. */
export const MAX_POINTS_PER_SEND = 500;
/** The period between sends is at least this share of the time since the reporter started. */
const AGE_SHARE = 1 / 30;

/** The (step, metric) of a per-step line, or null when the line is not one. */
export function parseIntermediateLine(line: string, metric: string): StepPoint | null {
  const t = line.trim();
  if (!t.startsWith('{') || t.length > MAX_STEP_LINE) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const step = o.step;
  const value = o[metric];
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return { step, value };
}

export interface ReporterOptions {
  /** Delivers one batch; a rejection keeps the batch for the next send. */
  send: (points: StepPoint[]) => Promise<void>;
  everyMs: number;
  /** Points kept while sends fail (oldest dropped beyond it). */
  maxPending?: number;
}

export class IntermediateReporter {
  private pending: StepPoint[] = [];
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSent = 0;
  private closed = false;
  private readonly started = Date.now();
  constructor(private readonly options: ReporterOptions) {}

  add(point: StepPoint): void {
    if (this.closed) return;
    this.pending.push(point);
    const max = this.options.maxPending ?? 10_000;
    if (this.pending.length > max) this.pending.splice(0, this.pending.length - max);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.pending.length === 0) return;
    const now = Date.now();
    const period = Math.max(this.options.everyMs, (now - this.started) * AGE_SHARE);
    const wait = Math.max(0, this.lastSent + period - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sendOnce().then(() => this.schedule());
    }, wait);
    this.timer.unref();
  }

  private sendOnce(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending.splice(0, MAX_POINTS_PER_SEND);
    this.lastSent = Date.now();
    this.inFlight = this.options.send(batch).then(
      () => {
        this.inFlight = null;
      },
      () => {
        // Not delivered: back in front, tried again at the next send.
        this.pending.unshift(...batch);
        this.inFlight = null;
      },
    );
    return this.inFlight;
  }

  /** Sends everything still pending (one attempt per batch), then stops taking points. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight;
    for (let tries = 0; this.pending.length > 0 && tries < 20; tries++) {
      const before = this.pending.length;
      await this.sendOnce();
      // Not delivered (the batch is back): a short pause before trying again.
      if (this.pending.length >= before) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** tries)));
    }
  }

  /** Stops without sending what is pending (the trial was cancelled). */
  discard(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
