import { getStudyRow, InvalidCursorError, listTrialRows } from '@stepwise/db';
import { NotFoundError, ValidationError, type TrialRow, type TrialStatus } from './service-types';
import type { ServiceDeps } from './context';
import { toTrialRow } from './rows';

export type TrialSortField = 'number' | 'value' | 'finishedAt';

export interface ListTrialsInput {
  studyId: string;
  /** Opaque cursor from the previous page's nextCursor. */
  cursor?: string | null;
  limit: number; // 1..500
  sort: TrialSortField;
  order: 'asc' | 'desc';
  status?: TrialStatus;
}

export interface TrialPage {
  items: TrialRow[];
  nextCursor: string | null;
  total: number;
}

/** A sorted page of a study's trials; a cursor that does not parse is a ValidationError on "cursor". */
export function listTrials({ db }: ServiceDeps) {
  return async (input: ListTrialsInput): Promise<TrialPage> => {
    if (!(await getStudyRow(db, input.studyId))) throw new NotFoundError('study', input.studyId);
    try {
      const page = await listTrialRows(db, input);
      return { items: page.items.map(toTrialRow), nextCursor: page.nextCursor, total: page.total };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ValidationError([{ field: 'cursor', message: err.message }]);
      throw err;
    }
  };
}
