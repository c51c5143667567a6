import { formatCount } from '../lib/format';

/** Completed (solid), pruned (amber) and failed (striped) shares of the total, with the count beside the bar. */
export function ProgressBar({ completed, failed, running, total, pruned = 0 }: { completed: number; failed: number; running?: number; total: number; pruned?: number }) {
  const pct = (n: number) => (total > 0 ? Math.min(100, (100 * n) / total) : 0);
  const title = `${formatCount(completed)} completed, ${pruned ? `${formatCount(pruned)} pruned, ` : ''}${formatCount(failed)} failed${running ? `, ${formatCount(running)} running` : ''} of ${formatCount(total)}`;
  return (
    <span className="progress" title={title}>
      <span className="progress-track">
        <span className="progress-done" style={{ width: `${pct(completed)}%` }} />
        {pruned > 0 && <span className="progress-pruned" style={{ width: `${pct(pruned)}%` }} />}
        <span className="progress-failed" style={{ width: `${pct(failed)}%` }} />
        <span className="progress-running" style={{ width: `${pct(running ?? 0)}%` }} />
      </span>
      <span className="progress-label">
        {formatCount(completed + pruned + failed)}/{formatCount(total)}
      </span>
    </span>
  );
}
