import { alignBySeed, comparePaired, sampleVariance, statsOf, studentTQuantile, type SeedValue } from '@stepwise/core';
import { getStudyRow, trialBlocks, type TrialBlockRecord } from '@stepwise/db';
import { NotFoundError, ValidationError } from './service-types';
import type { ServiceDeps } from './context';
import { studyConfidence } from './get-trial-blocks';

/**
 * The paired comparison of two trials of a study (issue #11, item 5). Sampler trials record each
 * seed's value (each set's, for set metrics such as fd_features) with their blocks; under common
 * random numbers trial A's sample i and trial B's sample i start from the same x_T, so the
 * interval of mean(A - B) over the samples both evaluated is much narrower than one built from
 * the two trials' own intervals. The unpaired (Welch) interval over the same samples is returned
 * beside it, so the gain is visible.
 */

export interface CompareTrialsInput {
  studyId: string;
  /** Trial numbers within the study. */
  a: number;
  b: number;
  /** Default: the study's estimation.confidence (else 0.95). */
  confidence?: number;
}

export interface ComparedTrial {
  number: number;
  /** Mean over the common samples (or sets). */
  mean: number;
  /** Samples (sets) with a recorded value that the other trial lacks: left out of the comparison. */
  unmatched: number;
}

export interface ComparisonInterval {
  mean: number;
  stderr: number;
  ciLow: number;
  ciHigh: number;
  halfWidth: number;
}

export interface TrialComparison {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  confidence: number;
  /** What one pair is: a sample, or a whole set of estimation.blockSize samples (set metrics). */
  unit: 'sample' | 'set';
  /** Common samples (sets): the pairs the interval is built from. */
  n: number;
  a: ComparedTrial;
  b: ComparedTrial;
  /** Paired t-interval of mean(A - B). */
  paired: ComparisonInterval & { correlation: number | null; varianceRatio: number | null };
  /** Welch interval of the same difference treating A and B as independent samples. */
  unpaired: ComparisonInterval;
}

/** Sample indices stay below 2^21 (the per-study sample caps); seeds below 2^31: the key is exact in a double. */
const INDEX_SPAN = 2 ** 21;

/** The initial noise a value came from, as one number: (seed stream, first sample index). */
export const pairKey = (seed: number, index: number) => seed * INDEX_SPAN + index;
const keyIndex = (key: number) => key % INDEX_SPAN;

/**
 * Per-sample values of a trial keyed by the initial noise they came from: the block's seed stream
 * (recorded in its stats by the compute worker; `studySeed` for blocks recorded before) and the
 * first sample index of each value: the sample for per-sample metrics, the first sample of each
 * set for set metrics (a block of k sets spans k equal stretches of its sample range). Blocks
 * recorded without values contribute nothing.
 */
export function seedValues(blocks: readonly TrialBlockRecord[], studySeed: number): { values: SeedValue[]; blocksWithout: number; stride: number | null } {
  const values: SeedValue[] = [];
  let blocksWithout = 0;
  let stride: number | null = null;
  for (const b of blocks) {
    if (!b.values || b.values.length === 0) {
      blocksWithout++;
      continue;
    }
    const recorded = (b.stats as { seed?: unknown } | null)?.seed;
    const seed = typeof recorded === 'number' && Number.isSafeInteger(recorded) ? recorded : studySeed;
    const step = (b.seedEnd - b.seedStart) / b.values.length;
    stride ??= step;
    b.values.forEach((value, k) => values.push({ seed: pairKey(seed, b.seedStart + k * step), value }));
  }
  return { values, blocksWithout, stride };
}

