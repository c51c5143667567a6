import { Command, CommanderError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import type { TStudyConfigInput } from '@stepwise/core';
import { createStepwiseClient, type StepwiseClient } from '../index';
import {
  EXPORT_FORMATS,
  parseEverySeconds,
  parseFormat,
  parsePositiveInt,
  parseStatus,
  resolveConnection,
  scheduleSpec,
  type Connection,
  type ExportFormat,
  type StudyStatusArg,
} from './args';
import { loadConfigFile } from './config-file';
import { inlineScheduleFiles } from './schedule-files';
import { formatComparison } from './compare';
import { scheduleSummary } from '@stepwise/core/config/schedule-summary';
import { describeError } from './errors';
import { exportTrials, type Write } from './export-trials';
import { formatNumber, isoOrDash, table, toJson } from './format';
import { openOutputFile, type OutputFile } from './io';
import { statusText, watchStudy } from './watch';
import { exportS3Schedules, followS3, formatS3Report } from './s3';
import { formatRaceProgress, formatRanking, readEvaluationSummary, readRaceProgress } from './evaluate';
import { formatParetoFront, hasObjectives } from './pareto';
import {
  AUTO_SCALE_WIDTH, loadSampler, parseGuidance, parseNonNegativeInt, parsePreset, parseSampleOut, parseScale, parseScheduleText, parseSpacing, rescaleFile, samplePngViaApi, sampleRequest, type Sampler,
} from './sample';
import { readBinaryFile, writeBinaryFile } from './io';

export interface CliIO {
  env: Record<string, string | undefined>;
  /** Standard output (results, exports to stdout). */
  out: Write;
  /** Standard error (messages, progress). */
  err: (s: string) => void;
  readFile?: (path: string) => Promise<string>;
  openOut?: (path: string) => OutputFile;
  createClient?: (conn: Connection) => StepwiseClient;
  sleep?: (ms: number) => Promise<void>;
  /** Stream for the --watch progress bar; omit for no bar. */
  progress?: NodeJS.WritableStream;
  /** Loads `stepwise sample`'s local sampler (default: @stepwise/workers/sample-export, imported on use). */
  loadSampler?: () => Promise<Sampler>;
  /** Binary files (`stepwise sample` PNGs); default node:fs. */
  writeBinary?: (path: string, bytes: Buffer) => Promise<void>;
  readBinary?: (path: string) => Promise<Buffer>;
}

/** Confidence of a study's intervals: its sampler estimation settings, else 95%. */
function studyConfidence(config: unknown): number {
  const c = (config as { objective?: { estimation?: { confidence?: unknown } } } | null)?.objective?.estimation?.confidence;
  return typeof c === 'number' && c > 0 && c < 1 ? c : 0.95;
}

/** " ± 0.0031 (95% CI [0.398, 0.404], n = 256)" for an estimate with an interval; "" otherwise. */
export function intervalSuffix(t: { ciLow: number | null; ciHigh: number | null; n: number | null } | null | undefined): string {
  if (!t || t.ciLow === null || t.ciHigh === null) return '';
  const n = t.n !== null ? `, n = ${t.n}` : '';
  return ` ± ${formatNumber((t.ciHigh - t.ciLow) / 2, 3)} (CI [${formatNumber(t.ciLow)}, ${formatNumber(t.ciHigh)}]${n})`;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The holdout lines of `show` for a grid/random/bayesopt study's strategy state: its final numbers
 * (`final`: best search trial on the holdout seeds) and its Thresholdout budget, when present.
 */
export function holdoutLines(strategy: unknown): string[] {
  if (!isObj(strategy)) return [];
  const lines: string[] = [];
  const f = strategy.final;
  if (isObj(f) && isObj(f.holdout)) {
    const start = finiteOrNull(f.holdout.start), size = finiteOrNull(f.holdout.size), mean = finiteOrNull(f.mean), n = finiteOrNull(f.n);
    const lo = finiteOrNull(f.ciLow), hi = finiteOrNull(f.ciHigh);
    if (start !== null && size !== null && mean !== null && n !== null) {
      const half = lo !== null && hi !== null ? ` ± ${formatNumber((hi - lo) / 2, 3)}` : '';
      const trial = finiteOrNull(f.trialNumber) !== null ? `, trial #${f.trialNumber}` : '';
      lines.push(`Final (holdout seeds ${start}..${start + size - 1}): ${formatNumber(mean)}${half} (n = ${n}${trial})`);
    }
  }
  const t = strategy.thresholdout;
  if (isObj(t)) {
    const config = isObj(t.state) && isObj(t.state.config) ? t.state.config : {};
    const total = finiteOrNull(t.budget) ?? finiteOrNull(config.budget);
    const remaining = finiteOrNull(t.budgetRemaining);
    if (total !== null && remaining !== null) lines.push(`Thresholdout budget: ${remaining} / ${total}`);
  }
  return lines;
}

/** Runs one CLI invocation; resolves to the exit code (never calls process.exit). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let code = 0;
  let conn: Connection = resolveConnection({}, io.env);
  let client: StepwiseClient | null = null;
  const getClient = () => (client ??= (io.createClient ?? ((c) => createStepwiseClient(c)))(conn));
  const print = (s: string) => io.out(s.endsWith('\n') ? s : `${s}\n`);

  const program = new Command('stepwise')
    .description('Launch, watch and export Stepwise studies (talks to the web app over tRPC).')
    .version('0.1.0')
    .option('--url <url>', 'web app URL (env STEPWISE_URL, default http://localhost:3000)')
    .option('--token <token>', 'API token (env STEPWISE_API_TOKEN)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.out(s), writeErr: io.err });
  program.hook('preAction', () => {
    conn = resolveConnection(program.opts<{ url?: string; token?: string }>(), io.env);
  });

  program
    .command('launch')
    .description('launch a study from a YAML or JSON config file')
    .argument('<file>', 'study config (.yaml, .yml or .json)')
    .option('-w, --watch', 'show a progress bar until the study finishes, then print the best value (exit 1 unless it completed)')
    .option('--json', 'print the launched (or, with --watch, the finished) study as JSON')
    .action(async (file: string, opts: { watch?: boolean; json?: boolean }) => {
      // `schedule: file.json` entries are read here, relative to the config file, and inlined.
      const config = (await inlineScheduleFiles(await loadConfigFile(file, io.readFile), file, io.readFile)) as TStudyConfigInput;
      const study = await getClient().studies.launch.mutate({ config, source: 'client' });
      if (!opts.watch) {
        if (opts.json) return print(toJson(study));
        return print(`launched ${study.id}  ${study.name}  (${study.kind}, ${study.trialsTotal} trials)\n  ${conn.url.replace(/\/+$/, '')}/studies/${study.id}`);
      }
      io.err(`launched ${study.id}  ${study.name}\n`);
      await watchToEnd(study.id, opts);
    });

  /** Shared by `launch --watch` and `watch`: bar (or lines), then the final best value; exit 1 unless completed. */
  async function watchToEnd(id: string, opts: { json?: boolean }): Promise<void> {
    // On a terminal the bar shows the best value live; elsewhere (CI logs, pipes) each improvement gets a line.
    const tty = !!(io.progress as { isTTY?: boolean } | undefined)?.isTTY;
    // An s3 study also gets a line per finished stage and group (new best, predictor quality),
    // followed from the first state read that names its kind (no extra request before it).
    let watching = true;
    let s3: Promise<Awaited<ReturnType<typeof followS3>>> | null = null;
    const followIfS3 = (s: { kind: string }) => {
      if (s3 || opts.json || s.kind !== 's3') return;
      s3 = followS3(getClient(), id, (line) => io.err(`${tty ? '\r\x1b[2K' : ''}${line}\n`), () => !watching, io.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))));
    };
    const final = await watchStudy(getClient(), id, {
      onPoll: followIfS3,
      sleep: io.sleep,
      stream: io.progress,
      quiet: !io.progress || opts.json,
      onImprovement: tty || opts.json ? undefined : (line) => io.err(`${line}\n`),
      // Outages and stalls are worth a line even under the bar: clear the bar's line first.
      onNotice: (line) => io.err(`${tty ? '\r\x1b[2K' : ''}${line}\n`),
    });
    watching = false;
    const s3View = await (s3 as ReturnType<typeof followS3> | null);
    if (opts.json) await print(toJson(final));
    else {
      if (s3View?.report) await print(formatS3Report(s3View));
      const best = final.bestValue === null ? 'no completed trial' : `best ${final.metric} = ${formatNumber(final.bestValue, 8)}${intervalSuffix(final.bestTrial)} (trial #${final.bestTrialNumber})`;
      await print(`${final.status}: ${best}; ${final.trialsCompleted} completed, ${final.trialsPruned ? `${final.trialsPruned} pruned, ` : ''}${final.trialsFailed} failed of ${final.trialsTotal}`);
      // Why it did not complete (every trial failed, a broken model, a cancel): the study's own words.
      if (final.status !== 'completed' && final.error) await print(`  ${final.status === 'cancelled' ? 'note' : 'why'}: ${final.error}`);
    }
    if (final.status !== 'completed') code = 1;
  }

  program
    .command('watch')
    .description('follow a study until it finishes (progress bar; survives server restarts), then print the best value (exit 1 unless it completed)')
    .argument('<id>', 'study id')
    .option('--json', 'print the finished study as JSON')
    .action(async (id: string, opts: { json?: boolean }) => watchToEnd(id, opts));

  program
    .command('ls')
    .description('list studies, newest first')
    .option('--json', 'print JSON')
    .addOption(new Option('--status <status>', 'only studies with this status').argParser(parseStatus))
    .option('-n, --limit <n>', 'how many (default 50)', parsePositiveInt, 50)
    .option('--all', 'every study (pages through all of them)')
    .option('--schedule <id>', 'only the studies this schedule launched')
    .action(async (opts: { json?: boolean; status?: StudyStatusArg; limit: number; all?: boolean; schedule?: string }) => {
      const items = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<StepwiseClient['studies']['list']['query']>> = await getClient().studies.list.query({
          limit: opts.all ? 200 : Math.min(200, opts.limit - items.length),
          cursor,
          status: opts.status,
          scheduleId: opts.schedule,
        });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && (opts.all || items.length < opts.limit));
      if (opts.json) return print(toJson(items));
      if (items.length === 0) return print('no studies');
      const stalled = items.filter((s) => s.health?.state === 'stalled');
      await io.out(
        table(
          ['ID', 'NAME', 'KIND', 'STATUS', 'PROGRESS', 'BEST', 'SOURCE', 'CREATED'],
          items.map((s) => [
            s.id,
            s.name,
            s.kind,
            statusText(s),
            `${s.trialsCompleted + s.trialsFailed + (s.trialsPruned ?? 0)}/${s.trialsTotal}`,
            formatNumber(s.bestValue),
            s.source,
            isoOrDash(s.createdAt),
          ]),
          new Set([4, 5]),
        ),
      );
      for (const s of stalled) io.err(`${s.id} is stalled: ${s.health!.reason}\n`);
    });

  program
    .command('show')
    .description('show one study')
    .argument('<id>', 'study id')
    .option('--json', 'print JSON (config and best-so-far curve included)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const s = await getClient().studies.get.query({ id });
      // Multi-objective studies: the stored Pareto front (and its hypervolume) instead of one best value.
      const pareto = hasObjectives(s.config) ? await getClient().studies.pareto.query({ studyId: s.id, limit: 1, curvePoints: 2 }) : null;
      if (opts.json) return print(toJson(pareto ? { ...s, pareto } : s));
      const rows: Array<[string, string]> = [
        ['id', s.id],
        ['name', s.name],
        ['kind', s.kind],
        ['status', statusText(s) + (s.error ? ` (${s.error})` : '')],
        ['objective', pareto ? pareto.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ') : `${s.direction} ${s.metric}`],
        // Pruned trials (stopped early by the study's pruner) only where the study has some.
        ['progress', `${s.trialsCompleted} completed, ${s.trialsPruned ? `${s.trialsPruned} pruned, ` : ''}${s.trialsFailed} failed, ${s.trialsRunning} running of ${s.trialsTotal}`],
        ['best', s.bestValue === null ? '-' : `${formatNumber(s.bestValue, 8)}${intervalSuffix(s.bestTrial)} (trial #${s.bestTrialNumber})`],
        ['source', s.source + (s.scheduleId ? ` (schedule ${s.scheduleId})` : '')],
        ['created', isoOrDash(s.createdAt)],
        ['started', isoOrDash(s.startedAt)],
        ['finished', isoOrDash(s.finishedAt)],
        ['workflow', s.workflowId ?? '-'],
      ];
      if (s.health && s.health.state !== 'ok') {
        // Right under "status": what Temporal says, and what to do about it.
        const at = rows.findIndex(([k]) => k === 'status') + 1;
        const since = s.health.since ? ` (since ${isoOrDash(s.health.since)})` : '';
        rows.splice(at, 0, ['  health', `${s.health.state}: ${s.health.reason ?? ''}${since}`]);
        if (s.health.state === 'stalled') rows.splice(at + 1, 0, ['  fix', `stepwise cancel ${s.id} terminates the workflow and closes its trials`]);
      }
      const t = s.bestTrial && s.bestTrial.number === s.bestTrialNumber ? s.bestTrial : null;
      if (t) {
        // Under "best": the best trial's standard error (noisy objectives) and its parameters.
        const at = rows.findIndex(([k]) => k === 'best') + 1;
        const extra: Array<[string, string]> = [];
        if (t.stderr !== null) extra.push(['  stderr', formatNumber(t.stderr, 4)]);
        const params = Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : typeof v === 'object' ? (scheduleSummary(v) ?? JSON.stringify(v)) : String(v)}`).join(' ');
        if (params) extra.push(['  params', params]);
        rows.splice(at, 0, ...extra);
      }
      const w = Math.max(...rows.map(([k]) => k.length));
      await print(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
      if (pareto) await print(`\n${formatParetoFront(pareto)}`);
      const holdout = holdoutLines(s.strategy);
      if (holdout.length) await print(`\n${holdout.join('\n')}`);
      // evaluate studies: the ranking once recorded, else the race so far.
      const summary = readEvaluationSummary(s.strategy);
      if (summary) {
        await io.out(`\n${formatRanking(summary, { direction: s.direction, metric: s.metric, confidence: studyConfidence(s.config) })}`);
        return;
      }
      const race = readRaceProgress(s.strategy);
      if (race) {
        const candidates = (s.config as { candidates?: Array<Record<string, unknown>> }).candidates;
        await io.out(`\n${formatRaceProgress(race, { direction: s.direction, candidates })}`);
      }
    });

  program
    .command('cancel')
    .description('cancel a queued or running study')
    .argument('<id>', 'study id')
    .action(async (id: string) => {
      const s = await getClient().studies.cancel.mutate({ id });
      // A stalled workflow is terminated rather than cancelled; the error says so.
      await print(`${s.id}  ${s.status}${s.error ? `  (${s.error})` : ''}`);
    });

  for (const verb of ['pause', 'resume'] as const) {
    program
      .command(verb)
      .description(verb === 'pause' ? 'stop dispatching new trials (those in flight finish)' : 'continue a paused study')
      .argument('<id>', 'study id')
      .action(async (id: string) => {
        const s = await getClient().studies[verb].mutate({ id });
        await print(`${s.id}  ${s.status}${verb === 'pause' ? ' (pausing: trials in flight finish first)' : ''}`);
      });
  }

  program
    .command('export')
    .description('export every trial of a study (streamed page by page)')
    .argument('<id>', 'study id')
    .addOption(new Option('-f, --format <format>', `output format: ${EXPORT_FORMATS.join(' | ')}`).argParser(parseFormat).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--schedules <dir>', 's3 studies: write the certified schedules (searched and baseline per NFE) as JSON files into DIR instead')
    .action(async (id: string, opts: { format: ExportFormat; out?: string; schedules?: string }) => {
      if (opts.schedules) {
        const files = await exportS3Schedules(getClient(), id, opts.schedules);
        await print(files.join('\n'));
        return;
      }
      if (!opts.out) {
        await exportTrials(getClient(), id, opts.format, io.out);
        return;
      }
      const file = (io.openOut ?? openOutputFile)(opts.out);
      const n = await exportTrials(getClient(), id, opts.format, file.write);
      await file.close();
      io.err(`exported ${n} trials to ${opts.out}\n`);
    });

  program
    .command('compare')
    .description('paired interval of trial A minus trial B over their common seeds (common random numbers), beside the unpaired one')
    .argument('<study>', 'study id')
    .argument('<a>', 'trial number', parseNonNegativeInt)
    .argument('<b>', 'trial number', parseNonNegativeInt)
    .option('--confidence <level>', 'interval level, e.g. 0.99 (default: the study\'s)', parseFloat)
    .option('--json', 'print JSON')
    .action(async (study: string, a: number, b: number, opts: { confidence?: number; json?: boolean }) => {
      const c = await getClient().trials.compare.query({ studyId: study, a, b, confidence: opts.confidence });
      await print(opts.json ? toJson(c) : formatComparison(c));
    });

  program
    .command('sample')
    .description('draw samples from a model with a solver preset: a .png is drawn by a compute worker through the API; .npy (or --local) samples in this process')
    .requiredOption('--model <model>', 'a built-in testbed (gaussian-1, gmm-2d, gmm-64d, gmm-cifar) or a model file in the model directory')
    .option('--preset <preset>', 'solver preset (e.g. ddim, dpmpp-2m, unipc-bh2)', parsePreset)
    .option('--nfe <n>', 'network function evaluations', parsePositiveInt)
    .option('--schedule <file>', 'a whole USF schedule as JSON (e.g. from `stepwise export ID --schedules DIR`) instead of --preset/--nfe/--spacing')
    .option('--spacing <spacing>', 'timestep spacing (logSNR, time-uniform, time-quadratic, karras)', parseSpacing)
    .option('--count <n>', 'how many samples', parsePositiveInt, 64)
    .option('--label <class>', 'class-conditional models: sample this class (guidance defaults to 1)', parseNonNegativeInt)
    .option('--guidance <w>', 'class-conditional models: classifier-free guidance scale (0 = unconditional)', parseGuidance)
    .option('--seed <n>', 'seed of the initial noise', parseNonNegativeInt, 0)
    .requiredOption('--out <file>', 'output file: .npy (float32 [count, ...shape]) or .png (image grid, or 2-D histogram)', parseSampleOut)
    .option('--scale <n>', `.png: pixels per sample pixel (default: enough for ${AUTO_SCALE_WIDTH} px across)`, parseScale)
    .option('--local', 'sample in this process even for .png (needs the optional package @stepwise/workers)')
    .option('--model-dir <dir>', 'with --local or .npy: model directory (env STEPWISE_MODEL_DIR, default .data/models)')
    .action(async (opts: { model: string; preset?: Parameters<typeof sampleRequest>[0]['preset']; nfe?: number; spacing?: Parameters<typeof sampleRequest>[0]['spacing']; count: number; seed: number; out: string; modelDir?: string; label?: number; guidance?: number; scale?: number; local?: boolean; schedule?: string }) => {
      const schedule = opts.schedule !== undefined ? parseScheduleText(await (io.readFile ?? ((p: string) => readFile(p, 'utf8')))(opts.schedule), opts.schedule) : undefined;
      const req = sampleRequest({ ...opts, schedule }, io.env);
      const png = req.out.toLowerCase().endsWith('.png');
      const what = (shape: number[], nfe: number, scale: number) =>
        `(${shape.join('x')} samples of ${req.model}, ${req.schedule !== undefined ? `schedule ${opts.schedule}` : req.preset} at ${nfe} NFE${req.spacing ? `, ${req.spacing} spacing` : ''}, seed ${req.seed}${png ? `, scale ${scale}` : ''})`;
      if (png && !opts.local) {
        const r = await samplePngViaApi(getClient(), req, opts.scale);
        await (io.writeBinary ?? writeBinaryFile)(req.out, r.png);
        return print(`wrote ${req.out}  ${what(r.shape, r.nfe, r.scale)}`);
      }
      const sample = await (io.loadSampler ?? loadSampler)();
      const r = await sample(req);
      const scale = png ? await rescaleFile(r.path, opts.scale, { readFile: io.readBinary ?? readBinaryFile, writeFile: io.writeBinary ?? writeBinaryFile }) : 1;
      await print(`wrote ${r.path}  ${what(r.shape, r.nfe, scale)}`);
    });

  const schedule = program.command('schedule').description('scheduled re-runs of a study template');

  schedule
    .command('create')
    .description('create a schedule (exactly one of --cron or --every)')
    .requiredOption('--name <name>', 'schedule name')
    .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
    .option('--every <interval>', 'interval: seconds, or 90s / 15m / 2h / 1d', parseEverySeconds)
    .requiredOption('--template <file>', 'study config to instantiate on each run (.yaml or .json)')
    .addOption(new Option('--seed-policy <policy>', "each run's seed: fixed (the template's), increment (+1 per run) or random").choices(['fixed', 'increment', 'random']).default('increment'))
    .option('--paused', 'create it paused')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; cron?: string; every?: number; template: string; paused?: boolean; json?: boolean; seedPolicy: 'fixed' | 'increment' | 'random' }) => {
      const spec = scheduleSpec(opts);
      const template = (await inlineScheduleFiles(await loadConfigFile(opts.template, io.readFile), opts.template, io.readFile)) as TStudyConfigInput;
      const s = await getClient().schedules.create.mutate({ name: opts.name, ...spec, template, paused: opts.paused ?? false, seedPolicy: opts.seedPolicy });
      if (opts.json) return print(toJson(s));
      await print(`created schedule ${s.id}  ${s.name}  (${'cron' in spec ? `cron ${spec.cron}` : `every ${spec.intervalSeconds}s`}${s.paused ? ', paused' : ''})`);
    });

  schedule
    .command('ls')
    .description('list schedules')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = await getClient().schedules.list.query();
      if (opts.json) return print(toJson(rows));
      if (rows.length === 0) return print('no schedules');
      await io.out(
        table(
          ['ID', 'NAME', 'SPEC', 'STATE', 'TEMPLATE', 'LAST RUN', 'NEXT RUN', 'STUDIES'],
          rows.map((s) => [
            s.id,
            s.name,
            `${s.spec.cron ? `cron ${s.spec.cron}` : `every ${s.spec.intervalSeconds}s`}, seed ${s.spec.seedPolicy ?? 'fixed'}`,
            s.paused ? 'paused' : 'active',
            s.template.name,
            isoOrDash(s.lastRunAt),
            isoOrDash(s.nextRunAt),
            String(s.studiesCreated),
          ]),
          new Set([7]),
        ),
      );
    });

  for (const [verb, describe] of [
    ['pause', 'pause a schedule'],
    ['unpause', 'resume a paused schedule'],
    ['trigger', 'run a schedule now'],
  ] as const) {
    schedule
      .command(verb)
      .description(describe)
      .argument('<id>', 'schedule id')
      .action(async (id: string) => {
        const s = await getClient().schedules[verb].mutate({ id });
        await print(`${s.id}  ${s.paused ? 'paused' : 'active'}${verb === 'trigger' ? `  triggered (${s.studiesCreated} studies so far)` : ''}`);
      });
  }

  schedule
    .command('rm')
    .alias('delete')
    .description('delete a schedule')
    .argument('<id>', 'schedule id')
    .action(async (id: string) => {
      const r = await getClient().schedules.delete.mutate({ id });
      await print(`deleted ${r.id}`);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed the message (or the help / version text).
      return e.exitCode === 0 ? 0 : 1;
    }
    for (const line of describeError(e, conn)) io.err(`${line}\n`);
    return 1;
  }
}
