import {
  CounterRng,
  ZStudyConfig,
  effectiveSpace,
  emptySurrogateSlice,
  fitSurrogate,
  getMoFunction,
  getTestFunction,
  hypervolumeCurve,
  hypervolumeReference,
  isMoFunctionName,
  isMultiObjective,
  moOutputNames,
  paretoFront,
  studyObjectives,
  mergeBlockSequence,
  parallelAxes,
  sampleEvenly,
  statsOf,
  surrogateAxisIssues,
  surrogateSlice,
  surrogateWaitingMessage,
  type BlockSeriesPoint,
  type RunningStats,
  type SurrogateFit,
  type TParams,
  type TSpace,
  type TStudyConfig,
} from '@stepwise/core';
import {
  NotFoundError,
  ValidationError,
  type ListTrialsInput,
  type ParallelData,
  type SurrogateInput,
  type SurrogateResult,
  type TrialBlocks,
  type TrialProposal,
  type ScheduleRow,
  type ScheduleSpecInput,
  type StepwiseService,
  type StudyDetail,
  type StudySource,
  type StudyStatus,
  type StudySummary,
  type TrialPage,
  type TrialRow,
  type ParetoFrontView,
} from '@stepwise/service/service-types';
import { evaluationStateAt, evaluationSteps, simulateEvaluation, syntheticSamplerMean, type FakeEvaluation } from './fake-evaluate';

/**
 * An in-memory StepwiseService that simulates studies on a clock: trial i of a study with
 * parallelism p runs during [floor(i/p)·d, floor(i/p)·d + d) after the study starts, evaluating
 * the real test function (plus seeded noise). Used by the router and CLI unit tests, and by the
 * dashboard's demo mode (STEPWISE_FAKE_SERVICE=1) so the UI can be exercised without Postgres
 * and Temporal. It is not the product: the real service lives in service/.
 */

export interface FakeServiceOptions {
  /** Milliseconds since epoch; tests pass a controllable clock. */
  clock?: () => number;
  /** Simulated duration of one trial; Infinity keeps launched studies queued forever. */
  trialDurationMs?: number;
  /** Delay between launch and the study starting to run. */
  queueDelayMs?: number;
  /** Fraction of trials that fail (deterministic per seed and trial). */
  failureRate?: number;
}

interface FakeStudy {
  id: string;
  config: TStudyConfig;
  source: StudySource;
  scheduleId: string | null;
  createdAt: number;
  cancelledAt: number | null;
  total: number;
  space: TSpace;
  /** `evaluate` studies: the whole race and ranking, simulated at launch and revealed on the clock. */
  evaluation: FakeEvaluation | null;
}

interface FakeSchedule {
  row: Omit<ScheduleRow, 'studiesCreated'>;
}

/** Noisy function objectives: 4 seed blocks of 8 samples per trial. */
const NOISE_BLOCKS = 4;
const NOISE_BLOCK_SIZE = 8;

/** How a simulated trial's value comes about: exactly, or as a Monte Carlo estimate over seed blocks. */
interface TrialSim {
  exact: number;
  /** Per-block statistics of the per-sample metric; null for exact objectives. */
  blocks: RunningStats[] | null;
  confidence: number;
}

/**
 * A smooth stand-in for objectives the fake cannot run (sampler, command): a bowl in the unit
 * cube of the space, its centre different per parameter. Positive, like an RMSE.
 */
function syntheticValue(space: TSpace, params: TParams): number {
  let s = 0;
  space.forEach((p, k) => {
    const v = params[p.name];
    let u: number;
    if (p.type === 'categorical') u = (Math.max(0, p.choices.indexOf(v as never)) + 0.5) / p.choices.length;
    else {
      const x = Number(v);
      u = p.log ? (Math.log(x) - Math.log(p.low)) / (Math.log(p.high) - Math.log(p.low)) : (x - p.low) / (p.high - p.low || 1);
    }
    const centre = 0.2 + 0.6 * ((k * 0.618034) % 1);
    s += (u - centre) ** 2;
  });
  return 0.05 + s;
}

