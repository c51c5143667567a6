import os from 'node:os';
import {
  buildPresetSchedule, degenerateEms, fitCascadeRegression, planDpmSolverV3, planUsf, predictDcRatios, PRESET_NAMES, sampleDcSolver, sampleDpmSolverV3, sampleUsf,
  type Denoiser, type EmpiricalModelStatistics, type NoiseSchedule, type PresetName, type SpacingName,
} from '../core/src/index';
import { DEFAULT_REFERENCE_SOLVER, initialNoiseBatch, openModelFile, openTestbed, ReferenceCache, releaseSessions } from '../workers/src/models/index';
import { conditionalDenoiser } from '../workers/src/models/conditional';
import { ensureLearnedModel } from '../workers/src/models/learned';
import { SolverStatisticsCache, type StatisticsModel } from '../workers/src/models/solver-statistics';
import { Results } from './support';

/**
 * USF sampler on the gmm-cifar ONNX testbed (D = 3072, K = 64), CPU onnxruntime, every number
 * measured in this run:
 *  - overhead_ratio: median wall time of a full DPM-Solver++(2M) NFE-10 sampling of a batch with
 *    float32 state (what the workers run) / (10 x median wall time of one model call on the same
 *    batch), measured interleaved (10 single calls, then one sampling, repeated) so that both see
 *    the same machine load; batches 16, 64 and 256, onnxruntime with its default threads and with
 *    one thread. Also printed: the model time inside the sampling runs, and what remains (the
 *    solver's own cost).
 *  - overhead_ratio_float64_state: the same with float64 state (JavaScript passes).
 *  - overhead_floor_ratio: the same for DDIM with float32 state, whose pass is the least any
 *    solver does between two calls (read x and eps, write x).
 *  - samples_per_s: batch / median sampling time of the overhead_ratio configuration.
 *  - *_learned: the same three ratios and samples/s on the learned digits noise predictor
 *    (batch 256, classifier-free guidance 1), a network rather than one memory-bound matmul.
 *  - rmse: trajectory RMSE to the reference endpoint (ReferenceCache, default solver
 *    DEFAULT_REFERENCE_SOLVER) over sample indices 0..1023 of seed 0, for every preset with
 *    logSNR and time-quadratic spacing at NFE 4, 5, 6, 8, 10: mean per-sample RMSE
 *    (sqrt(mean_d (x - ref)^2) per sample) and its standard error over samples. null where the
 *    preset cannot be built at that NFE. Also the two statistics-based solvers: `dpm-solver-v3`
 *    (EMS on a 120-interval grid from 256 model samples of calibration seed 1: the reference
 *    endpoints of that seed) and `dc-solver` (UniPC-bh2 order 3 with ratios fitted per (NFE,
 *    spacing) on 10 samples of seed 1, each in [0.5, 1.5]), and `dc-solver-cpr`: ratios predicted by the cascade
 *    polynomial regression fitted on the other four NFEs of the table (leave one NFE out).
 *  - overhead_vs_floor: sampling time of DPM-Solver++(2M), UniPC-bh2, DPM-Solver-v3 and
 *    DC-Solver / sampling time of DDIM at NFE 10 on the same batch (gmm-cifar batch 64; every
 *    solver with float32 state, v3 and DC through their fused WebAssembly steps), interleaved in
 *    one loop; target <= 1.05 (value: ratio of medians; value_of_minima: ratio of the fastest
 *    runs, steadier on a loaded machine). Rows name the load average (1, 5, 15 min) when the loop started.
 *  - solver_ms_free_model: the same samplers over a model that costs nothing (a fixed eps buffer):
 *    the solver's own time per NFE-10 sampling of batch 64 (median, and min_ms), and vs_ddim.
 *  - overhead_ratio_learned per preset: every preset's sampling time on digits-eps (batch 256,
 *    guidance 1) / (10 x one model call); target <= 1.05. v3 and DC there run with degenerate EMS
 *    and fixed ratios (their cost does not depend on the statistics' values).
 * Models, cached references and statistics live under .data/bench/models (computed once).
 */
