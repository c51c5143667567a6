'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { getTestFunction, resolveDim } from '@stepwise/core';
import { useTRPC } from '../lib/trpc';
import { errorMessage, fieldIssues, isUnauthorized } from '../lib/errors';
import {
  BO_METHOD_CHOICES,
  FUNCTION_CHOICES,
  SAMPLER_METRIC_CHOICES,
  defaultSpaceRows,
  parentCandidates,
  parseChoices,
  formToConfig,
  initialLaunchForm,
  isFixedDim,
  issuesToErrors,
  validateLaunchForm,
  type FieldErrors,
  type LaunchFormState,
  type SpaceRowState,
} from '../lib/launch-form';
import { formatValue } from '../lib/format';

function FieldError({ path, errors }: { path: string; errors: FieldErrors }) {
  const msg = errors[path];
  if (!msg) return null;
  return (
    <span className="field-error" data-testid={`error-${path}`}>
      {msg}
    </span>
  );
}

function Row({ label, path, errors, hint, children }: { label: string; path: string; errors: FieldErrors; hint?: ReactNode; children: ReactNode }) {
  return (
    <>
      <label htmlFor={path}>{label}</label>
      <div>{children}</div>
      <div>
        <FieldError path={path} errors={errors} />
        {!errors[path] && hint && <span className="hint">{hint}</span>}
      </div>
    </>
  );
}

/** Paths that have their own place in the form; any other issue is listed above the buttons. */
function placedPaths(state: LaunchFormState): Set<string> {
  const paths = ['name', 'kind', 'objective.type', 'objective.direction', 'budget.trials', 'budget.parallel', 'seed', 'space'];
  if (state.objectiveType === 'sampler') paths.push('objective.model', 'objective.metric');
  else paths.push('objective.function', 'objective.dim', 'objective.noiseStd');
  if (state.kind === 'bayesopt') paths.push('bayesopt', 'bayesopt.method', 'bayesopt.initialDesign');
  if (!state.useDefaultSpace || state.objectiveType === 'sampler') {
    state.space.forEach((r, i) => {
      ['name', 'type', 'low', 'high', 'log', 'gridPoints', 'choices', 'when', 'when.param', 'when.in'].forEach((f) => paths.push(`space.${i}.${f}`));
      (r.whenIn ?? []).forEach((_, k) => paths.push(`space.${i}.when.in.${k}`));
      parseChoices(r.choices).forEach((_, k) => paths.push(`space.${i}.choices.${k}`));
    });
  }
  return new Set(paths);
}

