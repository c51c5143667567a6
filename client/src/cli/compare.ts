import { formatNumber } from './format';

/** `stepwise compare`: the paired interval of two trials' difference, as the terminal prints it. */

export interface ComparisonView {
  metric: string;
  direction: 'minimize' | 'maximize';
  confidence: number;
  unit: 'sample' | 'set';
  n: number;
  a: { number: number; mean: number; unmatched: number };
  b: { number: number; mean: number; unmatched: number };
  paired: { mean: number; ciLow: number; ciHigh: number; halfWidth: number; correlation: number | null; varianceRatio: number | null };
  unpaired: { mean: number; ciLow: number; ciHigh: number; halfWidth: number };
}

const signed = (v: number, digits = 4) => `${v > 0 ? '+' : ''}${formatNumber(v, digits)}`;
const interval = (lo: number, hi: number) => `[${formatNumber(lo, 4)}, ${formatNumber(hi, 4)}]`;

export function formatComparison(c: ComparisonView): string {
  const pct = `${Math.round(c.confidence * 1000) / 10}%`;
  const units = `${c.n} common ${c.unit === 'set' ? 'sets' : 'samples'}`;
  const lines = [
    `trial #${c.a.number} - trial #${c.b.number}, ${c.metric} (${c.direction}), on ${units}:`,
    `  #${c.a.number} mean ${formatNumber(c.a.mean)}   #${c.b.number} mean ${formatNumber(c.b.mean)}`,
    `  paired    ${signed(c.paired.mean)}  ${pct} CI ${interval(c.paired.ciLow, c.paired.ciHigh)}  ± ${formatNumber(c.paired.halfWidth, 3)}`,
    `  unpaired  ${signed(c.unpaired.mean)}  ${pct} CI ${interval(c.unpaired.ciLow, c.unpaired.ciHigh)}  ± ${formatNumber(c.unpaired.halfWidth, 3)}`,
  ];
  const extra: string[] = [];
  if (c.paired.correlation !== null) extra.push(`correlation ${formatNumber(c.paired.correlation, 3)}`);
  if (c.paired.varianceRatio !== null) extra.push(`common random numbers save ${formatNumber(c.paired.varianceRatio, 3)}x the samples`);
  if (extra.length) lines.push(`  ${extra.join('; ')}`);
  const better = c.direction === 'minimize' ? c.paired.ciHigh < 0 : c.paired.ciLow > 0;
  const worse = c.direction === 'minimize' ? c.paired.ciLow > 0 : c.paired.ciHigh < 0;
  lines.push(`  verdict: ${better ? `#${c.a.number} is better` : worse ? `#${c.b.number} is better` : 'not distinguishable'} (paired interval ${better || worse ? 'excludes' : 'contains'} 0)`);
  if (c.a.unmatched || c.b.unmatched) lines.push(`  left out: ${c.a.unmatched} of #${c.a.number}'s and ${c.b.unmatched} of #${c.b.number}'s values have no partner`);
  return `${lines.join('\n')}\n`;
}
