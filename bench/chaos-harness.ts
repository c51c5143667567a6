import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { migrate } from '../prisma/src/migrate';
import { recreateDatabase, startPostgres, stopPostgres, type PostgresOptions } from '../infra/stack/postgres';
import { startTemporal } from '../infra/stack/temporal';
import { portOpen, startProcess, stopProcess, waitFor, type ManagedProcess } from '../infra/stack/processes';
import { createServiceFromConfig } from '../service/src/index';
import type { StepwiseService } from '../service/src/service-types';
import { workflowBundle } from '../orchestrator/src/worker';

/**
 * Chaos harness: a private stack on loopback (durable Postgres cluster, Temporal dev server with
 * its SQLite file, one orchestrator and one compute worker as real processes), studies run on it
 * once undisturbed and once while faults are injected at trial-count milestones, and the checks
 * that matter after a crash: the study completes, every trial exactly once, nothing left running,
 * the same numbers as the undisturbed run, and every workflow history replays against the
 * current workflow bundle. Every wait is bounded: a study that stops making progress is reported
 * as not completed instead of hanging the run. `npm run chaos` and tests/chaos.test.ts use it.
 */

export type FaultKind = 'kill-compute' | 'kill-orchestrator' | 'kill-proposals' | 'restart-postgres' | 'restart-temporal';

export interface ChaosStackOptions {
  /** Data and logs (Postgres cluster, Temporal SQLite file, process logs). */
  dir: string;
  pgPort: number;
  temporalPort: number;
  uiPort: number;
  database: string;
  /** Throwaway clusters only (CI): fsync off. A fast shutdown still leaves the cluster consistent. */
  unsafeFastPostgres?: boolean;
  log?: (line: string) => void;
}

/**
 * What code a worker process starting now runs: HEAD plus the uncommitted changes under the
 * packages it loads. Processes are restarted mid-run, and each loads the working tree as it is
 * then; when it changed in between, differing values say nothing about crash safety, so the
 * scenario line reports it.
 */