export function LaunchForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [state, setState] = useState<LaunchFormState>(initialLaunchForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  const launch = useMutation(
    trpc.studies.launch.mutationOptions({
      onSuccess(study) {
        router.push(`/studies/${encodeURIComponent(study.id)}`);
      },
      onError(err) {
        const issues = fieldIssues(err);
        if (issues.length > 0) setErrors(issuesToErrors(issues));
        else if (!isUnauthorized(err)) setServerError(errorMessage(err));
      },
    }),
  );

  function update(patch: Partial<LaunchFormState>) {
    const next = { ...state, ...patch };
    setState(next);
    // After the first submit, keep the messages in step with what is typed.
    if (attempted) {
      const r = validateLaunchForm(next);
      setErrors(r.ok ? {} : r.errors);
    }
  }

  function updateRow(i: number, patch: Partial<SpaceRowState>) {
    const old = state.space[i].name;
    // Renaming a parent renames it in the conditions that name it (they refer to it by name).
    // (Not to '': that would turn the children's conditions off; they keep the old name and say so.)
    const renamed = patch.name !== undefined && patch.name !== '' && patch.name !== old && old !== '';
    update({
      space: state.space.map((r, k) =>
        k === i ? { ...r, ...patch } : renamed && r.whenParam === old ? { ...r, whenParam: patch.name } : r,
      ),
    });
  }

  /** Sampler objectives have no default domain: start from a small conditional example to edit. */
  function setObjectiveType(objectiveType: LaunchFormState['objectiveType']) {
    if (objectiveType === 'sampler') update({ objectiveType, useDefaultSpace: false, space: state.objectiveType === 'sampler' ? state.space : SAMPLER_EXAMPLE_ROWS });
    else update({ objectiveType, useDefaultSpace: true, space: [] });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setAttempted(true);
    setServerError(null);
    const r = validateLaunchForm(state);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    launch.mutate({ config: r.config, source: 'dashboard' });
  }

  const fn = getTestFunction(state.fn);
  const fixed = isFixedDim(state.fn);
  const dimNow = resolveDim(fn, fixed ? undefined : Number(state.dim) || undefined);
  const placed = placedPaths(state);
  const stray = Object.entries(errors).filter(([p]) => !placed.has(p));
  const preview = useMemo(() => JSON.stringify(formToConfig(state), null, 2), [state]);
  const cls = (path: string) => (errors[path] ? 'invalid' : undefined);

  return (
    <form className="panel" onSubmit={submit} data-testid="launch-form" noValidate>
      <div className="form-grid">
        <Row label="Name" path="name" errors={errors}>
          <input id="name" name="name" className={cls('name')} value={state.name} onChange={(e) => update({ name: e.target.value })} placeholder="e.g. branin-random-1 (required)" autoFocus />
        </Row>
        <Row label="Kind" path="kind" errors={errors} hint="grid enumerates the space; random samples it; bayesopt fits a surrogate and proposes where it expects improvement">
          <select id="kind" name="kind" className={cls('kind')} value={state.kind} onChange={(e) => update({ kind: e.target.value as LaunchFormState['kind'] })}>
            <option value="random">random</option>
            <option value="grid">grid</option>
            <option value="bayesopt">bayesopt</option>
          </select>
        </Row>
        {state.kind === 'bayesopt' && (
          <>
            <Row label="BO method" path="bayesopt.method" errors={errors} hint="gp-logei: GP with log expected improvement (default)">
              <select
                id="bayesopt.method"
                name="bayesopt.method"
                className={cls('bayesopt.method')}
                value={state.boMethod}
                onChange={(e) => update({ boMethod: e.target.value as LaunchFormState['boMethod'] })}
              >
                {BO_METHOD_CHOICES.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </Row>
            <Row label="Initial design" path="bayesopt.initialDesign" errors={errors} hint="Sobol points before the surrogate takes over (1–1000)">
              <input
                id="bayesopt.initialDesign"
                name="bayesopt.initialDesign"
                type="number"
                min={1}
                max={1000}
                className={cls('bayesopt.initialDesign')}
                value={state.initialDesign}
                onChange={(e) => update({ initialDesign: e.target.value })}
              />
            </Row>
          </>
        )}

        <div className="form-section">Objective</div>
        <Row label="Objective" path="objective.type" errors={errors} hint="function: a built-in test function; sampler: a diffusion sampler on a model, estimated by Monte Carlo">
          <select id="objective.type" name="objective.type" value={state.objectiveType} onChange={(e) => setObjectiveType(e.target.value as LaunchFormState['objectiveType'])}>
            <option value="function">function</option>
            <option value="sampler">sampler</option>
          </select>
        </Row>
        {state.objectiveType === 'sampler' && (
          <>
            <Row label="Model" path="objective.model" errors={errors} hint="a built-in testbed (gaussian-1, gmm-2d, gmm-64d, ...) or a registered model">
              <input id="objective.model" name="objective.model" className={cls('objective.model')} value={state.model} onChange={(e) => update({ model: e.target.value })} />
            </Row>
            <Row label="Metric" path="objective.metric" errors={errors}>
              <select id="objective.metric" name="objective.metric" value={state.metric} onChange={(e) => update({ metric: e.target.value as LaunchFormState['metric'] })}>
                {SAMPLER_METRIC_CHOICES.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </Row>
          </>
        )}
        {state.objectiveType === 'function' && (
          <>
            <Row label="Test function" path="objective.function" errors={errors} hint={`known optimum ${formatValue(fn.optimum(dimNow))}`}>
              <select
                id="objective.function"
                name="objective.function"
                className={cls('objective.function')}
                value={state.fn}
                onChange={(e) => {
                  const next = e.target.value as LaunchFormState['fn'];
                  update({ fn: next, space: state.useDefaultSpace ? state.space : defaultSpaceRows(next, state.dim) });
                }}
              >
                {FUNCTION_CHOICES.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </Row>
            <Row label="Dimension" path="objective.dim" errors={errors} hint={fixed ? `fixed at ${fn.fixedDim}` : `default ${fn.defaultDim}, at least ${fn.minDim}`}>
              <input
                id="objective.dim"
                name="objective.dim"
                type="number"
                min={fn.minDim}
                max={64}
                className={cls('objective.dim')}
                disabled={fixed}
                value={fixed ? String(fn.fixedDim) : state.dim}
                placeholder={String(fn.defaultDim)}
                onChange={(e) => update({ dim: e.target.value })}
              />
            </Row>
            <Row label="Noise std" path="objective.noiseStd" errors={errors} hint="additive Gaussian noise per evaluation (0: exact)">
              <input id="objective.noiseStd" name="objective.noiseStd" type="number" min={0} step="any" className={cls('objective.noiseStd')} value={state.noiseStd} onChange={(e) => update({ noiseStd: e.target.value })} />
            </Row>
          </>
        )}
        <Row label="Direction" path="objective.direction" errors={errors}>
          <select id="objective.direction" name="objective.direction" value={state.direction} onChange={(e) => update({ direction: e.target.value as LaunchFormState['direction'] })}>
            <option value="minimize">minimize</option>
            <option value="maximize">maximize</option>
          </select>
        </Row>

        <div className="form-section">Budget</div>
        <Row label="Trials" path="budget.trials" errors={errors} hint={state.kind === 'grid' ? 'cap on the grid size' : undefined}>
          <input id="budget.trials" name="budget.trials" type="number" min={1} className={cls('budget.trials')} value={state.trials} onChange={(e) => update({ trials: e.target.value })} />
        </Row>
        <Row label="Parallel" path="budget.parallel" errors={errors} hint="trials in flight at once (1–1024)">
          <input id="budget.parallel" name="budget.parallel" type="number" min={1} className={cls('budget.parallel')} value={state.parallel} onChange={(e) => update({ parallel: e.target.value })} />
        </Row>
        <Row label="Seed" path="seed" errors={errors}>
          <input id="seed" name="seed" type="number" min={0} className={cls('seed')} value={state.seed} onChange={(e) => update({ seed: e.target.value })} />
        </Row>

        <div className="form-section">Search space</div>
        <Row label="Domain" path="space" errors={errors} hint={state.objectiveType === 'sampler' ? 'a sampler study searches preset, nfe, spacing, rho, guidance, tEnd or label' : undefined}>
          {state.objectiveType === 'function' && (
            <label>
              <input
                type="checkbox"
                name="space.useDefault"
                checked={state.useDefaultSpace}
                onChange={(e) => update({ useDefaultSpace: e.target.checked, space: e.target.checked ? [] : defaultSpaceRows(state.fn, state.dim) })}
              />{' '}
              use the function&apos;s default domain
            </label>
          )}
        </Row>
      </div>

      {!state.useDefaultSpace && (
        <SpaceEditor
          rows={state.space}
          errors={errors}
          onChange={updateRow}
          onAdd={() => update({ space: [...state.space, { name: `x${state.space.length + 1}`, type: 'float', low: '0', high: '1', log: false, gridPoints: '5' }] })}
          onRemove={(i) => update({ space: state.space.filter((_, k) => k !== i) })}
          onReset={() => update({ space: state.objectiveType === 'sampler' ? SAMPLER_EXAMPLE_ROWS : defaultSpaceRows(state.fn, state.dim) })}
          resetLabel={state.objectiveType === 'sampler' ? 'reset to the example' : undefined}
        />
      )}

      {stray.length > 0 && (
        <ul className="field-error">
          {stray.map(([path, msg]) => (
            <li key={path} data-testid={`error-${path}`}>
              {path}: {msg}
            </li>
          ))}
        </ul>
      )}
      {serverError && <div className="banner-error">{serverError}</div>}

      <div className="form-actions">
        <button type="submit" className="primary" data-testid="launch-submit" disabled={launch.isPending}>
          {launch.isPending ? 'Launching…' : 'Launch study'}
        </button>
        <details>
          <summary>config as JSON (for the CLI)</summary>
          <pre className="config">{preview}</pre>
        </details>
      </div>
    </form>
  );
}

/** A sampler space to start from: `rho` (the Karras spacing's exponent) only for spacing karras. */
const SAMPLER_EXAMPLE_ROWS: SpaceRowState[] = [
  { name: 'spacing', type: 'categorical', low: '', high: '', log: false, gridPoints: '5', choices: 'logSNR, karras' },
  { name: 'rho', type: 'float', low: '3', high: '10', log: false, gridPoints: '5', whenParam: 'spacing', whenIn: ['karras'] },
  { name: 'nfe', type: 'int', low: '4', high: '10', log: false, gridPoints: '5' },
];

/**
 * "active when": the parent (a categorical row above this one) and which of its choices turn
 * this parameter on. A parent renamed, moved below or removed keeps its name here, so the
 * schema's message (naming the parent and the fix) lands on this row instead of the condition
 * silently vanishing.
 */
function ConditionEditor({ rows, i, errors, onChange }: { rows: SpaceRowState[]; i: number; errors: FieldErrors; onChange: (i: number, patch: Partial<SpaceRowState>) => void }) {
  const r = rows[i];
  const parents = parentCandidates(rows, i);
  const parent = rows.find((q) => q.name === r.whenParam && q.type === 'categorical');
  const choices = parent ? (parent.choices ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '') : [];
  const chosen = new Set(r.whenIn ?? []);
  // A value chosen before the parent's choices changed stays listed (and flagged by the schema).
  const shown = [...choices, ...[...chosen].filter((c) => !choices.includes(c))];
  const path = (f: string) => `space.${i}.${f}`;
  return (
    <div data-testid={`space-${i}-when`}>
      <select
        name={path('when.param')}
        value={r.whenParam ?? ''}
        className={errors[path('when.param')] ? 'invalid' : undefined}
        onChange={(e) => onChange(i, { whenParam: e.target.value, whenIn: [] })}
      >
        <option value="">always</option>
        {parents.map((q) => (
          <option key={q.name} value={q.name}>
            {q.name} in…
          </option>
        ))}
        {r.whenParam && !parents.some((q) => q.name === r.whenParam) && <option value={r.whenParam}>{r.whenParam} (not a categorical row above)</option>}
      </select>
      {r.whenParam &&
        shown.map((c) => (
          <label key={c} style={{ marginLeft: 8, whiteSpace: 'nowrap', display: 'inline-flex', alignItems: 'center', gap: 3 }}>
            <input
              type="checkbox"
              // .space-table stretches inputs to the cell; a checkbox keeps its own size.
              style={{ width: 'auto', minWidth: 0 }}
              name={`${path('when.in')}.${c}`}
              checked={chosen.has(c)}
              onChange={(e) => onChange(i, { whenIn: e.target.checked ? [...shown.filter((x) => x === c || chosen.has(x))] : [...chosen].filter((x) => x !== c) })}
            />
            {c}
          </label>
        ))}
      <div style={{ maxWidth: 360, whiteSpace: 'normal' }}>
        <FieldError path={path('when.param')} errors={errors} />
        <FieldError path={path('when.in')} errors={errors} />
        {Object.entries(errors)
          .filter(([k]) => k.startsWith(`${path('when.in')}.`))
          .slice(0, 1)
          .map(([k, msg]) => (
            <span key={k} className="field-error" data-testid={`error-${k}`}>
              {msg}
            </span>
          ))}
        <FieldError path={path('when')} errors={errors} />
      </div>
    </div>
  );
}

function SpaceEditor({
  rows,
  errors,
  onChange,
  onAdd,
  onRemove,
  onReset,
  resetLabel,
}: {
  rows: SpaceRowState[];
  errors: FieldErrors;
  onChange: (i: number, patch: Partial<SpaceRowState>) => void;
  onAdd: () => void;
  onRemove: (i: number) => void;
  onReset: () => void;
  resetLabel?: string;
}) {
  const p = (i: number, f: string) => `space.${i}.${f}`;
  return (
    <div style={{ marginTop: 8 }}>
      <table className="grid space-table">
        <thead>
          <tr>
            <th>name</th>
            <th>type</th>
            <th>low</th>
            <th>high</th>
            <th>log</th>
            <th>grid points</th>
            <th title="a conditional parameter is active only for some choices of a categorical parameter above it">active when</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>
                <input name={p(i, 'name')} value={r.name} className={errors[p(i, 'name')] ? 'invalid' : undefined} onChange={(e) => onChange(i, { name: e.target.value })} />
                <FieldError path={p(i, 'name')} errors={errors} />
              </td>
              <td>
                <select name={p(i, 'type')} value={r.type} onChange={(e) => onChange(i, { type: e.target.value as SpaceRowState['type'] })}>
                  <option value="float">float</option>
                  <option value="int">int</option>
                  <option value="categorical">categorical</option>
                </select>
                <FieldError path={p(i, 'type')} errors={errors} />
              </td>
              {r.type === 'categorical' ? (
                <td colSpan={4}>
                  <input
                    name={p(i, 'choices')}
                    value={r.choices ?? ''}
                    placeholder="choices, comma-separated (e.g. logSNR, karras)"
                    style={{ width: '100%' }}
                    className={Object.keys(errors).some((k) => k === p(i, 'choices') || k.startsWith(`${p(i, 'choices')}.`)) ? 'invalid' : undefined}
                    onChange={(e) => onChange(i, { choices: e.target.value })}
                  />
                  <FieldError path={p(i, 'choices')} errors={errors} />
                  {Object.entries(errors)
                    .filter(([k]) => k.startsWith(`${p(i, 'choices')}.`))
                    .slice(0, 1)
                    .map(([k, msg]) => (
                      <span key={k} className="field-error" data-testid={`error-${k}`}>
                        {msg}
                      </span>
                    ))}
                </td>
              ) : (
                <>
                  <td>
                    <input name={p(i, 'low')} type="number" step="any" value={r.low} className={errors[p(i, 'low')] ? 'invalid' : undefined} onChange={(e) => onChange(i, { low: e.target.value })} />
                    <FieldError path={p(i, 'low')} errors={errors} />
                  </td>
                  <td>
                    <input name={p(i, 'high')} type="number" step="any" value={r.high} className={errors[p(i, 'high')] ? 'invalid' : undefined} onChange={(e) => onChange(i, { high: e.target.value })} />
                    <FieldError path={p(i, 'high')} errors={errors} />
                  </td>
                  <td>
                    <input name={p(i, 'log')} type="checkbox" checked={r.log} onChange={(e) => onChange(i, { log: e.target.checked })} />
                    <FieldError path={p(i, 'log')} errors={errors} />
                  </td>
                  <td>
                    <input name={p(i, 'gridPoints')} type="number" min={1} value={r.gridPoints} disabled={r.type !== 'float'} onChange={(e) => onChange(i, { gridPoints: e.target.value })} />
                    <FieldError path={p(i, 'gridPoints')} errors={errors} />
                  </td>
                </>
              )}
              <td>
                <ConditionEditor rows={rows} i={i} errors={errors} onChange={onChange} />
              </td>
              <td>
                <button type="button" className="link" onClick={() => onRemove(i)} title="remove parameter">
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar" style={{ marginTop: 6 }}>
        <button type="button" onClick={onAdd}>
          + parameter
        </button>
        <button type="button" onClick={onReset}>
          {resetLabel ?? <>reset to the function&apos;s domain</>}
        </button>
      </div>
    </div>
  );
}