function welch(x: number[], y: number[], confidence: number): ComparisonInterval {
  const sx = statsOf(x), sy = statsOf(y);
  const vx = sampleVariance(sx) / sx.n, vy = sampleVariance(sy) / sy.n;
  const stderr = Math.sqrt(vx + vy);
  const df = (vx + vy) ** 2 / (vx ** 2 / (sx.n - 1) + vy ** 2 / (sy.n - 1));
  const q = Number.isFinite(df) && df > 0 ? studentTQuantile(0.5 + confidence / 2, df) : Number.NaN;
  const mean = sx.mean - sy.mean;
  const halfWidth = q * stderr;
  return { mean, stderr, ciLow: mean - halfWidth, ciHigh: mean + halfWidth, halfWidth };
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

export function compareTrials({ db }: ServiceDeps) {
  return async (input: CompareTrialsInput): Promise<TrialComparison> => {
    const study = await getStudyRow(db, input.studyId);
    if (!study) throw new NotFoundError('study', input.studyId);
    const issues: Array<{ field: string; message: string }> = [];
    for (const key of ['a', 'b'] as const) {
      if (!Number.isSafeInteger(input[key]) || input[key] < 0) issues.push({ field: key, message: `a trial number (0, 1, 2, ...), got ${input[key]}` });
    }
    if (issues.length === 0 && input.a === input.b) issues.push({ field: 'b', message: `compare trial #${input.a} with another trial, not with itself` });
    const confidence = input.confidence ?? studyConfidence(study.config);
    if (!(confidence > 0.5 && confidence < 1)) issues.push({ field: 'confidence', message: `a level between 0.5 and 1 such as 0.95, got ${confidence}` });
    if (issues.length) throw new ValidationError(issues);

    const found = await db.trial.findMany({ where: { studyId: study.id, number: { in: [input.a, input.b] } }, select: { number: true } });
    for (const key of ['a', 'b'] as const) {
      if (!found.some((t) => t.number === input[key])) throw new NotFoundError('trial', `#${input[key]}`, `study ${study.id} has no trial with that number`);
    }
    const [ba, bb] = await Promise.all([trialBlocks(db, study.id, input.a), trialBlocks(db, study.id, input.b)]);
    const configSeed = (study.config as { seed?: unknown } | null)?.seed;
    const studySeed = typeof configSeed === 'number' ? configSeed : 0;
    const xa = seedValues(ba, studySeed), xb = seedValues(bb, studySeed);
    for (const [key, x, blocks] of [['a', xa, ba], ['b', xb, bb]] as const) {
      if (x.values.length === 0) {
        const why = blocks.length === 0
          ? 'it has no recorded seed blocks (not evaluated yet, failed, or not a sampler trial)'
          : `none of its ${blocks.length} seed block${blocks.length === 1 ? '' : 's'} kept per-seed values (recorded before they were stored)`;
        throw new ValidationError([{ field: key, message: `trial #${input[key]} has no per-seed values to pair: ${why}` }]);
      }
    }
    if (xa.stride !== null && xb.stride !== null && xa.stride !== xb.stride) {
      throw new ValidationError([{ field: 'b', message: `trial #${input.a} has one value per ${xa.stride} samples and #${input.b} one per ${xb.stride}: their values cannot be paired` }]);
    }
    const aligned = alignBySeed(xa.values, xb.values);
    if (aligned.seeds.length < 2) {
      const seedOf = (v: SeedValue[]) => Math.floor(v[0].seed / INDEX_SPAN);
      const range = (v: SeedValue[]) => `seed ${seedOf(v)} samples ${keyIndex(v[0].seed)}..${keyIndex(v[v.length - 1].seed)}`;
      throw new ValidationError([{
        field: 'b',
        message: `trials #${input.a} and #${input.b} share ${aligned.seeds.length === 0 ? 'no' : 'only one'} seed (${range(xa.values)} vs ${range(xb.values)}); a paired interval needs at least two samples both evaluated from the same initial noise`,
      }]);
    }
    const p = comparePaired(aligned.x, aligned.y, confidence);
    const unit = xa.stride !== null && xa.stride > 1 ? 'set' : 'sample';
    const objective = (study.config as { objective?: { metric?: unknown; direction?: unknown } } | null)?.objective;
    return {
      studyId: study.id,
      metric: typeof objective?.metric === 'string' ? objective.metric : 'value',
      direction: objective?.direction === 'maximize' ? 'maximize' : 'minimize',
      confidence,
      unit,
      n: aligned.seeds.length,
      a: { number: input.a, mean: p.meanX, unmatched: aligned.unmatchedX },
      b: { number: input.b, mean: p.meanY, unmatched: aligned.unmatchedY },
      paired: {
        mean: p.mean, stderr: p.stderr, ciLow: p.ciLow, ciHigh: p.ciHigh, halfWidth: p.halfWidth,
        correlation: finiteOrNull(p.correlation), varianceRatio: finiteOrNull(p.varianceRatio),
      },
      unpaired: welch(aligned.x, aligned.y, confidence),
    };
  };
}