const MODEL_DIR = '.data/bench/models';
const OVERHEAD_BATCHES = [16, 64, 256];
const OVERHEAD_NFE = 10;
const SEED = 0;
const SAMPLES = 1024;
const ERROR_BATCH = 256;
const NFES = [4, 5, 6, 8, 10];
const SPACINGS: SpacingName[] = ['logSNR', 'time-quadratic'];
const CALIBRATION_SEED = 1;

const results = new Results('sampler');
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v: number, digits: number) => Number(v.toPrecision(digits));

const opened = await openTestbed('gmm-cifar', { modelDir: MODEL_DIR, log: (line) => console.error(line) });
const dim = opened.info.dim;
const provider = opened.session.provider;
const defaultThreads = process.env.STEPWISE_ORT_THREADS ?? 'onnxruntime default';

/**
 * Interleaved per repeat: 10 single calls, then one sampling run of each variant, so that all see
 * the same machine load. Variants: DPM-Solver++(2M) with float32 state (WebAssembly passes, what
 * the workers run), the same with float64 state (JavaScript passes), and DDIM with float32 state,
 * whose pass (read x and eps, write x) is the least any solver can do between two calls: its
 * ratio is the floor that memory traffic puts under every solver on this model.
 */
async function measureOverhead(o: { testbed: string; denoiser: Denoiser<Float32Array>; noise: NoiseSchedule; dim: number; batch: number; threads: string | number; headline: boolean }) {
  const { denoiser, dim, batch } = o;
  const variants = [
    { key: 'dpmpp-2m' as PresetName, state: 'float32' as const, figure: o.headline ? 'overhead_ratio' : 'overhead_ratio_learned' },
    { key: 'dpmpp-2m' as PresetName, state: 'float64' as const, figure: o.headline ? 'overhead_ratio_float64_state' : 'overhead_ratio_learned_float64_state' },
    { key: 'ddim' as PresetName, state: 'float32' as const, figure: o.headline ? 'overhead_floor_ratio' : 'overhead_floor_ratio_learned' },
  ].map((v) => {
    const schedule = buildPresetSchedule(v.key, OVERHEAD_NFE);
    return { ...v, schedule, plan: planUsf(schedule, o.noise) };
  });
  const timesteps = variants[0].plan.timesteps;
  const xT = initialNoiseBatch(SEED, 0, batch, dim);
  const x32 = Float32Array.from(xT);
  const eps32 = new Float32Array(batch * dim);
  const out = new Float64Array(batch * dim);
  let inModel = 0;
  const timed: Denoiser<Float32Array> = async (x, t, b, into) => {
    const t0 = performance.now();
    const eps = await denoiser(x, t, b, into);
    inModel += performance.now() - t0;
    return eps;
  };
  const runs = variants.map((v) => () => sampleUsf({ model: timed, xT, batch, dim, schedule: v.schedule, plan: v.plan, state: v.state, out }));
  for (let i = 0; i < 3; i++) for (const run of runs) await run(); // warm-up: JIT, onnxruntime arenas, the plans' buffers
  const repeats = batch * dim <= 64 * 3072 ? 41 : 21;
  const calls: number[] = [];
  const wall = variants.map(() => [] as number[]), inside = variants.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < OVERHEAD_NFE; i++) {
      const t0 = performance.now();
      await denoiser(x32, timesteps[i], batch, eps32);
      calls.push(performance.now() - t0);
    }
    for (let k = 0; k < runs.length; k++) {
      inModel = 0;
      const t0 = performance.now();
      await runs[k]();
      wall[k].push(performance.now() - t0);
      inside[k].push(inModel);
    }
  }
  const call = median(calls);
  const base = { testbed: o.testbed, batch, provider, threads: o.threads, model_call_ms: round(call, 4) };
  variants.forEach((v, k) => {
    const sampling = median(wall[k]), inModelMs = median(inside[k]);
    results.add({
      figure: v.figure, ...base, solver: `${v.key} NFE ${OVERHEAD_NFE}`, state: v.state,
      value: round(sampling / (OVERHEAD_NFE * call), 4), ...(k === 0 && o.headline ? { target: '<= 1.10' } : {}),
      sampling_ms: round(sampling, 4), model_ms_inside_sampling: round(inModelMs, 4), solver_ms: round(sampling - inModelMs, 4),
      repeats,
    });
    if (k === 0) results.add({ figure: o.headline ? 'samples_per_s' : 'samples_per_s_learned', ...base, solver: `${v.key} NFE ${OVERHEAD_NFE}`, state: v.state, value: round((1000 * batch) / sampling, 4) });
  });
}

