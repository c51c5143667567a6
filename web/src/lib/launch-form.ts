import {
  BO_METHODS,
  TEST_FUNCTION_NAMES,
  ZStudyConfig,
  effectiveSpace,
  getTestFunction,
  resolveDim,
  type TStudyConfig,
  type TestFunctionName,
} from '@stepwise/core';

/**
 * The launch form's state and its mapping to a study config. Pure, so the form and the tests
 * agree on exactly what gets sent: the server validates the same object with the same schema.
 */

export interface SpaceRowState {
  name: string;
  type: 'float' | 'int';
  low: string;
  high: string;
  log: boolean;
  gridPoints: string;
}

export type BoMethodChoice = (typeof BO_METHODS)[number];

export interface LaunchFormState {
  name: string;
  kind: 'grid' | 'random' | 'bayesopt';
  /** bayesopt only: surrogate/acquisition method and the size of the Sobol initial design. */
  boMethod: BoMethodChoice;
  initialDesign: string;
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

export const FUNCTION_CHOICES = TEST_FUNCTION_NAMES;
export const BO_METHOD_CHOICES = BO_METHODS;
export const STUDY_KIND_CHOICES = ['random', 'grid', 'bayesopt'] as const;

export const initialLaunchForm: LaunchFormState = {
  name: '',
  kind: 'random',
  boMethod: 'gp-logei',
  initialDesign: '10',
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

export function formToConfig(s: LaunchFormState): Record<string, unknown> {
  const objective: Record<string, unknown> = {
    type: 'function',
    function: s.fn,
    noiseStd: numberField(s.noiseStd),
    direction: s.direction,
  };
  if (!isFixedDim(s.fn)) objective.dim = numberField(s.dim);
  const config: Record<string, unknown> = {
    name: s.name,
    kind: s.kind,
    objective,
    budget: { trials: numberField(s.trials), parallel: numberField(s.parallel) },
    seed: numberField(s.seed),
  };
  if (s.kind === 'bayesopt') config.bayesopt = { method: s.boMethod, initialDesign: numberField(s.initialDesign) };
  if (!s.useDefaultSpace) {
    config.space = s.space.map((r) =>
      r.type === 'float'
        ? { type: 'float', name: r.name, low: numberField(r.low), high: numberField(r.high), log: r.log, gridPoints: numberField(r.gridPoints) }
        : { type: 'int', name: r.name, low: numberField(r.low), high: numberField(r.high), log: r.log },
    );
  }
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
