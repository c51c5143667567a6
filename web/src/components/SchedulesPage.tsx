'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, type ScheduleRowOut } from '../lib/trpc';
import { errorMessage, fieldIssues, isUnauthorized } from '../lib/errors';
import { formatAgo, formatSpec, formatTime } from '../lib/format';
import { issuesToErrors, type FieldErrors } from '../lib/launch-form';
import { EXAMPLE_TEMPLATE, validateScheduleForm, type ScheduleFormState } from '../lib/template';

export function SchedulesPage() {
  const trpc = useTRPC();
  const list = useQuery(trpc.schedules.list.queryOptions(undefined, { refetchInterval: 5000 }));
  const rows = list.data ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Schedules</h1>
        <span className="muted">re-run a study template on a cron or a fixed interval (Temporal Schedules)</span>
      </div>
      {list.error && !isUnauthorized(list.error) && <div className="banner-error">{errorMessage(list.error)}</div>}
      <div className="table-wrap" style={{ marginBottom: 14 }}>
        <table className="grid" data-testid="schedules-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>When</th>
              <th>Template</th>
              <th>State</th>
              <th>Last run</th>
              <th>Next run</th>
              <th className="num">Studies</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <ScheduleRowView key={s.id} s={s} />
            ))}
          </tbody>
        </table>
        {list.isSuccess && rows.length === 0 && <div className="empty">No schedules yet.</div>}
      </div>
      <CreateScheduleForm />
    </>
  );
}

function templateSummary(t: ScheduleRowOut['template']): string {
  const fn = t?.objective?.type === 'function' ? t.objective.function : '?';
  return `${t?.name ?? '?'} · ${t?.kind ?? '?'} · ${fn} · ${t?.budget?.trials ?? '?'} trials`;
}

function ScheduleRowView({ s }: { s: ScheduleRowOut }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [armed, setArmed] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.studies.pathKey() });
  };
  const pause = useMutation(trpc.schedules.pause.mutationOptions({ onSettled: refresh }));
  const unpause = useMutation(trpc.schedules.unpause.mutationOptions({ onSettled: refresh }));
  const trigger = useMutation(trpc.schedules.trigger.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.schedules.delete.mutationOptions({ onSettled: refresh }));
  const busy = pause.isPending || unpause.isPending || trigger.isPending || remove.isPending;
  const failure = [pause.error, unpause.error, trigger.error, remove.error].find((e) => e && !isUnauthorized(e));

  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);

  return (
    <tr data-testid="schedule-row" data-schedule-id={s.id} data-paused={s.paused ? 'true' : 'false'}>
      <td>
        {s.name}
        <div className="muted mono">{s.id}</div>
      </td>
      <td className="mono">{formatSpec(s.spec)}</td>
      <td title={JSON.stringify(s.template, null, 2)}>{templateSummary(s.template)}</td>
      <td>
        <span className={`badge badge-${s.paused ? 'paused' : 'running'}`}>{s.paused ? 'paused' : 'active'}</span>
      </td>
      <td className="muted" title={formatTime(s.lastRunAt)}>
        {formatAgo(s.lastRunAt)}
      </td>
      <td className="muted" title={formatTime(s.nextRunAt)}>
        {s.paused ? '—' : formatAgo(s.nextRunAt)}
      </td>
      <td className="num">
        <Link href="/">{s.studiesCreated}</Link>
      </td>
      <td style={{ whiteSpace: 'nowrap' }}>
        {s.paused ? (
          <button type="button" disabled={busy} onClick={() => unpause.mutate({ id: s.id })} data-testid="schedule-unpause">
            Unpause
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => pause.mutate({ id: s.id })} data-testid="schedule-pause">
            Pause
          </button>
        )}{' '}
        <button type="button" disabled={busy} onClick={() => trigger.mutate({ id: s.id })} data-testid="schedule-trigger">
          {trigger.isPending ? 'Triggering…' : 'Trigger now'}
        </button>{' '}
        <button
          type="button"
          className={`danger${armed ? ' armed' : ''}`}
          disabled={busy}
          data-testid="schedule-delete"
          onClick={() => {
            if (!armed) return setArmed(true);
            setArmed(false);
            remove.mutate({ id: s.id });
          }}
        >
          {armed ? 'Click again to delete' : 'Delete'}
        </button>
        {failure && <div className="field-error">{errorMessage(failure)}</div>}
      </td>
    </tr>
  );
}

