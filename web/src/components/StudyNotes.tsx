'use client';

import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { errorMessage, fieldIssues, isUnauthorized } from '../lib/errors';

/**
 * A researcher's notes on a study (what was tried, why, what next), saved on the study. The
 * server checks the text limits and names the field; its message shows under the box.
 */
export function StudyNotes({ studyId, notes }: { studyId: string; notes: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(notes ?? '');
  const [dirty, setDirty] = useState(false);
  // A poll brings the stored notes; they replace the box only while nobody is typing in it.
  useEffect(() => {
    if (!dirty) setText(notes ?? '');
  }, [notes, dirty]);
  const save = useMutation(
    trpc.studies.setNotes.mutationOptions({
      onSuccess: () => {
        setDirty(false);
        void queryClient.invalidateQueries({ queryKey: trpc.studies.snapshot.pathKey() });
      },
    }),
  );
  const issue = save.error ? (fieldIssues(save.error).find((i) => i.field === 'notes')?.message ?? (isUnauthorized(save.error) ? null : errorMessage(save.error))) : null;
  return (
    <div className="panel" data-testid="study-notes">
      <div className="panel-head">
        <h2>Notes</h2>
        {!dirty && notes && (
          <span className="muted" data-testid="study-notes-saved">
            saved
          </span>
        )}
      </div>
      <textarea
        name="notes"
        data-testid="study-notes-text"
        rows={4}
        style={{ width: '100%', fontFamily: 'inherit' }}
        placeholder="What this study tried, what you learned, what to run next…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setDirty(true);
        }}
      />
      <div className="toolbar" style={{ marginTop: 6 }}>
        <button type="button" data-testid="study-notes-save" disabled={!dirty || save.isPending} onClick={() => save.mutate({ id: studyId, notes: text })}>
          {save.isPending ? 'Saving…' : 'Save notes'}
        </button>
        {issue && (
          <span className="field-error" data-testid="error-notes">
            notes: {issue}
          </span>
        )}
      </div>
    </div>
  );
}
