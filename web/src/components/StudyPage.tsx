'use client';

import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { effectiveSpace, getTestFunction, isMoFunctionName, resolveDim } from '@stepwise/core';
import { useTRPC, type StudyDetailOut, type StudySnapshotOut, type TrialRowOut } from '../lib/trpc';
import { errorCode, errorMessage, isTransient, isUnauthorized, queryErrorMessage } from '../lib/errors';
import { between, formatCount, formatDuration, formatTime, formatValue } from '../lib/format';
import { paramConditions, paramNames } from '../lib/launch-form';
import { StatusBadge } from './StatusBadge';
import { ProgressBar } from './ProgressBar';
import { BestChart } from './BestChart';
import { TrialTable, TRIAL_PAGE_SIZE, type TrialQuery } from './TrialTable';
import { NoiseAwareBestStat } from './NoiseAwareBest';
import { StudyNotes } from './StudyNotes';
import { InsightsPanel } from './InsightsPanel';
import { ParallelChart } from './ParallelChart';
import { SurrogateChart } from './SurrogateChart';
import { TrialDrawer } from './TrialDrawer';
import { EvaluatePanel } from './EvaluatePanel';
import { S3Panel } from './S3Panel';
import { ParetoPanel } from './ParetoPanel';
import { HoldoutLines } from './HoldoutLines';
import { NfeChart } from './NfeChart';
import { SampleGrid } from './SampleGrid';
import { variesNfe } from '../lib/nfe';
import { useTrialPoints } from '../lib/use-trial-points';
import { LearningCurves } from './LearningCurves';

const isActive = (status: string) => status === 'queued' || status === 'running' || status === 'paused';

function knownOptimum(study: StudyDetailOut): number | null {
  const obj = study.config?.objective;
  // A multi-objective function (branin_currin, zdt1) has a front, not one known optimum.
  if (!obj || obj.type !== 'function' || isMoFunctionName(obj.function)) return null;
  try {
    const fn = getTestFunction(obj.function);
    const value = fn.optimum(resolveDim(fn, obj.dim));
    return obj.direction === 'maximize' ? null : value;
  } catch {
    return null;
  }
}

const sameQuery = (a: TrialQuery, b: TrialQuery) => a.limit === b.limit && a.sort === b.sort && a.order === b.order && a.status === b.status && a.cursor === b.cursor;

export function StudyPage({ id }: { id: string }) {
  const trpc = useTRPC();
  // The trial table's page is part of the snapshot: header, progress and rows come from one read.
  const [trialQuery, setTrialQuery] = useState<TrialQuery>({ limit: TRIAL_PAGE_SIZE, sort: 'number', order: 'asc', cursor: null });
  const onTrialQuery = useCallback((q: TrialQuery) => setTrialQuery((prev) => (sameQuery(prev, q) ? prev : q)), []);
  const query = useQuery(
    trpc.studies.snapshot.queryOptions(
      { id, trials: trialQuery },
      {
        // Paging or sorting keeps the last snapshot on screen until the next one arrives.
        placeholderData: keepPreviousData,
        // Live studies poll; so does a page whose last poll hit an outage, until it answers again.
        refetchInterval: (q) => (q.state.error && isTransient(q.state.error) ? 3000 : q.state.data && isActive(q.state.data.study.status) ? 1500 : false),
      },
    ),
  );

  if (query.error && isUnauthorized(query.error)) return null;
  // An outage keeps the last good view on screen under a banner; anything else replaces it.
  const outage = query.error && isTransient(query.error) ? (
    <div className="banner-error" data-testid="study-page-error">
      {queryErrorMessage(query.error)}
    </div>
  ) : null;
  if (query.error && !(outage && query.data)) {
    return (
      <div className="banner-error" data-testid="study-page-error">
        {errorCode(query.error) === 'NOT_FOUND' ? `Study ${id} not found.` : queryErrorMessage(query.error)} <Link href="/">Back to studies</Link>
      </div>
    );
  }
  if (!query.data) return <div className="muted">Loading…</div>;
  return (
    <>
      {outage}
      <StudyView snapshot={query.data} fetching={query.isFetching} onTrialQuery={onTrialQuery} />
    </>
  );
}