const initialScheduleForm: ScheduleFormState = { name: '', mode: 'cron', cron: '0 3 * * *', intervalSeconds: '3600', template: EXAMPLE_TEMPLATE, paused: false };

function CreateScheduleForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<ScheduleFormState>(initialScheduleForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const create = useMutation(
    trpc.schedules.create.mutationOptions({
      onSuccess() {
        setState({ ...initialScheduleForm, template: state.template });
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
      },
      onError(err) {
        const issues = fieldIssues(err);
        if (issues.length > 0) setErrors(issuesToErrors(issues));
        else if (!isUnauthorized(err)) setServerError(errorMessage(err));
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    const r = validateScheduleForm(state);
    if (!r.ok) return setErrors(r.errors);
    setErrors({});
    create.mutate(r.input as Parameters<typeof create.mutate>[0]);
  }

  const err = (path: string) =>
    errors[path] ? (
      <span className="field-error" data-testid={`error-${path}`}>
        {errors[path]}
      </span>
    ) : null;
  const templateErrors = Object.entries(errors).filter(([p]) => p.startsWith('template.'));

  return (
    <form className="panel" onSubmit={submit} data-testid="schedule-form" noValidate>
      <h2>New schedule</h2>
      <div className="form-grid">
        <label htmlFor="schedule-name">Name</label>
        <input id="schedule-name" name="name" value={state.name} className={errors.name ? 'invalid' : undefined} onChange={(e) => setState({ ...state, name: e.target.value })} placeholder="nightly-branin" />
        <div>{err('name')}</div>

        <label>When</label>
        <div className="toolbar" style={{ margin: 0 }}>
          <label>
            <input type="radio" name="mode" checked={state.mode === 'cron'} onChange={() => setState({ ...state, mode: 'cron' })} /> cron
          </label>
          <label>
            <input type="radio" name="mode" checked={state.mode === 'interval'} onChange={() => setState({ ...state, mode: 'interval' })} /> every N seconds
          </label>
        </div>
        <div />

        {state.mode === 'cron' ? (
          <>
            <label htmlFor="schedule-cron">Cron</label>
            <input id="schedule-cron" name="cron" className={errors.cron ? 'invalid' : undefined} value={state.cron} onChange={(e) => setState({ ...state, cron: e.target.value })} placeholder="0 3 * * *" />
            <div>{err('cron') ?? <span className="hint">minute hour day-of-month month day-of-week (UTC)</span>}</div>
          </>
        ) : (
          <>
            <label htmlFor="schedule-interval">Interval (s)</label>
            <input id="schedule-interval" name="intervalSeconds" type="number" min={1} className={errors.intervalSeconds ? 'invalid' : undefined} value={state.intervalSeconds} onChange={(e) => setState({ ...state, intervalSeconds: e.target.value })} />
            <div>{err('intervalSeconds')}</div>
          </>
        )}

        <label htmlFor="schedule-paused">Start paused</label>
        <input id="schedule-paused" name="paused" type="checkbox" checked={state.paused} onChange={(e) => setState({ ...state, paused: e.target.checked })} style={{ justifySelf: 'start' }} />
        <div />
      </div>
      <div style={{ marginTop: 10 }}>
        <div className="toolbar">
          <span className="muted">Study template (YAML or JSON, the same format as <code>stepwise launch</code>)</span>
          <button type="button" className="link" onClick={() => setState({ ...state, template: EXAMPLE_TEMPLATE })}>
            load example
          </button>
        </div>
        <textarea name="template" rows={14} spellCheck={false} className={errors.template || templateErrors.length ? 'invalid' : undefined} value={state.template} onChange={(e) => setState({ ...state, template: e.target.value })} />
        {err('template')}
        {templateErrors.length > 0 && (
          <ul className="field-error">
            {templateErrors.map(([p, m]) => (
              <li key={p} data-testid={`error-${p}`}>
                {p.slice('template.'.length)}: {m}
              </li>
            ))}
          </ul>
        )}
      </div>
      {serverError && <div className="banner-error">{serverError}</div>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={create.isPending} data-testid="schedule-submit">
          {create.isPending ? 'Creating…' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}
