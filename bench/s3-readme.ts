import { readFileSync } from 'node:fs';

/**
 * Prints the README's S^3 table from bench/results/s3.json (`npx tsx bench/s3-readme.ts`), so every
 * figure in that section comes from the bench JSON it names.
 */
interface Line {
  model: string; metric: string; nfe: number; evaluations: number; holdout_seeds: number; wall_s: number;
  baseline: { name: string; holdout: number; interval: [number, number]; compared: number; rmse_pooled?: number; wrong_component_share?: number };
  searched: { holdout: number; interval: [number, number]; rmse_pooled?: number; wrong_component_share?: number };
  improvement: { relative: number; interval: [number, number] };
  pooled_improvement?: number;
  predictor_off: { improvement_vs_baseline: { relative: number; interval: [number, number] }; predictor_gain: { relative: number; interval: [number, number] } } | null;
  predictor_rank_corr: { spearman: number } | null;
}
const { figures } = JSON.parse(readFileSync('bench/results/s3.json', 'utf8')) as { figures: Line[] };
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ci = (i: [number, number]) => `[${pct(i[0])}, ${pct(i[1])}]`;
const num = (x: number) => (Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
console.log('| model | NFE | best tuned baseline (of N) | baseline | searched | improvement (95% CI) | pooled RMSE improvement | wrong component (baseline → searched) | predictor off: improvement | predictor gain over off (95% CI) | ρ |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  const wc = f.baseline.wrong_component_share != null && f.searched.wrong_component_share != null ? `${pct(f.baseline.wrong_component_share)} → ${pct(f.searched.wrong_component_share)}` : '—';
  const off = f.predictor_off;
  console.log(`| ${f.model} (${f.metric}) | ${f.nfe} | ${f.baseline.name} (${f.baseline.compared}) | ${num(f.baseline.holdout)} | ${num(f.searched.holdout)} | **${pct(f.improvement.relative)}** ${ci(f.improvement.interval)} | ${f.pooled_improvement != null ? pct(f.pooled_improvement) : '—'} | ${wc} | ${off ? pct(off.improvement_vs_baseline.relative) : '—'} | ${off ? `${pct(off.predictor_gain.relative)} ${ci(off.predictor_gain.interval)}` : '—'} | ${f.predictor_rank_corr ? f.predictor_rank_corr.spearman.toFixed(2) : '—'} |`);
}
const walls = [...new Map(figures.map((f) => [f.model, f.wall_s])).entries()].map(([m, w]) => `${m} ${Math.round(w / 60)} min`).join(', ');
console.log(`\nWall time: ${walls}; ${figures[0]?.evaluations ?? 0} search evaluations per NFE group and arm, ${figures[0]?.holdout_seeds ?? 0} holdout seeds.`);