function numericParamNames(config: StudyDetailOut['config']): string[] {
  try {
    return effectiveSpace(config)
      .filter((p) => p.type !== 'categorical')
      .map((p) => p.name);
  } catch {
    return [];
  }
}

function StudyView({ snapshot, fetching, onTrialQuery }: { snapshot: StudySnapshotOut; fetching: boolean; onTrialQuery: (q: TrialQuery) => void }) {
  const study = snapshot.study;
  const live = isActive(study.status);
  const names = useMemo(() => paramNames(study.config), [study.config]);
  const conditions = useMemo(() => paramConditions(study.config), [study.config]);
  const numeric = useMemo(() => numericParamNames(study.config), [study.config]);
  const optimum = useMemo(() => knownOptimum(study), [study]);
  const ciHalf = useMemo(() => {
    const t = study.bestTrial;
    if (t && t.number === study.bestTrialNumber && t.ciLow != null && t.ciHigh != null) return (t.ciHigh - t.ciLow) / 2;
    const p = study.bestSoFar.find((b) => b.trialNumber === study.bestTrialNumber);
    return p && p.ciLow != null && p.ciHigh != null ? (p.ciHigh - p.ciLow) / 2 : null;
  }, [study.bestSoFar, study.bestTrialNumber, study.bestTrial]);
  const bestN = study.bestTrial && study.bestTrial.number === study.bestTrialNumber ? study.bestTrial.n : null;
  const [selected, setSelected] = useState<TrialRowOut | null>(null);
  const closeDrawer = useCallback(() => setSelected(null), []);
  const completedVersion = `${study.status}:${study.trialsCompleted}`;
  const evaluate = study.kind === 'evaluate';
  // An s3 study's trials span several NFE groups and roles: its own panel replaces the generic charts.
  const s3 = study.kind === 's3';
  const showNfe = useMemo(() => variesNfe(study.config), [study.config]);
  const samplerObj = study.config?.objective?.type === 'sampler' ? study.config.objective : null;
  const noiseStd = study.config?.objective?.type === 'function' ? (study.config.objective.noiseStd ?? null) : null;
  // Estimated metrics: the history's dots get their trials' intervals (the curve itself carries none).
  const points = useTrialPoints(study.id, completedVersion, !evaluate);
  const history = useMemo(() => {
    const ci = new Map((points.data?.rows ?? []).filter((r) => r.ciLow !== null && r.ciHigh !== null).map((r) => [r.number, r]));
    if (ci.size === 0) return study.bestSoFar;
    return study.bestSoFar.map((p) => {
      const r = ci.get(p.trialNumber);
      return r ? { ...p, ciLow: r.ciLow, ciHigh: r.ciHigh } : p;
    });
  }, [points.data, study.bestSoFar]);
  const tableSnapshot = useMemo(() => ({ page: snapshot.trials, fetching, onQuery: onTrialQuery }), [snapshot.trials, fetching, onTrialQuery]);

  return (
    <>
      <div className="panel">
        <div className="page-head" style={{ marginBottom: 4 }}>
          <h1>{study.name}</h1>
          <StatusBadge status={study.status} testId="study-status" health={study.health} />
          <span className="muted mono">{study.id}</span>
          <span className="spacer" />
          <Link href={`/compare?ids=${encodeURIComponent(study.id)}`} data-testid="compare-link">
            compare…
          </Link>
          {/* A stalled workflow never reads a pause signal: only cancel (terminate) helps. */}
          {(study.status === 'running' || study.status === 'paused') && study.health?.state !== 'stalled' && (
            <PauseButton id={study.id} paused={study.status === 'paused'} />
          )}
          {live && <CancelButton id={study.id} />}
        </div>
        {study.error && <div className="banner-error">{study.error}</div>}
        <HealthBanner health={study.health} />
        <div className="stats">
          <Stat k="progress">
            <ProgressBar completed={study.trialsCompleted} failed={study.trialsFailed} running={study.trialsRunning} total={study.trialsTotal} pruned={study.trialsPruned} />
          </Stat>
          <Stat k={`best ${study.metric} (${study.direction === 'minimize' ? 'min' : 'max'})`}>
            <span data-testid="study-best">{formatValue(study.bestValue)}</span>
            {ciHalf !== null && <span className="ci" data-testid="study-best-ci">± {formatValue(ciHalf, 3)}</span>}
            {ciHalf !== null && bestN !== null && <span className="ci">n = {formatCount(bestN)}</span>}
            {study.bestTrialNumber !== null && <span className="muted"> · trial #{study.bestTrialNumber}</span>}
          </Stat>
          {!evaluate && (
            <NoiseAwareBestStat study={study} version={completedVersion} noiseStd={noiseStd} />
          )}
          {optimum !== null && <Stat k="known optimum">{formatValue(optimum)}</Stat>}
          <Stat k="kind">{study.kind}</Stat>
          <Stat k="running / failed">
            {formatCount(study.trialsRunning)} / {formatCount(study.trialsFailed)}
          </Stat>
          <Stat k="source">
            {study.source}
            {study.scheduleId && <span className="muted"> ({study.scheduleId})</span>}
          </Stat>
          <Stat k="started">{formatTime(study.startedAt)}</Stat>
          <Stat k="elapsed">
            <Elapsed start={study.startedAt} end={study.finishedAt} live={live} />
          </Stat>
        </div>
        {!evaluate && <HoldoutLines strategy={study.strategy} />}
        <details style={{ marginTop: 10 }}>
          <summary>config{study.workflowId ? ` · workflow ${study.workflowId}` : ''}</summary>
          <pre className="config">{JSON.stringify(study.config, null, 2)}</pre>
        </details>
      </div>

      {evaluate && <EvaluatePanel study={study} />}

      {s3 && (
        <S3Panel
          studyId={study.id}
          version={completedVersion}
          metric={study.metric}
          trialsPerGroup={Math.floor((study.config?.budget?.trials ?? 0) / Math.max(1, study.config?.s3?.nfe?.length ?? 1))}
        />
      )}

      {showNfe && (
        <NfeChart
          studyId={study.id}
          version={completedVersion}
          metric={study.metric}
          direction={study.direction}
          preset={samplerObj?.preset}
          spacing={samplerObj?.spacing}
        />
      )}

      {/* Several objectives: the Pareto front and its hypervolume (the best-so-far below is the first objective's). */}
      {(study.config?.objectives?.length ?? 0) >= 2 && <ParetoPanel studyId={study.id} version={completedVersion} />}

      {/* An evaluate study compares a fixed list of candidates: its ranking replaces these. */}
      {!evaluate && !s3 && (
        <div className="panel">
          <h2>Best so far</h2>
          <BestChart points={history} metric={study.metric} direction={study.direction} optimum={optimum} noiseStd={noiseStd} />
        </div>
      )}

      {/* Command programs' per-step values (studies with a pruner): every trial's curve, pruned ones dashed. */}
      {study.config?.objective.type === 'command' && <LearningCurves studyId={study.id} live={study.status === 'running'} />}

      {!evaluate && !s3 && <ParallelChart studyId={study.id} version={completedVersion} />}

      {!evaluate && !s3 && <InsightsPanel study={study} version={completedVersion} noiseStd={noiseStd} />}

      {/* Samples of what the study actually ran: the best trial's settings; before any trial has
          finished, only when the study does not vary them (else the config's default preset,
          which it never used, would be named); never for a custom schedule, which has no preset. */}
      {samplerObj && (study.bestTrial ? study.bestTrial.params.schedule === undefined : !names.some((n) => ['preset', 'nfe', 'spacing', 'guidance', 'schedule'].includes(n))) && (
        <SampleGrid
          title={study.bestTrial ? `best trial #${study.bestTrial.number}` : 'study settings'}
          config={{
            model: samplerObj.model,
            preset: String(study.bestTrial?.params.preset ?? samplerObj.preset),
            nfe: Number(study.bestTrial?.params.nfe ?? samplerObj.nfe),
            spacing: String(study.bestTrial?.params.spacing ?? samplerObj.spacing),
            guidance: Number(study.bestTrial?.params.guidance ?? samplerObj.guidance),
            ...(samplerObj.label !== undefined ? { label: samplerObj.label } : {}),
          }}
        />
      )}

      {study.kind === 'bayesopt' && <SurrogateChart studyId={study.id} version={completedVersion} numericParams={numeric} />}

      <TrialTable
        studyId={study.id}
        version={`${study.status}:${study.trialsCompleted}:${study.trialsFailed}:${study.trialsRunning}`}
        paramNames={names}
        direction={study.direction}
        bestTrialNumber={study.bestTrialNumber}
        showProposal={study.kind === 'bayesopt'}
        selectedTrialId={selected?.id ?? null}
        onSelectTrial={setSelected}
        snapshot={tableSnapshot}
        hideWorkerTiming={evaluate}
        conditions={conditions}
        objectiveNames={(study.config?.objectives?.length ?? 0) >= 2 ? study.config!.objectives!.map((o) => o.metric) : undefined}
      />
      <StudyNotes studyId={study.id} notes={snapshot.notes} />
      {selected && <TrialDrawer key={selected.id} trial={selected} onClose={closeDrawer} conditions={conditions} studyId={study.id} />}
    </>
  );
}

/** What Temporal says about a live study's workflow when it is not fine, and what to do about it. */
function HealthBanner({ health }: { health: StudyDetailOut['health'] }) {
  if (!health || health.state === 'ok') return null;
  if (health.state === 'unknown') {
    return (
      <div className="muted" data-testid="study-health">
        Cannot tell whether the workflow is healthy: {health.reason}
      </div>
    );
  }
  return (
    <div className="banner-error" data-testid="study-health">
      <strong>Stalled</strong>
      {health.since && <span> since {formatTime(health.since)}</span>}: {health.reason}
      <div className="muted">Its trials will not move until the workflow is fixed. Cancel terminates the workflow and closes its trials.</div>
    </div>
  );
}

function Stat({ k, children }: { k: string; children: ReactNode }) {
  return (
    <div className="stat">
      <div className="k">{k}</div>
      <div className="v">{children}</div>
    </div>
  );
}

function Elapsed({ start, end, live }: { start: Date | null; end: Date | null; live: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);
  return <>{formatDuration(between(start, end, now))}</>;
}

/** Pause stops dispatching (trials in flight finish); resume continues. */
function PauseButton({ id, paused }: { id: string; paused: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = { onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.studies.pathKey() }) };
  const pause = useMutation(trpc.studies.pause.mutationOptions(options));
  const resume = useMutation(trpc.studies.resume.mutationOptions(options));
  const error = pause.error ?? resume.error;
  return (
    <>
      {error && !isUnauthorized(error) && <span className="field-error">{errorMessage(error)}</span>}
      <button
        type="button"
        data-testid={paused ? 'resume-study' : 'pause-study'}
        disabled={pause.isPending || resume.isPending}
        onClick={() => (paused ? resume.mutate({ id }) : pause.mutate({ id }))}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
    </>
  );
}

/** Two clicks (arm, then confirm) instead of window.confirm, which automated browsers dismiss. */
function CancelButton({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [armed, setArmed] = useState(false);
  const cancel = useMutation(
    trpc.studies.cancel.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.studies.pathKey() }),
    }),
  );
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);
  return (
    <>
      {cancel.error && !isUnauthorized(cancel.error) && <span className="field-error">{errorMessage(cancel.error)}</span>}
      <button
        type="button"
        className={`danger${armed ? ' armed' : ''}`}
        data-testid="cancel-study"
        disabled={cancel.isPending}
        onClick={() => {
          if (!armed) return setArmed(true);
          setArmed(false);
          cancel.mutate({ id });
        }}
      >
        {cancel.isPending ? 'Cancelling…' : armed ? 'Click again to cancel' : 'Cancel study'}
      </button>
    </>
  );
}