export function codeFingerprint(): string {
  const dirs = ['core/src', 'workers/src', 'orchestrator/src', 'prisma/src'];
  const git = (args: string[]) => spawnSync('git', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const head = git(['rev-parse', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const diff = git(['diff', 'HEAD', '--', ...dirs]).stdout ?? '';
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', ...dirs]).stdout ?? '';
  return createHash('sha256').update(head.stdout).update(diff).update(untracked).digest('hex').slice(0, 12);
}

/** One worker process that is restarted if it exits when nobody meant it to (like a supervisor would). */
class Supervised {
  proc: ManagedProcess | null = null;
  /** Exits we did not cause, with their code: reported, because a real deployment would notice them too. */
  readonly unplannedExits: string[] = [];
  private generation = 0;
  private stopping = false;
  /** codeFingerprint() of the current process, taken as it started. */
  fingerprint = '';

  constructor(
    private readonly label: string,
    private readonly script: string,
    private readonly ready: RegExp,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly log: (line: string) => void,
    /** Fingerprints of every process started, shared by the stack's workers. */
    private readonly started: string[],
  ) {}

  async start(): Promise<void> {
    const gen = ++this.generation;
    const name = `${this.label}-${gen}`;
    this.fingerprint = codeFingerprint();
    this.started.push(this.fingerprint);
    let output = '';
    const proc = startProcess(name, process.execPath, ['--import', 'tsx', this.script], {
      env: { ...this.env, STEPWISE_WORKER_ID: name },
      logFile: join(this.logDir, `${this.label}.log`),
    });
    this.proc = proc;
    proc.child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    proc.child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    let exited: number | string | null = null;
    void proc.exited.then((code) => {
      exited = code;
      // Only the current generation restarts itself; a killed one is replaced by whoever killed it.
      if (this.stopping || this.proc !== proc) return;
      this.unplannedExits.push(`${name} exited (${code}): ${output.trim().split('\n').slice(-3).join(' | ').slice(-400)}`);
      this.log(`${name} exited on its own (${code}); restarting it`);
      setTimeout(() => {
        if (!this.stopping && this.proc === proc) void this.start().catch((err) => this.log(`restart of ${this.label} failed: ${(err as Error).message}`));
      }, 1000);
    });
    // Not waitFor: it retries through exceptions, and a process that died will not come up.
    const deadline = Date.now() + 180_000;
    while (!this.ready.test(output)) {
      if (exited !== null) throw new Error(`${name} exited during start-up (${exited}):\n${output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${name} did not report ready within 180 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: a crash, not a shutdown (no drain, no goodbye to Temporal). */
  async kill9(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.proc) await stopProcess(this.proc, 5000);
  }
}

export class ChaosStack {
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly pool: pg.Pool;
  readonly client: Client;
  private temporalProc: ManagedProcess | null;
  private constructor(
    private readonly opts: ChaosStackOptions,
    private readonly pgOpts: PostgresOptions,
    databaseUrl: string,
    temporalProc: ManagedProcess | null,
    private readonly connection: Connection,
    readonly service: StepwiseService,
    private readonly closeService: () => Promise<void>,
    readonly orchestrator: Supervised,
    readonly compute: Supervised,
    readonly proposals: Supervised,
    readonly queues: { orchestrator: string; compute: string; proposals: string },
    /** codeFingerprint() of every worker process started so far, in order. */
    readonly startedFingerprints: string[],
  ) {
    this.databaseUrl = databaseUrl;
    this.temporalAddress = `127.0.0.1:${opts.temporalPort}`;
    this.temporalProc = temporalProc;
    this.client = new Client({ connection });
    // Polling goes straight to Postgres; connections die on a Postgres restart and are replaced.
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 2000 });
    this.pool.on('error', () => {});
  }

  get log(): (line: string) => void {
    return this.opts.log ?? (() => {});
  }

  static async start(opts: ChaosStackOptions): Promise<ChaosStack> {
    const log = opts.log ?? (() => {});
    const logDir = join(opts.dir, 'logs');
    if (await portOpen(opts.temporalPort)) throw new Error(`port ${opts.temporalPort} is in use: the chaos stack restarts its own Temporal server, so give it a free port`);
    const pgOpts: PostgresOptions = { dataDir: join(opts.dir, 'pg'), port: opts.pgPort, database: opts.database, unsafeFast: opts.unsafeFastPostgres };
    log(`Postgres on 127.0.0.1:${opts.pgPort} (${pgOpts.dataDir})`);
    await startPostgres(pgOpts);
    // startPostgres reuses whatever answers on the port; a restart of another cluster would be no restart at all.
    await expectOurCluster(pgOpts);
    const databaseUrl = await recreateDatabase(pgOpts);
    await migrate(databaseUrl);
    // A fresh SQLite file per run; it is kept across the Temporal restarts inside the run.
    const dbFile = join(opts.dir, 'temporal.db');
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
    log(`Temporal dev server on 127.0.0.1:${opts.temporalPort} (${dbFile})`);
    const temporalProc = await startTemporal({ port: opts.temporalPort, uiPort: opts.uiPort, dbFile, logFile: join(logDir, 'temporal.log') });
    const queues = { orchestrator: `chaos-${opts.database}-orchestrator`, compute: `chaos-${opts.database}-compute`, proposals: `chaos-${opts.database}-proposals` };
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${opts.temporalPort}`,
      STEPWISE_ORCHESTRATOR_QUEUE: queues.orchestrator,
      STEPWISE_TASK_QUEUE: queues.compute,
      STEPWISE_PROPOSALS_QUEUE: queues.proposals,
      STEPWISE_MODEL_DIR: join(opts.dir, 'models'),
    };
    const started: string[] = [];
    const orchestrator = new Supervised('orchestrator', 'orchestrator/src/main.ts', /^orchestrator .* on queue/m, env, logDir, log, started);
    const compute = new Supervised('compute', 'workers/src/main.ts', /^compute worker .* on queue/m, env, logDir, log, started);
    const proposals = new Supervised('proposals', 'orchestrator/src/proposals-main.ts', /^proposals worker .* on queue/m, env, logDir, log, started);
    log('orchestrator, proposals and compute workers');
    await Promise.all([orchestrator.start(), compute.start(), proposals.start()]);
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const { service, close } = await createServiceFromConfig({
      temporalAddress: env.TEMPORAL_ADDRESS, namespace: 'default', databaseUrl,
      taskQueue: queues.orchestrator, computeQueue: queues.compute, proposalsQueue: queues.proposals,
    });
    return new ChaosStack(opts, pgOpts, databaseUrl, temporalProc, connection, service, close, orchestrator, compute, proposals, queues, started);
  }

  /**
   * Injects one fault. Returns when the disruption began and when it was complete (the process
   * gone, the server down), and when the service was back (restarts).
   */
  async inject(kind: FaultKind): Promise<{ start: number; down: number; up: number }> {
    const start = Date.now();
    let down = start;
    switch (kind) {
      case 'kill-compute':
      case 'kill-proposals':
      case 'kill-orchestrator': {
        const worker = kind === 'kill-compute' ? this.compute : kind === 'kill-proposals' ? this.proposals : this.orchestrator;
        await worker.kill9();
        down = Date.now();
        // A replacement that dies on start-up is restarted by its supervisor and reported as an unplanned exit.
        await worker.start().catch((err) => this.log(`replacement failed to start: ${(err as Error).message.slice(0, 500)}`));
        break;
      }
      case 'restart-postgres':
        stopPostgres(this.pgOpts.dataDir);
        if (await portOpen(this.pgOpts.port)) throw new Error(`Postgres on port ${this.pgOpts.port} is still up after pg_ctl stop`);
        down = Date.now();
        await startPostgres(this.pgOpts);
        await expectOurCluster(this.pgOpts);
        break;
      case 'restart-temporal': {
        if (!this.temporalProc) throw new Error('the Temporal server was not started by this stack; it cannot be restarted');
        await stopProcess(this.temporalProc, 15_000);
        await waitFor(`port ${this.opts.temporalPort} to close`, async () => !(await portOpen(this.opts.temporalPort)), 30_000, 100);
        down = Date.now();
        this.temporalProc = await startTemporal({
          port: this.opts.temporalPort, uiPort: this.opts.uiPort, dbFile: join(this.opts.dir, 'temporal.db'), logFile: join(this.opts.dir, 'logs', 'temporal.log'),
        });
        break;
      }
    }
    return { start, down, up: Date.now() };
  }

  async stop(): Promise<void> {
    await this.pool.end().catch(() => {});
    await this.closeService().catch(() => {});
    await this.connection.close().catch(() => {});
    await Promise.all([this.orchestrator.stop(), this.compute.stop(), this.proposals.stop()]);
    if (this.temporalProc) await stopProcess(this.temporalProc);
    // Unlike the bench and test clusters this one is stopped: it is restarted mid-run anyway, and
    // a cluster left on the port would be picked up by the next run in place of its own.
    stopPostgres(this.pgOpts.dataDir);
  }
}

/** The server on the port must be the cluster in our data directory. */
async function expectOurCluster(opts: PostgresOptions): Promise<void> {
  const c = new pg.Client({ connectionString: `postgresql://${opts.user ?? 'stepwise'}@127.0.0.1:${opts.port}/postgres` });
  await c.connect();
  try {
    const dir = (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0].data_directory;
    if (resolve(dir) !== resolve(opts.dataDir)) {
      throw new Error(`port ${opts.port} is served by the Postgres cluster in ${dir}, not ${resolve(opts.dataDir)}: stop it or give the chaos stack another port`);
    }
  } finally {
    await c.end();
  }
}

export interface FaultPlan {
  /** Fraction of the study's trials completed before this fault is injected. */
  at: number;
  kind: FaultKind;
}

export interface ScenarioSpec {
  name: string;
  /** A study config (as a user writes it); launched twice with the same seed. */
  config: Record<string, unknown> & { budget: { trials: number; parallel?: number; [key: string]: unknown } };
  faults: FaultPlan[];
  /** Upper bound on each run (undisturbed and faulted). */
  timeoutS: number;
  /** A run with no completed trial for this long (after the last fault) is given up as stalled. */
  stallS: number;
  /** Printed with the line (e.g. why the comparison is exact for this kind of study). */
  note?: string;
}

interface TrialRow {
  number: number;
  params: unknown;
  value: number | null;
  stderr: number | null;
  n: number | null;
  status: string;
}

export interface ScenarioLine {
  scenario: string;
  completed: boolean;
  status: string;
  stalled: boolean;
  faults: string[];
  faults_missed: string[];
  trials: number;
  expected_trials: number;
  duplicates: number;
  block_duplicates: number;
  running_left: number;
  not_completed: number;
  counter_matches: boolean;
  identical: boolean;
  mismatches: number;
  /** Max over faults of the seconds from the fault to the next trial finished; null if one never recovered. */
  recovery_s: number | null;
  /** Max over faults of the seconds from the fault until a trial dispatched after it finished. */
  resumed_s: number | null;
  recovery_per_fault: Array<{ fault: string; at_trials: number; down_s: number; recovery_s: number | null; resumed_s: number | null }>;
  runs: number;
  replay_failures: number;
  replay_errors: string[];
  workflow_task_failures: number;
  first_workflow_task_failure: string | null;
  unplanned_exits: string[];
  /** Worker processes of this scenario started on different versions of the working tree. */
  code_changed_during_run: boolean;
  baseline_s: number;
  chaos_s: number;
  note?: string;
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/** A query that may hit a Postgres restart: null instead of an exception. */
async function tryQuery<T extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[]): Promise<T[] | null> {
  try {
    return (await pool.query<T>(sql, params)).rows;
  } catch {
    return null;
  }
}

async function progress(pool: pg.Pool, studyId: string): Promise<{ status: string; completed: number } | null> {
  const rows = await tryQuery<{ status: string; completed: string }>(
    pool,
    `SELECT s.status::text AS status, (SELECT count(*) FROM trial t WHERE t.study_id = s.id AND t.status IN ('completed', 'failed')) AS completed
     FROM study s WHERE s.id = $1`,
    [studyId],
  );
  return rows && rows[0] ? { status: rows[0].status, completed: Number(rows[0].completed) } : null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Launches the config, injects `faults` at their milestones (each only after the previous one
 * has recovered: a trial finished after it), and waits, boundedly, for a terminal status.
 */
async function runOnce(stack: ChaosStack, spec: ScenarioSpec, label: string, faults: FaultPlan[]) {
  const total = spec.config.budget.trials;
  const t0 = Date.now();
  const study = await stack.service.launchStudy({ config: { ...spec.config, name: `${spec.name} (${label})` }, source: 'client' });
  const workflowId = (await stack.pool.query<{ id: string }>('SELECT workflow_id AS id FROM study WHERE id = $1', [study.id])).rows[0]?.id ?? '';
  const injected: ScenarioLine['recovery_per_fault'] = [];
  const missed: string[] = [];
  let nextFault = 0;
  let pending: { index: number; down: number; start: number } | null = null;
  let lastCount = -1;
  let lastProgress = Date.now();
  let status = 'queued';
  let stalled = false;
  const deadline = t0 + spec.timeoutS * 1000;
  for (;;) {
    const p = await progress(stack.pool, study.id);
    if (p) {
      status = p.status;
      if (p.completed !== lastCount) {
        lastCount = p.completed;
        lastProgress = Date.now();
      }
    }
    if (pending) {
      // recovery: the next trial to finish after the disruption; resumed: the first to finish of
      // those dispatched after it (trials caught mid-write can finish before anything works again).
      const rows = await tryQuery<{ first: Date | null; resumed: Date | null }>(
        stack.pool,
        `SELECT min(finished_at) AS first, min(finished_at) FILTER (WHERE started_at > $2) AS resumed
         FROM trial WHERE study_id = $1 AND status = 'completed' AND finished_at > $2`,
        [study.id, new Date(pending.down)],
      );
      const f = injected[pending.index];
      const since = (d: Date) => round((d.getTime() - pending!.start) / 1000);
      if (rows?.[0]?.first && f.recovery_s === null) f.recovery_s = since(rows[0].first);
      if (rows?.[0]?.resumed && f.resumed_s === null) f.resumed_s = since(rows[0].resumed);
      // The next fault waits until work dispatched after this one has finished.
      if (f.recovery_s !== null && f.resumed_s !== null) pending = null;
    }
    if (TERMINAL.has(status)) break;
    if (!pending && nextFault < faults.length && lastCount >= Math.round(faults[nextFault].at * total)) {
      const f = faults[nextFault++];
      const atTrials = lastCount;
      stack.log(`${spec.name}: ${f.kind} at ${atTrials}/${total} trials`);
      const t = await stack.inject(f.kind);
      injected.push({ fault: f.kind, at_trials: atTrials, down_s: round((t.up - t.down) / 1000), recovery_s: null, resumed_s: null });
      pending = { index: injected.length - 1, down: t.down, start: t.start };
      lastProgress = Date.now();
      continue;
    }
    if (Date.now() - lastProgress > spec.stallS * 1000 || Date.now() > deadline) {
      stalled = true;
      stack.log(`${spec.name} (${label}): no terminal status; ${lastCount}/${total} trials finished, last progress ${round((Date.now() - lastProgress) / 1000, 0)} s ago`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const f of faults.slice(nextFault)) missed.push(f.kind);
  const wallS = (Date.now() - t0) / 1000;
  const trials = await waitForRows(stack.pool, study.id);
  return { studyId: study.id, workflowId, status, completed: status === 'completed', stalled, wallS, trials, injected, missed };
}

async function waitForRows(pool: pg.Pool, studyId: string): Promise<TrialRow[]> {
  let rows: TrialRow[] | null = null;
  await waitFor('the trial rows (Postgres back up)', async () => {
    rows = await tryQuery<TrialRow>(pool, 'SELECT number, params, value, stderr, n, status::text AS status FROM trial WHERE study_id = $1 ORDER BY number', [studyId]);
    return rows !== null;
  }, 60_000, 250);
  return rows!;
}

/** Compares each trial's (number, params, value, stderr, n) exactly; a number on one side only is a mismatch. */
export function compareTrials(a: TrialRow[], b: TrialRow[]): number {
  const byNumber = new Map(b.map((t) => [t.number, t]));
  let mismatches = 0;
  for (const t of a) {
    const u = byNumber.get(t.number);
    byNumber.delete(t.number);
    if (!u || !isDeepStrictEqual(t.params, u.params) || t.value !== u.value || t.stderr !== u.stderr || t.n !== u.n) mismatches++;
  }
  return mismatches + byNumber.size;
}

/** Duplicates and leftovers, counted in Postgres. */
async function integrity(pool: pg.Pool, studyId: string) {
  const [dups] = (await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM (SELECT number FROM trial WHERE study_id = $1 GROUP BY number HAVING count(*) > 1) d', [studyId],
  )).rows;
  // A block recorded twice under two indexes shows as two blocks of one trial whose seed ranges overlap.
  const [blockDups] = (await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM trial t JOIN trial_block a ON a.trial_id = t.id JOIN trial_block b ON b.trial_id = a.trial_id
       AND a.block_index < b.block_index AND a.seed_start < b.seed_end AND b.seed_start < a.seed_end
     WHERE t.study_id = $1`, [studyId],
  )).rows;
  const [left] = (await pool.query<{ running: string; not_completed: string }>(
    `SELECT count(*) FILTER (WHERE status = 'running') AS running, count(*) FILTER (WHERE status <> 'completed') AS not_completed
     FROM trial WHERE study_id = $1`, [studyId],
  )).rows;
  // The study's counter is bumped by the same write that finishes a trial: a retried write must not count twice.
  const [counter] = (await pool.query<{ ok: boolean }>(
    `SELECT s.trials_completed = (SELECT count(*) FROM trial t WHERE t.study_id = s.id AND t.status = 'completed') AS ok FROM study s WHERE s.id = $1`, [studyId],
  )).rows;
  return { duplicates: Number(dups.n), blockDuplicates: Number(blockDups.n), runningLeft: Number(left.running), notCompleted: Number(left.not_completed), counterMatches: counter.ok };
}

type History = temporal.api.history.v1.IHistory;

/** Every run of the workflow id, first to last, following continue-as-new from the first run. */
export async function fetchHistories(client: Client, workflowId: string): Promise<Array<{ runId: string; history: History }>> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  let runId: string | null = desc.raw.workflowExecutionInfo?.firstRunId || null;
  if (!runId) {
    // Older servers: the visibility list (possibly a little behind) names the runs.
    const runs: string[] = [];
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, '')}'` })) runs.push(info.runId);
    runId = runs.at(-1) ?? desc.runId;
  }
  const out: Array<{ runId: string; history: History }> = [];
  while (runId && out.length < 1000) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.push({ runId, history });
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null;
  }
  return out;
}

/** The replay workers' state changes are not news; warnings and errors still print. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process (another harness call, or a caller's own settings): keep it.
  }
}

/** Replays every history against the current workflow bundle; counts what does not replay. */
export async function replayAll(workflowId: string, histories: Array<{ runId: string; history: History }>) {
  quietRuntime();
  const errors: string[] = [];
  const bundle = await workflowBundle();
  const results = Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'chaos' }, histories.map((h) => ({ workflowId, history: h.history })));
  for await (const r of results) if (r.error) errors.push(`${r.runId}: ${r.error.message.slice(0, 300)}`);
  let taskFailures = 0;
  let firstTaskFailure: string | null = null;
  for (const h of histories) {
    for (const e of h.history.events ?? []) {
      if (!e.workflowTaskFailedEventAttributes) continue;
      taskFailures++;
      firstTaskFailure ??= (e.workflowTaskFailedEventAttributes.failure?.message ?? 'workflow task failed').slice(0, 300);
    }
  }
  return { errors, taskFailures, firstTaskFailure };
}

