export interface HealthLike {
  state: 'ok' | 'stalled' | 'unknown';
  reason: string | null;
}

/**
 * The study's status, and beside it a red "stalled" badge when Temporal says its workflow cannot
 * move (the row still reads `running`: that is what the workflow last recorded).
 */
export function StatusBadge({ status, testId, health }: { status: string; testId?: string; health?: HealthLike | null }) {
  return (
    <>
      <span className={`badge badge-${status}`} data-testid={testId} data-status={status}>
        {status}
      </span>
      {health?.state === 'stalled' && (
        <span className="badge badge-failed badge-stalled" data-testid={testId ? `${testId}-stalled` : 'status-stalled'} title={health.reason ?? undefined}>
          stalled
        </span>
      )}
    </>
  );
}