/** Sampler trials at a searched NFE: the error falls with it (so "metric vs NFE" looks like one). */
function samplerNfeFactor(params: TParams): number {
  const nfe = Math.max(1, Number(params.nfe) || 1);
  return 4 / Math.sqrt(nfe);
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError([{ field: 'cursor', message: 'not a cursor returned by this server' }]);
  return Number(m[1]);
}

function gridAxis(p: TSpace[number]): Array<number | string | boolean | Record<string, unknown>> {
  if (p.type === 'categorical') return p.choices;
  if (p.type === 'int') {
    const n = Math.min(p.high - p.low + 1, 5);
    return Array.from({ length: n }, (_, i) => Math.round(p.low + (n === 1 ? 0 : (i * (p.high - p.low)) / (n - 1))));
  }
  const n = p.gridPoints;
  return Array.from({ length: n }, (_, i) => {
    const u = n === 1 ? 0.5 : i / (n - 1);
    return p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
  });
}

function gridSize(space: TSpace): number {
  return space.reduce((acc, p) => acc * gridAxis(p).length, 1);
}

export class InMemoryStepwiseService implements StepwiseService {
  readonly studies = new Map<string, FakeStudy>();
  readonly schedules = new Map<string, FakeSchedule>();
  /** Every call, by method name (tests assert what was and was not reached). */
  readonly calls: Array<{ method: keyof StepwiseService; args: unknown[] }> = [];
  private readonly clock: () => number;
  private readonly trialMs: number;
  private readonly queueMs: number;
  private readonly failureRate: number;
  private seq = 0;

  constructor(opts: FakeServiceOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.trialMs = opts.trialDurationMs ?? 200;
    this.queueMs = opts.queueDelayMs ?? 300;
    this.failureRate = opts.failureRate ?? 0;
  }