/** Undisturbed run, faulted run with the same config and seed, then the checks. */
export async function runScenario(stack: ChaosStack, spec: ScenarioSpec): Promise<ScenarioLine> {
  const exitsBefore = [...stack.orchestrator.unplannedExits, ...stack.compute.unplannedExits, ...stack.proposals.unplannedExits].length;
  const startsBefore = stack.startedFingerprints.length;
  const runningCode = [stack.orchestrator.fingerprint, stack.compute.fingerprint, stack.proposals.fingerprint];
  const baseline = await runOnce(stack, spec, 'undisturbed', []);
  await settle(stack, baseline);
  const chaos = await runOnce(stack, spec, 'faults', spec.faults);
  const checks = await integrityWhenUp(stack, chaos.studyId);
  let runs = 0;
  const replay = { errors: [] as string[], taskFailures: 0, firstTaskFailure: null as string | null };
  for (const run of [baseline, chaos]) {
    try {
      const histories = await fetchHistories(stack.client, run.workflowId);
      if (run === chaos) runs = histories.length;
      const r = await replayAll(run.workflowId, histories);
      replay.errors.push(...r.errors);
      replay.taskFailures += r.taskFailures;
      replay.firstTaskFailure ??= r.firstTaskFailure;
    } catch (err) {
      replay.errors.push(`${run.workflowId}: could not fetch or replay the histories: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  await settle(stack, chaos);
  const mismatches = compareTrials(baseline.trials, chaos.trials);
  const recoveries = chaos.injected.map((f) => f.recovery_s);
  const known = recoveries.filter((r): r is number => r !== null);
  // A fault late in a study may leave no trial dispatched after it: no resumed time, not a failure.
  const resumed = chaos.injected.map((f) => f.resumed_s).filter((r): r is number => r !== null);
  const exits = [...stack.orchestrator.unplannedExits, ...stack.compute.unplannedExits, ...stack.proposals.unplannedExits].slice(exitsBefore);
  const codeVersions = new Set([...runningCode, ...stack.startedFingerprints.slice(startsBefore)]);
  return {
    scenario: spec.name,
    completed: chaos.completed && baseline.completed,
    status: chaos.status,
    stalled: chaos.stalled,
    faults: chaos.injected.map((f) => f.fault),
    faults_missed: chaos.missed,
    trials: chaos.trials.length,
    expected_trials: spec.config.budget.trials,
    duplicates: checks.duplicates,
    block_duplicates: checks.blockDuplicates,
    running_left: checks.runningLeft,
    not_completed: checks.notCompleted,
    counter_matches: checks.counterMatches,
    identical: mismatches === 0 && baseline.completed && chaos.completed,
    mismatches,
    // A fault after which no trial finished has no recovery time: the run did not recover.
    recovery_s: recoveries.length === 0 ? null : known.length === recoveries.length ? Math.max(...known) : null,
    resumed_s: resumed.length ? Math.max(...resumed) : null,
    recovery_per_fault: chaos.injected,
    runs,
    replay_failures: replay.errors.length,
    replay_errors: replay.errors,
    workflow_task_failures: replay.taskFailures,
    first_workflow_task_failure: replay.firstTaskFailure,
    unplanned_exits: exits,
    code_changed_during_run: codeVersions.size > 1,
    baseline_s: round(baseline.wallS, 1),
    chaos_s: round(chaos.wallS, 1),
    ...(spec.note ? { note: spec.note } : {}),
  };
}

async function integrityWhenUp(stack: ChaosStack, studyId: string) {
  let out: Awaited<ReturnType<typeof integrity>> | null = null;
  await waitFor('integrity queries (Postgres back up)', async () => {
    out = await integrity(stack.pool, studyId);
    return true;
  }, 60_000, 250);
  return out!;
}

/** A run that did not finish is terminated, so that it does not compete with the next scenario. */
async function settle(stack: ChaosStack, run: { completed: boolean; status: string; workflowId: string }): Promise<void> {
  if (TERMINAL.has(run.status) || !run.workflowId) return;
  try {
    await stack.client.workflow.getHandle(run.workflowId).terminate('chaos harness: no terminal status within the bounds of the scenario');
  } catch (err) {
    stack.log(`could not terminate ${run.workflowId}: ${(err as Error).message}`);
  }
}
