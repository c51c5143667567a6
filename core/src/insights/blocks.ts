import type { BlockStatsInput } from '../contracts/insights';
import { tInterval } from '../estimation/intervals';
import { assertRunningStats, mergeStats, type RunningStats } from '../estimation/running-stats';

export interface BlockSeriesPoint {
  blockIndex: number;
  seedStart: number;
  seedEnd: number;
  /** Samples and mean of this block alone. */
  blockN: number;
  blockMean: number;
  /** The merged estimate after this block. */
  n: number;
  mean: number;
  /** Null below two samples. */
  stderr: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  halfWidth: number | null;
  createdAt: Date | null;
}

/**
 * The running estimate after each block, blocks taken in index order: statistics merged with
 * mergeStats (exact, order-independent), a Student-t interval at `confidence`. A block whose
 * stats are malformed is skipped rather than poisoning every later point.
 */
export function mergeBlockSequence(blocks: readonly BlockStatsInput[], confidence = 0.95): BlockSeriesPoint[] {
  const sorted = [...blocks].sort((a, b) => a.blockIndex - b.blockIndex);
  const out: BlockSeriesPoint[] = [];
  let acc: RunningStats = { n: 0, mean: 0, m2: 0 };
  for (const b of sorted) {
    try {
      assertRunningStats(b.stats);
    } catch {
      continue;
    }
    const s = b.stats as RunningStats;
    acc = mergeStats(acc, s);
    let stderr: number | null = null, ciLow: number | null = null, ciHigh: number | null = null, halfWidth: number | null = null;
    if (acc.n >= 2) {
      const est = tInterval(acc, confidence);
      ({ stderr, ciLow, ciHigh, halfWidth } = est);
    }
    out.push({
      blockIndex: b.blockIndex,
      seedStart: b.seedStart,
      seedEnd: b.seedEnd,
      blockN: s.n,
      blockMean: s.mean,
      n: acc.n,
      mean: acc.mean,
      stderr,
      ciLow,
      ciHigh,
      halfWidth,
      createdAt: b.createdAt ?? null,
    });
  }
  return out;
}