type Sampler = { key: string; run: (out: Float64Array) => Promise<unknown> };

/** USF presets plus the v3 and DC paths as samplers of one batch, all with float32 state (what the workers run). */
function samplers(o: { denoiser: Denoiser<Float32Array>; noise: NoiseSchedule; dim: number; batch: number; presets: readonly PresetName[]; ems: EmpiricalModelStatistics; dcRatios: number[] }): Sampler[] {
  const xT = initialNoiseBatch(SEED, 0, o.batch, o.dim);
  const list: Sampler[] = o.presets.map((key) => {
    const schedule = buildPresetSchedule(key, OVERHEAD_NFE, { noiseSchedule: o.noise.name });
    const plan = planUsf(schedule, o.noise);
    return { key, run: (out) => sampleUsf({ model: o.denoiser, xT, batch: o.batch, dim: o.dim, schedule, plan, state: 'float32', out }) };
  });
  const v3 = planDpmSolverV3(o.ems, { nfe: OVERHEAD_NFE }, o.noise);
  list.push({ key: 'dpm-solver-v3', run: (out) => sampleDpmSolverV3({ model: o.denoiser, xT, batch: o.batch, dim: o.dim, plan: v3, out, state: 'float32' }) });
  list.push({ key: 'dc-solver', run: (out) => sampleDcSolver({ model: o.denoiser, xT, batch: o.batch, dim: o.dim, noise: o.noise, nfe: OVERHEAD_NFE, ratios: o.dcRatios, state: 'float32', out }) });
  return list;
}

/**
 * Median (and minimum) wall time of each sampler, interleaved per repeat (plus 10 single model
 * calls when asked). Other processes on a shared machine only ever add time, so the minimum is
 * the steadier figure under load; both are reported.
 */
async function timeInterleaved(list: Sampler[], size: number, repeats: number, call?: () => Promise<unknown>): Promise<{ wall: number[]; call: number; wallMin: number[]; callMin: number }> {
  const out = new Float64Array(size);
  for (let i = 0; i < 2; i++) for (const s of list) await s.run(out);
  const wall = list.map(() => [] as number[]), calls: number[] = [];
  for (let r = 0; r < repeats; r++) {
    if (call) for (let i = 0; i < OVERHEAD_NFE; i++) { const t0 = performance.now(); await call(); calls.push(performance.now() - t0); }
    // Rotated start, so that no sampler always runs first after the model calls (or after another).
    for (let q = 0; q < list.length; q++) {
      const k = (q + r) % list.length;
      const t0 = performance.now();
      await list[k].run(out);
      wall[k].push(performance.now() - t0);
    }
  }
  return { wall: wall.map(median), call: calls.length ? median(calls) : NaN, wallMin: wall.map((w) => Math.min(...w)), callMin: calls.length ? Math.min(...calls) : NaN };
}


