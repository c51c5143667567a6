'use client';

import { useEffect, useState } from 'react';
import { scheduleSummary } from '@stepwise/core/config/schedule-summary';

/**
 * A trial's `schedule` parameter (a whole USF solver schedule) in a table cell: a short summary
 * ("USF · 4 NFE · data/1 data/2+1m,c …") and, a click away, the full schedule as pretty JSON in
 * a dialog with a copy button. Anything that is not a schedule shows as its JSON.
 */
export function ScheduleParam({ value }: { value: unknown }) {
  const [open, setOpen] = useState(false);
  const summary = scheduleSummary(value) ?? JSON.stringify(value);
  return (
    <>
      <button
        type="button"
        className="link mono"
        data-testid="schedule-param"
        title="show the whole schedule"
        onClick={(e) => {
          e.stopPropagation(); // the row's own click selects the trial
          setOpen(true);
        }}
      >
        {summary}
      </button>
      {open && <ScheduleDialog value={value} summary={summary} onClose={() => setOpen(false)} />}
    </>
  );
}

function ScheduleDialog({ value, summary, onClose }: { value: unknown; summary: string; onClose: () => void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const json = JSON.stringify(value, null, 2);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="drawer" role="dialog" aria-label="solver schedule" data-testid="schedule-dialog" onClick={(e) => e.stopPropagation()}>
      <div className="panel-head">
        <h2>Solver schedule</h2>
        <button
          type="button"
          data-testid="schedule-copy"
          onClick={() => {
            navigator.clipboard?.writeText(json).then(() => setCopied('copied'), () => setCopied('failed'));
          }}
        >
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed: select the text' : 'Copy JSON'}
        </button>
        <button type="button" onClick={onClose} aria-label="close">
          ✕
        </button>
      </div>
      <p className="muted mono">{summary}</p>
      <pre className="mono" data-testid="schedule-json" style={{ whiteSpace: 'pre', overflow: 'auto', userSelect: 'all' }}>
        {json}
      </pre>
    </div>
  );
}
