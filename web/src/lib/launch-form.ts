import {
  BO_METHODS,
  TEST_FUNCTION_NAMES,
  ZStudyConfig,
  describeCondition,
  effectiveSpace,
  getTestFunction,
  resolveDim,
  type TStudyConfig,
  type TestFunctionName,
} from '@stepwise/core';
import { SAMPLER_METRICS } from '@stepwise/core/config/objectives';

/**
 * The launch form's state and its mapping to a study config. Pure, so the form and the tests
 * agree on exactly what gets sent: the server validates the same object with the same schema.
 */

export interface SpaceRowState {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: string;
  high: string;
  log: boolean;
  gridPoints: string;
  /** categorical: the choices as typed, comma-separated ("4, 6, 8" are numbers, "karras" a string). */
  choices?: string;
  /** Conditional parameter: the parent (a categorical row above) and the parent's choices (as text) for which this one is active; '' = always active. */
  whenParam?: string;
  whenIn?: string[];
}

export type BoMethodChoice = (typeof BO_METHODS)[number];

export interface LaunchFormState {
  name: string;
  kind: 'grid' | 'random' | 'bayesopt';
  /** bayesopt only: surrogate/acquisition method and the size of the Sobol initial design. */
  boMethod: BoMethodChoice;
  initialDesign: string;
  /** function: a built-in test function; sampler: a diffusion sampler on a registered model (its space is always explicit). */
  objectiveType: 'function' | 'sampler';
  model: string;
  metric: SamplerMetricChoice;
  fn: TestFunctionName;
  dim: string;
  noiseStd: string;
  direction: 'minimize' | 'maximize';
  trials: string;
  parallel: string;
  seed: string;
  useDefaultSpace: boolean;
  space: SpaceRowState[];
}

export type SamplerMetricChoice = (typeof SAMPLER_METRICS)[number];
export const SAMPLER_METRIC_CHOICES = SAMPLER_METRICS;
export const FUNCTION_CHOICES = TEST_FUNCTION_NAMES;
export const BO_METHOD_CHOICES = BO_METHODS;
export const STUDY_KIND_CHOICES = ['random', 'grid', 'bayesopt'] as const;

export const initialLaunchForm: LaunchFormState = {
  name: '',
  kind: 'random',
  boMethod: 'gp-logei',
  initialDesign: '10',
  objectiveType: 'function',
  model: 'gmm-2d',
  metric: 'rmse',
  fn: 'branin',
  dim: '',
  noiseStd: '0',
  direction: 'minimize',
  trials: '50',
  parallel: '8',
  seed: '0',
  useDefaultSpace: true,
  space: [],
};

/** '' → undefined (let the schema apply its default or say "required"); otherwise a number, NaN included. */
export function numberField(s: string): number | undefined {
  const t = s.trim();
  return t === '' ? undefined : Number(t);
}

export function isFixedDim(fn: TestFunctionName): boolean {
  return getTestFunction(fn).fixedDim !== null;
}

/** The function's standard box as editable rows (what "use the default domain" means). */
export function defaultSpaceRows(fn: TestFunctionName, dim: string): SpaceRowState[] {
  const f = getTestFunction(fn);
  const requested = numberField(dim);
  const d = resolveDim(f, requested !== undefined && Number.isInteger(requested) && requested >= f.minDim && requested <= 64 ? requested : undefined);
  return f.bounds(d).map(([low, high], i) => ({ name: `x${i + 1}`, type: 'float', low: String(low), high: String(high), log: false, gridPoints: '5' }));
}

/**
 * A choice as typed: a number when the text is one ("4", "0.5"), true/false, else the trimmed
 * string. The same reading for a row's choices and its condition's values, so they compare equal.
 */
export function parseChoice(text: string): string | number | boolean {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** A categorical row's choices: comma-separated, blanks dropped (an empty list is the schema's error). */
export function parseChoices(text: string | undefined): Array<string | number | boolean> {
  return (text ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '').map(parseChoice);
}

