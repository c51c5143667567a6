import { NotFoundError, ValidationError } from './service-types';
import type { ServiceDeps } from './context';

/** Longest notes accepted: a page of prose, far below the API's body limit. */
export const STUDY_NOTES_MAX_CHARS = 10_000;

export interface SetStudyNotesInput {
  id: string;
  notes: string;
}

export interface StudyNotes {
  id: string;
  /** Null once cleared (empty or whitespace-only notes). */
  notes: string | null;
}

// Control characters other than tab, newline and carriage return: nothing a person types.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** What is wrong with `notes`, named by field with the fix; empty when they can be stored. */
export function studyNotesIssues(notes: string): Array<{ field: string; message: string }> {
  const issues: Array<{ field: string; message: string }> = [];
  if (notes.length > STUDY_NOTES_MAX_CHARS) {
    issues.push({ field: 'notes', message: `at most ${STUDY_NOTES_MAX_CHARS} characters (got ${notes.length}): shorten the notes or link to a document` });
  }
  if (CONTROL.test(notes)) issues.push({ field: 'notes', message: 'contains control characters: keep to text, tabs and newlines' });
  return issues;
}

/**
 * Replaces a study's notes (a researcher's free text; the dashboard shows it on the study page).
 * Invalid notes are a ValidationError on "notes" and write nothing; an unknown study is a NotFoundError.
 */
export function setStudyNotes({ db }: ServiceDeps) {
  return async ({ id, notes }: SetStudyNotesInput): Promise<StudyNotes> => {
    const issues = studyNotesIssues(notes);
    if (issues.length > 0) throw new ValidationError(issues);
    const value = notes.trim() === '' ? null : notes;
    const updated = await db.study.updateMany({ where: { id }, data: { notes: value } });
    if (updated.count === 0) throw new NotFoundError('study', id);
    return { id, notes: value };
  };
}
