'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc';
import { useRefreshOn } from './use-refresh';

/** Most completed trials the insight views read (evenly thinned on the server beyond it). */
export const POINTS_LIMIT = 1000;

/**
 * The study's completed trials with their intervals, shared by every panel that plots them (one
 * request per study page: the same query key dedupes), refetched when the study moves on.
 */
export function useTrialPoints(studyId: string, version: string, enabled = true) {
  const trpc = useTRPC();
  const input = { studyId, limit: POINTS_LIMIT };
  useRefreshOn(version, trpc.studies.points.queryKey(input));
  return useQuery(trpc.studies.points.queryOptions(input, { placeholderData: keepPreviousData, enabled }));
}
