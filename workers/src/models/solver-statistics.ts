import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DC_RATIO_RANGE,
  computeEms,
  emsFromJson,
  emsToJson,
  fitDcRatios,
  getNoiseSchedule,
  type Denoiser,
  type EmpiricalModelStatistics,
  type SpacingName,
} from '@stepwise/core';
import { writeFileAtomic } from './atomic-file';
import { initialNoiseBatch, type ReferenceCache, type ReferenceModel } from './reference';

/**
 * Model statistics the DPM-Solver-v3 and DC-Solver paths need, computed from the model on the
 * compute worker and cached per model checksum like reference solutions:
 *   <modelDir>/stats/<sha>/ems-<steps>-<samples>-<seed>.json      EMS (ems.ts)
 *   <modelDir>/stats/<sha>/dc-<spacing>-nfe<N>-<samples>-<seed>-r<lo>-<hi>.json  DC ratios per (model, NFE)
 * EMS calibration data are the model's own samples: the reference endpoints (ReferenceCache) of
 * `seed`, so they follow the model, not a data set the worker does not have. DC ratios are fitted
 * on the initial noise of `seed` rows 0..samples-1 against a fine reference trajectory. Files are
 * written atomically; a file that does not parse is recomputed. Use a calibration seed the
 * evaluation does not use, or the statistics have seen the evaluation's samples.
 *
 * What else the statistics depend on is in the file name: an end time other than the schedule's
 * default (`-t<tEnd>`), and for a class-conditional model the guidance scale and label the
 * denoiser was built with (`variant`, e.g. `g1-lall`: the model is then another model). A
 * model's reference endpoints for a variant are cached under its own key (`<sha>-<variant>`).
 */

export interface StatisticsModel extends ReferenceModel {
  denoiser: Denoiser<Float32Array> | Denoiser<Float64Array>;
}

/** File-name suffix for what the statistics depend on besides the model file (none for the defaults). */
function suffix(model: ReferenceModel, o: { tEnd?: number; variant?: string }): string {
  const t = o.tEnd !== undefined && o.tEnd !== getNoiseSchedule(model.schedule).tMinDefault ? `-t${o.tEnd}` : '';
  return `${t}${o.variant ? `-${o.variant}` : ''}`;
}

export class SolverStatisticsCache {
  /** Computations actually run (not read from disk). */
  computed = 0;
  constructor(private readonly options: { modelDir: string; references: ReferenceCache }) {}

  /** Computations under way, so that concurrent blocks of one worker share one (EMS take minutes). */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  private cached<T>(model: ReferenceModel, name: string, parse: (doc: unknown) => T, compute: () => Promise<{ value: T; json: unknown }>): Promise<T> {
    const file = path.join(this.options.modelDir, 'stats', model.sha256, name);
    let p = this.inFlight.get(file) as Promise<T> | undefined;
    if (!p) {
      p = this.load(file, parse, compute).finally(() => this.inFlight.delete(file));
      this.inFlight.set(file, p);
    }
    return p;
  }

  private async load<T>(file: string, parse: (doc: unknown) => T, compute: () => Promise<{ value: T; json: unknown }>): Promise<T> {
    try {
      return parse(JSON.parse(await fs.readFile(file, 'utf8')));
    } catch {
      // missing or unreadable: compute below
    }
    const { value, json } = await compute();
    this.computed++;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(json)));
    return value;
  }

  async ems(model: StatisticsModel, o: { steps?: number; samples?: number; seed: number; tEnd?: number; variant?: string }): Promise<EmpiricalModelStatistics> {
    const steps = o.steps ?? 120, samples = o.samples ?? 256;
    return this.cached(model, `ems-${steps}-${samples}-${o.seed}${suffix(model, o)}.json`, emsFromJson, async () => {
      const refModel = o.variant ? { ...model, sha256: `${model.sha256}-${o.variant}` } : model;
      const data = Float64Array.from(await this.options.references.get(refModel, { seed: o.seed, start: 0, end: samples, tEnd: o.tEnd }));
      const noise = getNoiseSchedule(model.schedule);
      const common = { noise, data, dim: model.dim, steps, seed: o.seed, batch: model.maxBatch, tEnd: o.tEnd };
      const value = model.modelInput === 'float64'
        ? await computeEms({ ...common, model: model.denoiser as Denoiser<Float64Array>, modelInput: 'float64' })
        : await computeEms({ ...common, model: model.denoiser as Denoiser<Float32Array> });
      // Eight significant digits keep the file a third of full precision and far below the statistics' own noise.
      const json = emsToJson(value);
      for (const k of ['l', 's', 'b'] as const) json[k] = json[k].map((v) => Number(v.toPrecision(8)));
      return { value, json };
    });
  }

  async dcRatios(model: StatisticsModel, o: { nfe: number; spacing?: SpacingName; rho?: number; samples?: number; seed: number; tEnd?: number; variant?: string }): Promise<number[]> {
    const spacing = o.spacing ?? 'logSNR', samples = o.samples ?? 10;
    const parse = (doc: unknown) => {
      const r = (doc as { ratios?: unknown }).ratios;
      if (!Array.isArray(r) || r.length !== o.nfe || r.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new RangeError('bad ratios file');
      return r as number[];
    };
    const [lo, hi] = DC_RATIO_RANGE;
    const rho = spacing === 'karras' && o.rho !== undefined ? `-rho${o.rho}` : '';
    return this.cached(model, `dc-${spacing}${rho}-nfe${o.nfe}-${samples}-${o.seed}-r${lo}-${hi}${suffix(model, o)}.json`, parse, async () => {
      const noise = getNoiseSchedule(model.schedule);
      const xT = initialNoiseBatch(o.seed, 0, samples, model.dim);
      const common = { xT, batch: samples, dim: model.dim, noise, nfe: o.nfe, spacing, rho: o.rho, tEnd: o.tEnd };
      const fit = model.modelInput === 'float64'
        ? await fitDcRatios({ ...common, model: model.denoiser as Denoiser<Float64Array>, modelInput: 'float64' })
        : await fitDcRatios({ ...common, model: model.denoiser as Denoiser<Float32Array> });
      return { value: fit.ratios, json: { nfe: o.nfe, spacing, samples, seed: o.seed, ratios: fit.ratios, loss: fit.loss } };
    });
  }
}
