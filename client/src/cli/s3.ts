import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepwiseClient, StepwiseOutputs } from '../index';
import { formatNumber } from './format';

type S3View = StepwiseOutputs['studies']['s3'];
type Stage = S3View['stages'][number];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** "stage 3 · NFE 4: best 0.01234 (trial #812, 144 evaluations) · predictor ρ 0.83 (n=430)" for each stage record not yet printed. */
export function newStageLines(view: S3View, printed: Set<string>): string[] {
  const lines: string[] = [];
  for (const s of view.stages) {
    const key = `${s.stage}:${s.nfe}:${s.arm ?? ''}`;
    if (printed.has(key)) continue;
    printed.add(key);
    lines.push(stageLine(s, view));
  }
  return lines;
}

function stageLine(s: Stage, view: S3View): string {
  if (s.stage < 0) {
    const g = view.groups.find((x) => x.nfe === s.nfe);
    return `baselines · NFE ${s.nfe}: best tuned baseline ${s.best === null ? '—' : formatNumber(s.best)}${g?.baselines.best?.label ? ` (${g.baselines.best.label})` : ''} of ${g?.baselines.total ?? '?'}`;
  }
  const base = view.stages.find((x) => x.nfe === s.nfe && x.stage === -1)?.best ?? null;
  const vs = base !== null && s.best !== null && base !== 0 ? ` · ${pct(1 - s.best / base)} below the best baseline` : '';
  const rho = s.predictor?.heldOutSpearman != null ? ` · predictor ρ ${s.predictor.heldOutSpearman.toFixed(2)} (n=${s.predictor.trainSize})` : '';
  return `stage ${s.stage + 1} · NFE ${s.nfe}${s.arm === 'off' ? ' (no predictor)' : ''}: best ${s.best === null ? '—' : formatNumber(s.best)}${s.bestTrial !== null ? ` (trial #${s.bestTrial}` : ' ('}${`, ${s.evaluations} evaluations)`}${vs}${rho}`;
}

/** The holdout report as text: one line per NFE with the paired improvement interval. */
export function formatS3Report(view: S3View): string {
  if (!view.report) return 'no holdout report yet';
  const lines = [`holdout report (${view.report[0]?.seeds ?? 0} fresh seeds, paired, ${Math.round(100 * (view.report[0]?.confidence ?? 0.95))}% intervals):`];
  for (const r of view.report) {
    lines.push(
      `  NFE ${r.nfe}: searched ${formatNumber(r.searched.holdout ?? NaN)} vs ${r.baseline.label} ${formatNumber(r.baseline.holdout ?? NaN)}` +
        ` → ${pct(r.improvement.value)} lower [${pct(r.improvement.ciLow)}, ${pct(r.improvement.ciHigh)}] after ${r.evaluations} evaluations (best of ${r.baselinesCompared} baselines)`,
    );
    if (r.ablation) {
      lines.push(`         without the predictor: ${formatNumber(r.ablation.holdout ?? NaN)} (${pct(r.ablation.improvement.value)} lower than the baseline); the predictor's gain ${pct(r.ablation.predictorGain.value)} [${pct(r.ablation.predictorGain.ciLow)}, ${pct(r.ablation.predictorGain.ciHigh)}]`);
    }
  }
  return lines.join('\n');
}

/** Polls an s3 study's stage records while `done()` is false, handing each new stage line to `out`. */
export async function followS3(client: StepwiseClient, studyId: string, out: (line: string) => void, done: () => boolean, sleep: (ms: number) => Promise<void>, intervalMs = 2000): Promise<S3View | null> {
  const printed = new Set<string>();
  let last: S3View | null = null;
  for (;;) {
    try {
      last = await client.studies.s3.query({ studyId });
      for (const line of newStageLines(last, printed)) out(line);
    } catch {
      // The study watcher reports outages; this follower just tries again.
    }
    if (done()) return last;
    await sleep(intervalMs);
  }
}

/**
 * Writes the certified schedules of an s3 study as reusable JSON: DIR/nfe-<n>-searched.json and
 * DIR/nfe-<n>-baseline.json (runnable by `stepwise sample --schedule` and usable as evaluate
 * candidates via `schedule: file.json`). A dpm-solver-v3 / dc-solver baseline has no schedule: its
 * sampler settings ({ preset, nfe, spacing, rho }, an evaluate candidate as it stands) go to
 * DIR/nfe-<n>-baseline-preset.json instead, so nothing hands them to --schedule. Returns the files written.
 */
export async function exportS3Schedules(client: StepwiseClient, studyId: string, dir: string): Promise<string[]> {
  const view = await client.studies.s3.query({ studyId });
  if (!view.report || view.winners.length === 0) throw new Error(`study ${studyId} has no certified schedules yet (its holdout report is written when it completes)`);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const w of view.winners) {
    for (const [role, schedule] of [['searched', w.searched], ['baseline', w.baseline]] as const) {
      if (schedule == null) continue;
      const file = join(dir, `nfe-${w.nfe}-${role}.json`);
      await writeFile(file, JSON.stringify(schedule, null, 2) + '\n');
      files.push(file);
    }
    if (w.baselinePreset) {
      const file = join(dir, `nfe-${w.nfe}-baseline-preset.json`);
      await writeFile(file, JSON.stringify(w.baselinePreset, null, 2) + '\n');
      files.push(file);
    }
  }
  return files;
}
