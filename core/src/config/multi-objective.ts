import { z } from 'zod';
import { isMoFunctionName, moFunctionOutputs } from '../functions/multi-objective';
import { ZDirection, SAMPLER_METRICS, type TDirection, type TObjective } from './objectives';
import { ZKey } from './text';

/**
 * Multi-objective studies: `objectives: [{ metric, direction }, ...]` (2 to 4 entries) next to
 * the `objective` that says how a trial is evaluated. What a metric may name depends on that
 * objective's type:
 *   function  the outputs of a multi-output test function (branin_currin, zdt1): f1, f2
 *   command   keys of the JSON object the program prints last (e.g. loss, seconds)
 *   sampler   the objective's quality metric first (rmse, nll, ...), then `nfe`, the model
 *             evaluations per sample, which the trial's schedule fixes (known per trial)
 * The first objective is the primary one: a trial's `value` (sorting, "best", exports) is its
 * value, and the parsed config's objective.metric / objective.direction are set from it.
 */

/** Most objectives a study may have: the exact hypervolume (HSO) stays cheap up to 4. */
export const MAX_OBJECTIVES = 4;

/** The sampler objectives' second metric: model evaluations per sample. */
export const NFE_METRIC = 'nfe';

export const ZObjectiveSpec = z.object({
  metric: ZKey(100).min(1, 'give the metric: an output name (function), a key of the program\'s JSON (command), or a sampler metric / nfe'),
  direction: ZDirection,
});
export type TObjectiveSpec = z.infer<typeof ZObjectiveSpec>;

export const ZObjectives = z
  .array(ZObjectiveSpec)
  .min(2, 'a multi-objective study lists at least two objectives; for one, use objective.metric and objective.direction instead')
  .max(MAX_OBJECTIVES, `at most ${MAX_OBJECTIVES} objectives (the hypervolume is exact and cheap up to ${MAX_OBJECTIVES})`);

/** The fields of a study config the multi-objective rules read. */
interface MoConfigView {
  kind: string;
  objective: TObjective;
  objectives?: TObjectiveSpec[];
  budget: { targetValue?: number };
  holdout?: unknown;
  pruner?: unknown;
  bayesopt?: { multiObjective?: 'ehvi' | 'parego' };
}

/** A study's objectives in order: its `objectives` list, or the one objective it optimises. */
export function studyObjectives(cfg: Pick<MoConfigView, 'objective' | 'objectives'>): TObjectiveSpec[] {
  return cfg.objectives ?? [{ metric: cfg.objective.metric, direction: cfg.objective.direction }];
}

export const isMultiObjective = (cfg: Pick<MoConfigView, 'objectives'>): boolean => (cfg.objectives?.length ?? 0) >= 2;

/** The multi-objective acquisition a bayesopt study uses: its choice, else ehvi up to three objectives. */
export function multiObjectiveAcquisition(cfg: Pick<MoConfigView, 'objectives' | 'bayesopt'>): 'ehvi' | 'parego' {
  return cfg.bayesopt?.multiObjective ?? ((cfg.objectives?.length ?? 0) <= 3 ? 'ehvi' : 'parego');
}

export function studyDirections(cfg: Pick<MoConfigView, 'objective' | 'objectives'>): TDirection[] {
  return studyObjectives(cfg).map((o) => o.direction);
}