/** Rows above row `i` that can be its parent: categorical rows with a name (a condition's parent must be listed earlier). */
export function parentCandidates(rows: readonly SpaceRowState[], i: number): SpaceRowState[] {
  return rows.slice(0, i).filter((r) => r.type === 'categorical' && r.name.trim() !== '');
}

function rowToParam(r: SpaceRowState): Record<string, unknown> {
  const param: Record<string, unknown> =
    r.type === 'categorical'
      ? { type: 'categorical', name: r.name, choices: parseChoices(r.choices) }
      : r.type === 'float'
        ? { type: 'float', name: r.name, low: numberField(r.low), high: numberField(r.high), log: r.log, gridPoints: numberField(r.gridPoints) }
        : { type: 'int', name: r.name, low: numberField(r.low), high: numberField(r.high), log: r.log };
  // An empty value list is sent as is: the schema says to list at least one choice of the parent.
  if (r.whenParam) param.when = { param: r.whenParam, in: (r.whenIn ?? []).map(parseChoice) };
  return param;
}

export function formToConfig(s: LaunchFormState): Record<string, unknown> {
  const objective: Record<string, unknown> =
    s.objectiveType === 'sampler'
      ? { type: 'sampler', model: s.model.trim(), metric: s.metric, direction: s.direction }
      : { type: 'function', function: s.fn, noiseStd: numberField(s.noiseStd), direction: s.direction };
  if (s.objectiveType !== 'sampler' && !isFixedDim(s.fn)) objective.dim = numberField(s.dim);
  const config: Record<string, unknown> = {
    name: s.name,
    kind: s.kind,
    objective,
    budget: { trials: numberField(s.trials), parallel: numberField(s.parallel) },
    seed: numberField(s.seed),
  };
  if (s.kind === 'bayesopt') config.bayesopt = { method: s.boMethod, initialDesign: numberField(s.initialDesign) };
  // A sampler objective has no default domain: its space is always the rows.
  if (!s.useDefaultSpace || s.objectiveType === 'sampler') config.space = s.space.map(rowToParam);
  return stripUndefined(config);
}

function stripUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(stripUndefined) as T;
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, stripUndefined(x)])) as T;
  }
  return v;
}

/** Field path → first message, the same keys the server's issues use ("budget.parallel"). */
export type FieldErrors = Record<string, string>;

export function validateLaunchForm(s: LaunchFormState): { ok: true; config: TStudyConfig } | { ok: false; errors: FieldErrors } {
  const parsed = ZStudyConfig.safeParse(formToConfig(s));
  if (parsed.success) return { ok: true, config: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.') || '(config)';
    errors[path] ??= issue.message;
  }
  return { ok: false, errors };
}

export function issuesToErrors(issues: Array<{ field: string; message: string }>): FieldErrors {
  const errors: FieldErrors = {};
  for (const i of issues) errors[i.field] ??= i.message;
  return errors;
}

/** Names of the parameters a study will report, in order (trial table and CSV columns). */
export function paramNames(config: TStudyConfig): string[] {
  // evaluate studies list candidates instead of a space: their keys, in first-seen order.
  if (config.kind === 'evaluate' && config.candidates) return [...new Set(config.candidates.flatMap((c) => Object.keys(c)))];
  try {
    return effectiveSpace(config).map((p) => p.name);
  } catch {
    return [];
  }
}

/**
 * The study's conditional parameters, name → condition as people read it ("spacing in [karras]").
 * A trial leaves out a parameter that is inactive for it, so a conditional parameter missing
 * from a trial's params is inactive there (not a missing value): the table and drawer say so.
 */
export function paramConditions(config: TStudyConfig): Record<string, string> {
  if (config.kind === 'evaluate') return {};
  try {
    const out: Record<string, string> = {};
    for (const p of effectiveSpace(config)) {
      const c = describeCondition(p);
      if (c !== null) out[p.name] = c;
    }
    return out;
  } catch {
    return {};
  }
}
