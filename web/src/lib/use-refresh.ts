'use client';

import { useEffect, useRef } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';

/**
 * Invalidates `queryKey` whenever `version` changes after the first render: panels refetch when
 * the study they show moves on (a trial finished), and cost nothing while it is idle.
 */
export function useRefreshOn(version: string, queryKey: QueryKey): void {
  const queryClient = useQueryClient();
  const seen = useRef(version);
  const key = useRef(queryKey);
  key.current = queryKey;
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void queryClient.invalidateQueries({ queryKey: key.current });
  }, [version, queryClient]);
}