/** The rules `objectives` must follow, as issues on the study config (called from its superRefine). */
export function checkObjectives(cfg: MoConfigView, ctx: z.RefinementCtx): void {
  const objective = cfg.objective;
  if (!cfg.objectives && cfg.bayesopt?.multiObjective !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['bayesopt', 'multiObjective'], message: 'bayesopt.multiObjective chooses the acquisition of a study with several objectives; this one has one: remove it (or list objectives)' });
  }
  if (!cfg.objectives) {
    if (objective.type === 'function' && isMoFunctionName(objective.function)) {
      const names = moFunctionOutputs(objective.function);
      ctx.addIssue({
        code: 'custom', path: ['objectives'],
        message: `${objective.function} has ${names.length} outputs (${names.join(', ')}): list them with their directions, e.g. objectives: [${names.map((n) => `{ metric: ${n}, direction: minimize }`).join(', ')}]`,
      });
    }
    return;
  }
  const list = cfg.objectives;
  const refuse = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (cfg.kind !== 'grid' && cfg.kind !== 'random' && cfg.kind !== 'bayesopt') {
    refuse(['objectives'], `kind "${cfg.kind}" optimises one metric; several objectives work with kind grid, random or bayesopt`);
  }
  if (cfg.budget.targetValue !== undefined) {
    refuse(['budget', 'targetValue'], 'a target value stops at one metric\'s goal, which several objectives do not have; remove budget.targetValue (the study runs its whole budget)');
  }
  if (cfg.holdout !== undefined) {
    refuse(['holdout'], 'a holdout re-measures the best trial on fresh seeds, and several objectives have a front rather than one best trial; remove holdout');
  }
  if (cfg.pruner !== undefined) {
    refuse(['pruner'], 'pruning compares trials on one metric\'s intermediate values; remove pruner or optimise one objective');
  }
  const seen = new Map<string, number>();
  list.forEach((o, i) => {
    const first = seen.get(o.metric);
    if (first !== undefined) refuse(['objectives', i, 'metric'], `"${o.metric}" is already objectives.${first}; each objective names a different metric`);
    else seen.set(o.metric, i);
  });
  switch (objective.type) {
    case 'function': {
      if (!isMoFunctionName(objective.function)) {
        refuse(['objective', 'function'], `${objective.function} has one output; several objectives need a multi-output function: branin_currin or zdt1`);
        return;
      }
      const names = moFunctionOutputs(objective.function);
      list.forEach((o, i) => {
        if (!names.includes(o.metric)) refuse(['objectives', i, 'metric'], `${objective.function} has outputs ${names.join(', ')}; "${o.metric}" is none of them`);
      });
      if (list.length >= 2 && seen.size === list.length && list.length !== names.length) refuse(['objectives'], `${objective.function} has ${names.length} outputs (${names.join(', ')}); list each once`);
      return;
    }
    case 'sampler': {
      const quality = list[0].metric;
      if (!(SAMPLER_METRICS as readonly string[]).includes(quality)) {
        refuse(['objectives', 0, 'metric'], `the first objective of a sampler study is its quality metric (${SAMPLER_METRICS.join(', ')}); got "${quality}"`);
      }
      list.slice(1).forEach((o, j) => {
        if (o.metric !== NFE_METRIC) {
          refuse(['objectives', j + 1, 'metric'], `a sampler trial measures one quality metric and its NFE; the objectives after the first can only be "${NFE_METRIC}" (got "${o.metric}")`);
        }
      });
      return;
    }
    case 'command':
      // Any keys of the program's JSON: checked when a trial's output arrives (a missing one fails that trial).
      return;
  }
}

/**
 * Raw-input conflicts the parsed config cannot show (objective.metric and objective.direction
 * have defaults, so after parsing an explicit value looks like a default one): with `objectives`,
 * the primary metric and direction come from objectives[0], and an objective.metric or
 * objective.direction that says otherwise is refused rather than silently replaced.
 */
export function primaryObjectiveConflicts(raw: unknown): Array<{ field: string; message: string }> {
  if (typeof raw !== 'object' || raw === null) return [];
  const { objective, objectives } = raw as { objective?: unknown; objectives?: unknown };
  if (!Array.isArray(objectives) || objectives.length === 0 || typeof objective !== 'object' || objective === null) return [];
  const first = objectives[0] as { metric?: unknown; direction?: unknown } | null;
  if (typeof first !== 'object' || first === null) return [];
  const out: Array<{ field: string; message: string }> = [];
  for (const key of ['metric', 'direction'] as const) {
    const given = (objective as Record<string, unknown>)[key];
    if (given !== undefined && first[key] !== undefined && given !== first[key]) {
      out.push({
        field: `objective.${key}`,
        message: `objective.${key} is ${JSON.stringify(given)} but objectives.0.${key} is ${JSON.stringify(first[key])}: with several objectives the first one is the primary; remove objective.${key}`,
      });
    }
  }
  return out;
}

/** The parsed config with objective.metric / direction set from the primary objective. */
export function withPrimaryObjective<T extends { objective: TObjective; objectives?: TObjectiveSpec[] }>(cfg: T): T {
  if (!cfg.objectives?.length) return cfg;
  const [primary] = cfg.objectives;
  return { ...cfg, objective: { ...cfg.objective, metric: primary.metric, direction: primary.direction } as TObjective };
}
