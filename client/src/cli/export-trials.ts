import { effectiveSpace, isMultiObjective, studyObjectives, type TStudyConfig } from '@stepwise/core';
import type { StepwiseClient } from '../index';
import type { ExportFormat } from './args';
import { trialCsvHeader, trialCsvRow, type CsvTrial } from './csv';

export const EXPORT_PAGE_SIZE = 500;

/** A sink that honours backpressure (a file or stdout). */
export type Write = (chunk: string) => Promise<void>;

function paramNamesOf(config: TStudyConfig, firstPage: CsvTrial[]): string[] {
  try {
    return effectiveSpace(config).map((p) => p.name);
  } catch {
    return [...new Set(firstPage.flatMap((t) => Object.keys(t.params)))];
  }
}

/**
 * Streams every trial of a study, page by page in trial-number order, so memory stays flat for
 * any study size. Returns the number of trials written.
 */
export async function exportTrials(client: StepwiseClient, studyId: string, format: ExportFormat, write: Write): Promise<number> {
  const study = await client.studies.get.query({ id: studyId });
  let cursor: string | null = null;
  let count = 0;
  let names: string[] | null = null;
  const metrics = isMultiObjective(study.config) ? studyObjectives(study.config).map((o) => o.metric) : [];
  if (format === 'json') await write('[');
  do {
    const page: Awaited<ReturnType<typeof client.trials.list.query>> = await client.trials.list.query({
      studyId,
      limit: EXPORT_PAGE_SIZE,
      sort: 'number',
      order: 'asc',
      cursor,
    });
    if (format === 'csv' && names === null) {
      names = paramNamesOf(study.config, page.items);
      await write(trialCsvHeader(names, metrics));
    }
    let chunk = '';
    for (const t of page.items) {
      if (format === 'csv') chunk += trialCsvRow(t, names!, metrics.length);
      else if (format === 'jsonl') chunk += `${JSON.stringify(t)}\n`;
      else chunk += `${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(t)}`;
      count++;
    }
    if (chunk) await write(chunk);
    cursor = page.nextCursor;
  } while (cursor);
  if (format === 'json') await write(count === 0 ? ']\n' : '\n]\n');
  return count;
}