  private record(method: keyof StepwiseService, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}_${this.seq.toString(36).padStart(4, '0')}${Math.floor(this.clock() % 1e6).toString(36)}`;
  }

  // ---- simulation -------------------------------------------------------------------------

  private paramsFor(study: FakeStudy, i: number): TParams {
    const space = study.space;
    const params: TParams = {};
    if (study.config.kind === 'grid') {
      let rest = i;
      for (const p of space) {
        const axis = gridAxis(p);
        params[p.name] = axis[rest % axis.length];
        rest = Math.floor(rest / axis.length);
      }
      return params;
    }
    const rng = new CounterRng(study.config.seed, i + 1);
    for (const p of space) {
      const u = rng.uniform();
      if (p.type === 'categorical') params[p.name] = p.choices[Math.min(p.choices.length - 1, Math.floor(u * p.choices.length))];
      else if (p.type === 'int') params[p.name] = Math.min(p.high, p.low + Math.floor(u * (p.high - p.low + 1)));
      else params[p.name] = p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
    }
    return params;
  }

  private startMs(study: FakeStudy): number {
    return study.createdAt + this.queueMs;
  }

  /** The trial as it looks at `now` (or at cancellation, whichever is first). */
  private trialAt(study: FakeStudy, i: number, now: number): TrialRow | null {
    if (study.evaluation) return this.evaluateTrialAt(study, study.evaluation, i, now);
    const p = study.config.budget.parallel;
    const begin = this.startMs(study) + Math.floor(i / p) * this.trialMs;
    const end = begin + this.trialMs;
    const frozen = study.cancelledAt ?? Infinity;
    if (begin > now || begin >= frozen) return null;
    const base = {
      id: `${study.id}_t${i}`,
      number: i,
      params: this.paramsFor(study, i),
      proposal: this.proposalFor(study, i),
      attempt: 1,
      worker: `fake-worker-${i % p}`,
      startedAt: new Date(begin),
    };
    const empty = { value: null, stderr: null, ciLow: null, ciHigh: null, n: null, error: null };
    if (end > now || end > frozen) {
      if (frozen <= now) return { ...base, ...empty, status: 'cancelled', finishedAt: new Date(frozen) };
      return { ...base, ...empty, status: 'running', finishedAt: null };
    }
    const rng = new CounterRng(study.config.seed ^ 0x5eed, i + 1);
    if (this.failureRate > 0 && rng.uniform() < this.failureRate) {
      return { ...base, ...empty, status: 'failed', error: 'simulated worker failure', finishedAt: new Date(end) };
    }
    const sim = this.simulate(study, i, base.params);
    if (!sim.blocks) return { ...base, ...empty, status: 'completed', value: sim.exact, n: 1, finishedAt: new Date(end) };
    const last = mergeBlockSequence(this.blockInputs(sim, begin), sim.confidence).at(-1)!;
    return {
      ...base,
      status: 'completed',
      value: last.mean,
      stderr: last.stderr,
      ciLow: last.ciLow,
      ciHigh: last.ciHigh,
      n: last.n,
      error: null,
      finishedAt: new Date(end),
    };
  }

  /** Simulated steps of an evaluate study completed by `now` (or by its cancellation). */
  private evaluationStepsAt(study: FakeStudy, now: number): number {
    const t = Math.min(now, study.cancelledAt ?? Infinity) - this.startMs(study);
    return t < 0 || !Number.isFinite(this.trialMs) ? 0 : Math.floor(t / this.trialMs);
  }

  /**
   * Evaluate studies, as the workflow runs them: every candidate's trial runs from the start of
   * the race and all complete together when the ranking is recorded (one step per race look,
   * plus one for the holdout seeds).
   */
  private evaluateTrialAt(study: FakeStudy, ev: FakeEvaluation, i: number, now: number): TrialRow | null {
    const begin = this.startMs(study);
    const end = begin + evaluationSteps(ev) * this.trialMs;
    const frozen = study.cancelledAt ?? Infinity;
    if (begin > now || begin >= frozen) return null;
    const base = {
      id: `${study.id}_t${i}`,
      number: i,
      params: (study.config.candidates?.[i] ?? {}) as TParams,
      proposal: null,
      attempt: 1,
      worker: `fake-worker-${i % study.config.budget.parallel}`,
      startedAt: new Date(begin),
    };
    const empty = { value: null, stderr: null, ciLow: null, ciHigh: null, n: null, error: null };
    if (end > now || end > frozen) {
      if (frozen <= now) return { ...base, ...empty, status: 'cancelled', finishedAt: new Date(frozen) };
      return { ...base, ...empty, status: 'running', finishedAt: null };
    }
    const r = ev.summary.ranking.find((x) => x.number === i)!;
    return { ...base, status: 'completed', value: r.mean, stderr: ev.stderr[i], ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n, error: null, finishedAt: new Date(end) };
  }

  /** The trial's objective, deterministic in (study seed, trial number). */
  private simulate(study: FakeStudy, i: number, params: TParams): TrialSim {
    const obj = study.config.objective;
    const rng = new CounterRng(study.config.seed ^ 0xb10c, i + 1);
    const draw = (mean: number, sd: number, blocks: number, size: number): RunningStats[] =>
      Array.from({ length: blocks }, () => statsOf(Array.from({ length: size }, () => mean + sd * rng.normal())));
    if (obj.type === 'function') {
      const x = study.space.map((sp) => Number(params[sp.name]));
      // A multi-output function's first output (the primary objective).
      const exact = isMoFunctionName(obj.function) ? getMoFunction(obj.function, x.length).evaluate(x)[0] : getTestFunction(obj.function).evaluate(x);
      if (obj.noiseStd > 0) return { exact, blocks: draw(exact, obj.noiseStd, NOISE_BLOCKS, NOISE_BLOCK_SIZE), confidence: 0.95 };
      return { exact, blocks: null, confidence: 0.95 };
    }
    if (study.evaluation) return { exact: syntheticSamplerMean(params, obj as { nfe?: unknown }), blocks: study.evaluation.blocks[i] ?? [], confidence: obj.type === 'sampler' ? obj.estimation.confidence : 0.95 };
    const exact = syntheticValue(study.space, params) * (obj.type === 'sampler' && params.nfe !== undefined ? samplerNfeFactor(params) : 1);
    if (obj.type === 'command') return { exact, blocks: null, confidence: 0.95 };
    const est = obj.estimation;
    const size = Math.min(est.blockSize, 32);
    const count = Math.max(2, Math.min(8, Math.ceil(est.minSamples / est.blockSize) + 3));
    return { exact, blocks: draw(exact, 0.5 * exact + 0.02, count, size), confidence: est.confidence };
  }

  /** The trial's seed blocks, arriving evenly over `span` ms from `begin`; those after `upTo` left out. */
  private blockInputs(sim: TrialSim, begin: number, upTo = Infinity, span = this.trialMs) {
    const blocks = sim.blocks ?? [];
    let seed = 0;
    return blocks.flatMap((stats, k) => {
      const at = begin + ((k + 1) * span) / blocks.length;
      const start = seed;
      seed += stats.n;
      return at <= upTo ? [{ blockIndex: k, seedStart: start, seedEnd: seed, stats, createdAt: new Date(at) }] : [];
    });
  }

  private proposalFor(study: FakeStudy, i: number): TrialProposal | null {
    if (study.config.kind !== 'bayesopt') return null;
    const method = study.config.bayesopt?.method ?? 'gp-logei';
    const initialDesign = study.config.bayesopt?.initialDesign ?? 10;
    const p = study.config.budget.parallel;
    const observations = Math.floor(i / p) * p;
    const pending = i % p;
    if (i < initialDesign) return { kind: 'initial', method, observations, pending };
    const u = new CounterRng(study.config.seed ^ 0xacc, i + 1).uniform();
    return { kind: 'acquisition', method, observations, pending, acquisitionValue: 10 ** (-1 - 4 * u) };
  }

  private trialsAt(study: FakeStudy, now: number): TrialRow[] {
    const rows: TrialRow[] = [];
    for (let i = 0; i < study.total; i++) {
      const row = this.trialAt(study, i, now);
      if (!row) break;
      rows.push(row);
    }
    return rows;
  }

  private statusAt(study: FakeStudy, rows: TrialRow[], now: number): StudyStatus {
    if (study.cancelledAt !== null && study.cancelledAt <= now) return 'cancelled';
    if (this.startMs(study) > now || !Number.isFinite(this.trialMs)) return 'queued';
    const finished = rows.filter((r) => r.status === 'completed' || r.status === 'failed').length;
    if (finished < study.total) return 'running';
    return rows.some((r) => r.status === 'completed') ? 'completed' : 'failed';
  }

  private summarize(study: FakeStudy, now = this.clock()): { summary: StudySummary; rows: TrialRow[] } {
    const rows = Number.isFinite(this.trialMs) ? this.trialsAt(study, now) : [];
    const status = this.statusAt(study, rows, now);
    const minimize = study.config.objective.direction === 'minimize';
    let best: TrialRow | null = null;
    let completed = 0, failed = 0, running = 0;
    for (const r of rows) {
      if (r.status === 'completed') {
        completed++;
        if (best === null || (minimize ? r.value! < best.value! : r.value! > best.value!)) best = r;
      } else if (r.status === 'failed') failed++;
      else if (r.status === 'running') running++;
    }
    const last = rows.reduce<number | null>((m, r) => (r.finishedAt && (m === null || r.finishedAt.getTime() > m) ? r.finishedAt.getTime() : m), null);
    const terminal = status === 'completed' || status === 'failed' || status === 'cancelled';
    return {
      rows,
      summary: {
        id: study.id,
        name: study.config.name,
        kind: study.config.kind,
        status,
        source: study.source,
        scheduleId: study.scheduleId,
        direction: study.config.objective.direction,
        metric: study.config.objective.metric,
        trialsTotal: study.total,
        trialsCompleted: completed,
        trialsFailed: failed,
        trialsPruned: 0,
        trialsRunning: running,
        bestValue: best?.value ?? null,
        bestTrialNumber: best?.number ?? null,
        error: status === 'failed' ? 'every trial failed' : null,
        createdAt: new Date(study.createdAt),
        startedAt: status === 'queued' ? null : new Date(this.startMs(study)),
        finishedAt: terminal ? new Date(study.cancelledAt ?? last ?? now) : null,
      },
    };
  }

  private mustGet(id: string): FakeStudy {
    const s = this.studies.get(id);
    if (!s) throw new NotFoundError('study', id);
    return s;
  }

  private createStudy(config: TStudyConfig, source: StudySource, scheduleId: string | null): FakeStudy {
    const evaluation = config.kind === 'evaluate' ? simulateEvaluation(config) : null;
    const space = evaluation ? [] : effectiveSpace(config);
    const total = evaluation ? config.candidates!.length : config.kind === 'grid' ? Math.min(config.budget.trials, gridSize(space)) : config.budget.trials;
    const study: FakeStudy = { id: this.nextId('st'), config, source, scheduleId, createdAt: this.clock(), cancelledAt: null, total, space, evaluation };
    this.studies.set(study.id, study);
    return study;
  }

  private parseConfig(config: unknown, prefix = ''): TStudyConfig {
    const parsed = ZStudyConfig.safeParse(config);
    if (parsed.success) return parsed.data;
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(config)', message: i.message })),
    );
  }

  // ---- StepwiseService --------------------------------------------------------------------

  async listStudies(input: { limit: number; cursor?: string | null; status?: StudyStatus }) {
    this.record('listStudies', input);
    const now = this.clock();
    const all = [...this.studies.values()]
      .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
      .map((s) => this.summarize(s, now).summary)
      .filter((s) => !input.status || s.status === input.status);
    const offset = decodeCursor(input.cursor);
    const items = all.slice(offset, offset + input.limit);
    return { items, nextCursor: offset + input.limit < all.length ? encodeCursor(offset + input.limit) : null };
  }

  async getStudy(id: string): Promise<StudyDetail> {
    this.record('getStudy', id);
    const study = this.mustGet(id);
    const { summary, rows } = this.summarize(study);
    const minimize = summary.direction === 'minimize';
    const done = rows
      .filter((r) => r.status === 'completed')
      .sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime() || a.number - b.number);
    let best = minimize ? Infinity : -Infinity;
    const bestSoFar = done.map((r) => {
      best = minimize ? Math.min(best, r.value!) : Math.max(best, r.value!);
      return { trialNumber: r.number, value: r.value!, best, ciLow: r.ciLow, ciHigh: r.ciHigh };
    });
    const bestTrial = rows.find((r) => r.number === summary.bestTrialNumber) ?? null;
    const strategy = study.evaluation && Number.isFinite(this.trialMs) ? evaluationStateAt(study.evaluation, this.evaluationStepsAt(study, this.clock())) : null;
    return { ...summary, config: study.config, workflowId: `study-${study.id}`, bestSoFar, bestTrial, strategy };
  }

  async launchStudy(input: { config: unknown; source: StudySource }): Promise<StudySummary> {
    this.record('launchStudy', input);
    const study = this.createStudy(this.parseConfig(input.config), input.source, null);
    return this.summarize(study).summary;
  }

  async cancelStudy(id: string): Promise<StudySummary> {
    this.record('cancelStudy', id);
    const study = this.mustGet(id);
    const now = this.clock();
    const { summary } = this.summarize(study, now);
    if (summary.status === 'completed' || summary.status === 'failed' || summary.status === 'cancelled') return summary;
    study.cancelledAt = now;
    return this.summarize(study, now).summary;
  }

  async listTrials(input: ListTrialsInput): Promise<TrialPage> {
    this.record('listTrials', input);
    const study = this.mustGet(input.studyId);
    let rows = this.summarize(study).rows;
    if (input.status) rows = rows.filter((r) => r.status === input.status);
    const dir = input.order === 'asc' ? 1 : -1;
    const key = (r: TrialRow): number | null =>
      input.sort === 'number' ? r.number : input.sort === 'value' ? r.value : (r.finishedAt?.getTime() ?? null);
    // Nulls last in both orders, ties by trial number: a stable order the cursor can rely on.
    rows = [...rows].sort((a, b) => {
      const ka = key(a), kb = key(b);
      if (ka === null && kb === null) return a.number - b.number;
      if (ka === null) return 1;
      if (kb === null) return -1;
      return (ka - kb) * dir || a.number - b.number;
    });
    const offset = decodeCursor(input.cursor);
    const items = rows.slice(offset, offset + input.limit);
    return { items, nextCursor: offset + input.limit < rows.length ? encodeCursor(offset + input.limit) : null, total: rows.length };
  }

  /** The simulation runs on a clock, not on dispatch: pausing is recorded but does not stop it. */
  async pauseStudy(id: string): Promise<StudySummary> {
    this.record('pauseStudy', id);
    return this.summarize(this.mustGet(id)).summary;
  }

  async resumeStudy(id: string): Promise<StudySummary> {
    this.record('resumeStudy', id);
    return this.summarize(this.mustGet(id)).summary;
  }

  async renderSamples(): Promise<never> {
    throw new Error('sample grids are drawn by a compute worker; the in-memory demo service has none');
  }

  async getS3Study(): Promise<never> {
    throw new Error('s3 studies run on the real stack only: not available in the in-memory demo service');
  }

  async compareTrials(): Promise<never> {
    throw new Error('compareTrials needs recorded per-seed values: not available in the in-memory demo service');
  }

  async getTrialBlocks(input: { trialId: string }): Promise<TrialBlocks> {
    this.record('getTrialBlocks', input);
    const m = /^(.+)_t(\d+)$/.exec(input.trialId);
    const study = m ? this.studies.get(m[1]) : undefined;
    const i = m ? Number(m[2]) : -1;
    const now = this.clock();
    const row = study && i < study.total ? this.trialAt(study, i, now) : null;
    if (!study || !row) throw new NotFoundError('trial', input.trialId);
    const sim = this.simulate(study, i, row.params);
    let blocks: BlockSeriesPoint[] = [];
    if (row.status !== 'failed' && sim.blocks) {
      const frozen = Math.min(now, study.cancelledAt ?? Infinity);
      // Evaluate studies: one block per race look the candidate took part in.
      const span = study.evaluation ? (sim.blocks?.length ?? 0) * this.trialMs : this.trialMs;
      blocks = mergeBlockSequence(this.blockInputs(sim, row.startedAt!.getTime(), frozen, span), sim.confidence);
    }
    return {
      trialId: row.id,
      studyId: study.id,
      number: row.number,
      status: row.status,
      confidence: sim.confidence,
      value: row.value,
      ciLow: row.ciLow,
      ciHigh: row.ciHigh,
      n: row.n,
      blocks,
    };
  }

  private readonly surrogates = new Map<string, SurrogateFit | null>();

  async getSurrogate(input: SurrogateInput): Promise<SurrogateResult> {
    this.record('getSurrogate', input);
    const study = this.mustGet(input.studyId);
    const issues = surrogateAxisIssues(study.space, input.x, input.y);
    if (issues.length) throw new ValidationError(issues);
    const { summary, rows } = this.summarize(study);
    const done = rows.filter((r) => r.status === 'completed' && r.value !== null);
    const key = `${study.id}:${done.length}`;
    if (!this.surrogates.has(key)) {
      const obs = done.map((r) => ({ number: r.number, params: r.params, value: r.value!, stderr: r.stderr }));
      this.surrogates.set(key, fitSurrogate(study.space, obs, summary.direction, { seed: study.config.seed }));
      while (this.surrogates.size > 16) this.surrogates.delete(this.surrogates.keys().next().value as string);
    }
    const fit = this.surrogates.get(key) ?? null;
    const base = {
      studyId: study.id,
      metric: summary.metric,
      direction: summary.direction,
      resolution: input.resolution,
      trialsCompleted: done.length,
      bestTrialNumber: summary.bestTrialNumber,
    };
    if (!fit) return { ...base, ...emptySurrogateSlice(study.space, input.x, input.y, input.resolution), trialsUsed: 0, message: surrogateWaitingMessage(done.length) };
    const best = rows.find((r) => r.number === summary.bestTrialNumber)?.params ?? null;
    return { ...base, ...surrogateSlice(fit, input.x, input.y, best, input.resolution), trialsUsed: fit.used.length, message: null };
  }

  async getParallelCoordinates(input: { studyId: string; limit: number }): Promise<ParallelData> {
    this.record('getParallelCoordinates', input);
    const study = this.mustGet(input.studyId);
    const { summary, rows } = this.summarize(study);
    const done = rows.filter((r) => r.status === 'completed' && r.value !== null).sort((a, b) => a.number - b.number);
    const picked = sampleEvenly(done, input.limit);
    return {
      studyId: study.id,
      metric: summary.metric,
      direction: summary.direction,
      axes: parallelAxes(study.space),
      rows: picked.map((r) => ({ number: r.number, params: r.params, value: r.value! })),
      total: done.length,
      sampled: done.length > picked.length,
    };
  }

  /** Multi-output function studies only: values from the function itself, the front recomputed each call. */
  async getParetoFront(input: { studyId: string; limit: number; curvePoints: number }): Promise<ParetoFrontView> {
    this.record('getParetoFront', input);
    const study = this.mustGet(input.studyId);
    const obj = study.config.objective;
    if (!isMultiObjective(study.config) || obj.type !== 'function' || !isMoFunctionName(obj.function)) {
      throw new ValidationError([{ field: 'studyId', message: `study ${study.id} optimises one objective; the Pareto front is for studies with "objectives" (two or more)` }]);
    }
    const fn = getMoFunction(obj.function, obj.dim);
    const objectives = studyObjectives(study.config);
    const directions = objectives.map((o) => o.direction);
    const names = moOutputNames(fn);
    const done = this.summarize(study).rows.filter((r) => r.status === 'completed').sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0) || a.number - b.number);
    const rows = done.map((r) => {
      const out = fn.evaluate(study.space.map((sp) => Number(r.params[sp.name])));
      return { number: r.number, params: r.params, values: objectives.map((o) => out[names.indexOf(o.metric)]) };
    });
    const onFront = new Set(paretoFront(rows.map((r) => r.values), directions).map((i) => rows[i].number));
    const reference = hypervolumeReference(obj, objectives, rows.map((r) => r.values));
    const curve = hypervolumeCurve(rows, directions, reference.point, input.curvePoints);
    const off = rows.filter((r) => !onFront.has(r.number)).sort((a, b) => a.number - b.number);
    const others = sampleEvenly(off, input.limit).map((r) => ({ number: r.number, values: r.values }));
    return {
      studyId: study.id, objectives, reference, curve, others, completed: rows.length, sampled: others.length < off.length,
      front: rows.filter((r) => onFront.has(r.number)).sort((a, b) => a.number - b.number),
      hypervolume: curve.length ? curve[curve.length - 1].hypervolume : 0,
    };
  }

  private scheduleRow(s: FakeSchedule): ScheduleRow {
    const created = [...this.studies.values()].filter((st) => st.scheduleId === s.row.id).length;
    return { ...s.row, studiesCreated: created };
  }

  private mustGetSchedule(id: string): FakeSchedule {
    const s = this.schedules.get(id);
    if (!s) throw new NotFoundError('schedule', id);
    return s;
  }

  private nextRun(spec: ScheduleSpecInput, paused: boolean): Date | null {
    if (paused || spec.intervalSeconds === undefined) return null;
    return new Date(this.clock() + spec.intervalSeconds * 1000);
  }

  async createSchedule(input: { name: string; spec: ScheduleSpecInput; template: unknown; paused?: boolean }): Promise<ScheduleRow> {
    this.record('createSchedule', input);
    const template = this.parseConfig(input.template, 'template');
    const id = this.nextId('sc');
    const paused = input.paused ?? false;
    const s: FakeSchedule = {
      row: {
        id,
        name: input.name,
        spec: input.spec,
        template,
        paused,
        temporalScheduleId: `stepwise-schedule-${id}`,
        lastRunAt: null,
        nextRunAt: this.nextRun(input.spec, paused),
        createdAt: new Date(this.clock()),
      },
    };
    this.schedules.set(id, s);
    return this.scheduleRow(s);
  }

  async listSchedules(): Promise<ScheduleRow[]> {
    this.record('listSchedules');
    return [...this.schedules.values()].sort((a, b) => b.row.createdAt.getTime() - a.row.createdAt.getTime()).map((s) => this.scheduleRow(s));
  }

  async pauseSchedule(id: string): Promise<ScheduleRow> {
    this.record('pauseSchedule', id);
    const s = this.mustGetSchedule(id);
    s.row = { ...s.row, paused: true, nextRunAt: null };
    return this.scheduleRow(s);
  }

  async unpauseSchedule(id: string): Promise<ScheduleRow> {
    this.record('unpauseSchedule', id);
    const s = this.mustGetSchedule(id);
    s.row = { ...s.row, paused: false, nextRunAt: this.nextRun(s.row.spec, false) };
    return this.scheduleRow(s);
  }

  async triggerSchedule(id: string): Promise<ScheduleRow> {
    this.record('triggerSchedule', id);
    const s = this.mustGetSchedule(id);
    const stamp = new Date(this.clock()).toISOString().slice(0, 16).replace('T', ' ');
    this.createStudy({ ...s.row.template, name: `${s.row.template.name} @ ${stamp}` }, 'schedule', id);
    s.row = { ...s.row, lastRunAt: new Date(this.clock()) };
    return this.scheduleRow(s);
  }

  async deleteSchedule(id: string): Promise<{ id: string }> {
    this.record('deleteSchedule', id);
    this.mustGetSchedule(id);
    this.schedules.delete(id);
    return { id };
  }

  // One clock, one moment: the in-memory study and its trials are read at the same instant.
  async getStudySnapshot(input: { id: string; trials: Omit<ListTrialsInput, 'studyId'> }) {
    const study = await this.getStudy(input.id);
    const trials = await this.listTrials({ ...input.trials, studyId: input.id });
    return { study, trials, notes: this.notes.get(input.id) ?? null };
  }

  private readonly notes = new Map<string, string>();

  // The simulated objectives are single draws: no intervals.
  async getTrialPoints(input: { studyId: string; limit: number }) {
    const data = await this.getParallelCoordinates(input);
    return { ...data, rows: data.rows.map((r) => ({ ...r, ciLow: null, ciHigh: null })) };
  }

  /** The fake runs no command programs: no curves. */
  async getTrialCurves(input: { studyId: string; number?: number; maxPoints: number; maxTrials: number }) {
    this.record('getTrialCurves', input);
    const study = this.mustGet(input.studyId);
    return { studyId: study.id, metric: study.config.objective.metric, direction: study.config.objective.direction, curves: [], truncated: false };
  }

  async setStudyNotes(input: { id: string; notes: string }) {
    await this.getStudy(input.id);
    const value = input.notes.trim() === '' ? null : input.notes;
    if (value === null) this.notes.delete(input.id);
    else this.notes.set(input.id, value);
    return { id: input.id, notes: value };
  }
}
