'use client';

import { useCallback, useState } from 'react';

/**
 * Cursor pagination state: a stack of cursors, one per visited page. Forward uses the server's
 * nextCursor; back pops. Changing the query (sort, filter) must call reset().
 */
export function useCursorPager() {
  const [stack, setStack] = useState<Array<string | null>>([null]);
  const cursor = stack[stack.length - 1];
  const page = stack.length - 1;
  const next = useCallback((nextCursor: string | null) => {
    if (nextCursor) setStack((s) => [...s, nextCursor]);
  }, []);
  const prev = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { cursor, page, next, prev, reset };
}

export function Pager({
  page,
  hasNext,
  onPrev,
  onNext,
  onFirst,
  label,
}: {
  page: number;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  onFirst: () => void;
  label?: string;
}) {
  return (
    <div className="pager">
      <button type="button" onClick={onFirst} disabled={page === 0}>
        « First
      </button>
      <button type="button" onClick={onPrev} disabled={page === 0} data-testid="page-prev">
        ‹ Prev
      </button>
      <span className="muted">{label ?? `page ${page + 1}`}</span>
      <button type="button" onClick={onNext} disabled={!hasNext} data-testid="page-next">
        Next ›
      </button>
    </div>
  );
}