try {
  const cache = new ReferenceCache({ modelDir: MODEL_DIR });
  const stats = new SolverStatisticsCache({ modelDir: MODEL_DIR, references: cache });
  const statModel = opened.reference as StatisticsModel;
  const statStart = performance.now();
  const ems = await stats.ems(statModel, { seed: CALIBRATION_SEED, steps: 120, samples: 256 });
  results.add({ figure: 'ems', testbed: 'gmm-cifar', seed: CALIBRATION_SEED, samples: ems.samples, grid: ems.steps, computed: stats.computed > 0, seconds: round((performance.now() - statStart) / 1000, 3) });
  const dcFor = async (nfe: number, spacing: SpacingName) => stats.dcRatios(statModel, { nfe, spacing, seed: CALIBRATION_SEED, samples: 10 });

  // ---- solver overhead next to the model -------------------------------------------------------
  // Both with the workers' default session (STEPWISE_ORT_THREADS, else one thread per core) and
  // with one intra-op thread, which on a small shared machine is often the faster of the two.
  for (const threads of [undefined, 1]) {
    const model = threads === undefined ? opened : await openTestbed('gmm-cifar', { modelDir: MODEL_DIR, threads, log: (line) => console.error(line) });
    for (const batch of OVERHEAD_BATCHES) {
      await measureOverhead({ testbed: 'gmm-cifar', denoiser: model.denoiser, noise: opened.noise, dim, batch, threads: threads ?? defaultThreads, headline: true });
    }
  }
  // ---- distance from the floor: every solver / DDIM, same NFE, batch and machine load -----------
  {
    const batch = 64;
    const list = samplers({ denoiser: opened.denoiser, noise: opened.noise, dim, batch, presets: ['ddim', 'dpmpp-2m', 'unipc-bh2'], ems, dcRatios: await dcFor(OVERHEAD_NFE, 'logSNR') });
    const load = os.loadavg().map((v) => round(v, 3));
    const { wall, wallMin } = await timeInterleaved(list, batch * dim, 21);
    list.forEach((s, k) => {
      if (k === 0) return;
      results.add({
        figure: 'overhead_vs_floor', testbed: 'gmm-cifar', batch, provider, threads: defaultThreads, solver: `${s.key} NFE ${OVERHEAD_NFE}`,
        state: 'float32', value: round(wall[k] / wall[0], 4), target: '<= 1.05', sampling_ms: round(wall[k], 4), ddim_sampling_ms: round(wall[0], 4),
        value_of_minima: round(wallMin[k] / wallMin[0], 4), repeats: 21, load_average: load,
      });
    });
  }
  // The solvers' own cost, without the model: the same samplers over a free model (it hands back
  // one fixed eps buffer), so that the figure does not move with onnxruntime's threads on a shared
  // machine. solver_ms_free_model per NFE-10 sampling of batch 64, and its ratio to DDIM's.
  {
    const batch = 64;
    const eps = Float32Array.from({ length: batch * dim }, (_, i) => Math.sin(i));
    const free: Denoiser<Float32Array> = (_x, _t, _b, out) => {
      if (!out) return eps;
      out.set(eps);
      return out;
    };
    const list = samplers({ denoiser: free, noise: opened.noise, dim, batch, presets: ['ddim', 'dpmpp-2m', 'unipc-bh2'], ems, dcRatios: await dcFor(OVERHEAD_NFE, 'logSNR') });
    const load = os.loadavg().map((v) => round(v, 3));
    const { wall, wallMin } = await timeInterleaved(list, batch * dim, 41);
    list.forEach((s, k) => results.add({
      figure: 'solver_ms_free_model', testbed: 'gmm-cifar', batch, solver: `${s.key} NFE ${OVERHEAD_NFE}`, state: 'float32',
      value: round(wall[k], 4), min_ms: round(wallMin[k], 4), vs_ddim: round(wall[k] / wall[0], 4), repeats: 41, load_average: load,
    }));
  }
  // The same measurement on a learned network (the digits noise predictor, classifier-free
  // guidance 1: one doubled-batch call per step): what the solver costs beside a model whose
  // call is not a single memory-bound matmul; then every preset's overhead_ratio there.
  {
    const rel = await ensureLearnedModel('digits-eps', MODEL_DIR);
    const digits = await openModelFile(rel, { modelDir: MODEL_DIR, log: (line) => console.error(line) });
    const batch = 256;
    const { denoiser } = conditionalDenoiser(digits, { guidance: 1 }, 0, batch);
    await measureOverhead({ testbed: 'digits-eps (guidance 1)', denoiser, noise: digits.noise, dim: digits.info.dim, batch, threads: defaultThreads, headline: false });
    const dDim = digits.info.dim;
    // Timing only: v3 and DC cost the same whatever their statistics, so neutral ones stand in.
    const list = samplers({
      denoiser, noise: digits.noise, dim: dDim, batch, presets: PRESET_NAMES, ems: degenerateEms(digits.noise, dDim, { steps: 120 }),
      dcRatios: Array.from({ length: OVERHEAD_NFE }, (_, i) => (i < 2 ? 1 : 0.95)),
    });
    const x32 = Float32Array.from(initialNoiseBatch(SEED, 0, batch, dDim)), eps32 = new Float32Array(batch * dDim);
    const load = os.loadavg().map((v) => round(v, 3));
    const { wall, call, wallMin, callMin } = await timeInterleaved(list, batch * dDim, 11, () => Promise.resolve(denoiser(x32, 0.5, batch, eps32)));
    list.forEach((s, k) => results.add({
      figure: 'overhead_ratio_learned', testbed: 'digits-eps (guidance 1)', batch, provider, threads: defaultThreads, solver: `${s.key} NFE ${OVERHEAD_NFE}`,
      state: 'float32', value: round(wall[k] / (OVERHEAD_NFE * call), 4), target: '<= 1.05',
      sampling_ms: round(wall[k], 4), model_call_ms: round(call, 4), value_of_minima: round(wallMin[k] / (OVERHEAD_NFE * callMin), 4), repeats: 11, load_average: load,
    }));
  }

  // ---- trajectory RMSE to the reference --------------------------------------------------------
  const refStart = performance.now();
  const computedBefore = cache.computed;
  const reference = await cache.get(opened.reference, { seed: SEED, start: 0, end: SAMPLES });
  results.add({
    figure: 'reference', testbed: 'gmm-cifar', seed: SEED, samples: SAMPLES,
    solver: `${DEFAULT_REFERENCE_SOLVER.preset} NFE ${DEFAULT_REFERENCE_SOLVER.nfe}`,
    computed: cache.computed > computedBefore, seconds: round((performance.now() - refStart) / 1000, 3),
  });

  const batches: Float64Array[] = [];
  for (let s = 0; s < SAMPLES; s += ERROR_BATCH) batches.push(initialNoiseBatch(SEED, s, Math.min(SAMPLES, s + ERROR_BATCH), dim));
  const x0 = new Float64Array(ERROR_BATCH * dim);
  type Cell = { mean: number; stderr: number } | null;
  const table: Array<{ preset: string; spacing: SpacingName; cells: Cell[] }> = [];
  /** Mean per-sample RMSE over the SAMPLES rows, each batch sampled by `run` into `out`. */
  const cell = async (run: (xT: Float64Array, rows: number, out: Float64Array) => Promise<unknown>): Promise<Cell> => {
    let sum = 0, sumSq = 0;
    for (let b = 0; b < batches.length; b++) {
      const rows = batches[b].length / dim;
      const out = x0.subarray(0, rows * dim);
      await run(batches[b], rows, out);
      const refOff = b * ERROR_BATCH * dim;
      for (let r = 0; r < rows; r++) {
        let se = 0;
        for (let d = r * dim; d < (r + 1) * dim; d++) {
          const diff = out[d] - reference[refOff + d];
          se += diff * diff;
        }
        const rmse = Math.sqrt(se / dim);
        sum += rmse;
        sumSq += rmse * rmse;
      }
    }
    const mean = sum / SAMPLES;
    const variance = Math.max(0, (sumSq - SAMPLES * mean * mean) / (SAMPLES - 1));
    return { mean: round(mean, 4), stderr: round(Math.sqrt(variance / SAMPLES), 2) };
  };
  const addRow = (preset: string, spacing: SpacingName, cells: Cell[], extra: Record<string, unknown> = {}) => {
    table.push({ preset, spacing, cells });
    results.add({ figure: 'rmse', testbed: 'gmm-cifar', preset, spacing, seed: SEED, samples: SAMPLES, ...extra, rmse: Object.fromEntries(NFES.map((nfe, i) => [`nfe${nfe}`, cells[i]])) });
  };

  for (const preset of PRESET_NAMES) {
    for (const spacing of SPACINGS) {
      const cells: Cell[] = [];
      for (const nfe of NFES) {
        let sched;
        try {
          sched = buildPresetSchedule(preset, nfe, { spacing, noiseSchedule: opened.info.schedule });
        } catch {
          cells.push(null); // e.g. a singlestep method whose minimum NFE is above this one
          continue;
        }
        const p = planUsf(sched, opened.noise);
        cells.push(await cell((xT, rows, out) => sampleUsf({ model: opened.denoiser, xT, batch: rows, dim, schedule: sched, plan: p, out })));
      }
      addRow(preset, spacing, cells);
    }
  }
  // The statistics-based solvers (own paths, float64 state like the USF rows above).
  for (const spacing of SPACINGS) {
    const cells: Cell[] = [];
    for (const nfe of NFES) {
      const plan = planDpmSolverV3(ems, { nfe, spacing }, opened.noise);
      cells.push(await cell((xT, rows, out) => sampleDpmSolverV3({ model: opened.denoiser, xT, batch: rows, dim, plan, out })));
    }
    addRow('dpm-solver-v3', spacing, cells, { ems: { seed: CALIBRATION_SEED, samples: ems.samples, grid: ems.steps } });
  }
  for (const spacing of SPACINGS) {
    const fitted = new Map<number, number[]>();
    for (const nfe of NFES) fitted.set(nfe, await dcFor(nfe, spacing));
    const dcCells: Cell[] = [], cprCells: Cell[] = [];
    const sampleWith = (nfe: number, ratios: number[]) => cell(async (xT, rows, out) => {
      const r = await sampleDcSolver({ model: opened.denoiser, xT, batch: rows, dim, noise: opened.noise, nfe, spacing, ratios });
      out.set(r.x0);
    });
    for (const nfe of NFES) {
      dcCells.push(await sampleWith(nfe, fitted.get(nfe)!));
      const cpr = fitCascadeRegression(NFES.filter((n) => n !== nfe).map((n) => ({ nfe: n, ratios: fitted.get(n)! })));
      cprCells.push(await sampleWith(nfe, predictDcRatios(cpr, nfe)));
    }
    addRow('dc-solver', spacing, dcCells, { ratios: Object.fromEntries(NFES.map((n) => [`nfe${n}`, fitted.get(n)!.map((v) => round(v, 4))])), calibration: { seed: CALIBRATION_SEED, samples: 10 } });
    addRow('dc-solver-cpr', spacing, cprCells, { note: 'ratios predicted by CPR fitted on the other NFEs of the table' });
  }
  results.save({ testbed: 'gmm-cifar', provider, reference: DEFAULT_REFERENCE_SOLVER });

  // ---- the error table as markdown (for the README) --------------------------------------------
  const fmt = (c: Cell) => (c === null ? '—' : `${c.mean.toExponential(2)} ± ${c.stderr.toExponential(1)}`);
  const lines = [
    `Trajectory RMSE to the ${DEFAULT_REFERENCE_SOLVER.preset} NFE-${DEFAULT_REFERENCE_SOLVER.nfe} reference on gmm-cifar ` +
      `(mean per-sample RMSE ± standard error, ${SAMPLES} samples of seed ${SEED}; — = not available at that NFE)`,
    '',
    `| preset | spacing | ${NFES.map((n) => `NFE ${n}`).join(' | ')} |`,
    `|---|---|${NFES.map(() => '---:').join('|')}|`,
    ...table.map((row) => `| ${row.preset} | ${row.spacing} | ${row.cells.map(fmt).join(' | ')} |`),
  ];
  console.log(`\n${lines.join('\n')}\n`);
} finally {
  await releaseSessions();
}
