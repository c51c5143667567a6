import { formatCount } from '../lib/format';

/** Completed (solid) and failed (striped) shares of the total, with the count beside the bar. */
export function ProgressBar({ completed, failed, running, total }: { completed: number; failed: number; running?: number; total: number }) {
  const pct = (n: number) => (total > 0 ? Math.min(100, (100 * n) / total) : 0);
  const title = `${formatCount(completed)} completed, ${formatCount(failed)} failed${running ? `, ${formatCount(running)} running` : ''} of ${formatCount(total)}`;
  return (
    <span className="progress" title={title}>
      <span className="progress-track">
        <span className="progress-done" style={{ width: `${pct(completed)}%` }} />
        <span className="progress-failed" style={{ width: `${pct(failed)}%` }} />
        <span className="progress-running" style={{ width: `${pct(running ?? 0)}%` }} />
      </span>
      <span className="progress-label">
        {formatCount(completed + failed)}/{formatCount(total)}
      </span>
    </span>
  );
}
