'use client';

import { useEffect, useState } from 'react';

/**
 * `data` for costly derived views (a GP fitted in the browser): while the study is live it is
 * taken again only once its rows grew by a tenth (or by one, while there are few), so a poll
 * every 1.5 s does not refit a surrogate each time; a finished study always gets the latest.
 */
export function useSettled<T extends { rows: readonly unknown[] }>(data: T | undefined, live: boolean): T | undefined {
  const [basis, setBasis] = useState<T | undefined>(data);
  useEffect(() => {
    if (!data || data === basis) return;
    if (!basis || !live || data.rows.length >= Math.ceil(basis.rows.length * 1.1) || basis.rows.length < 10) setBasis(data);
  }, [data, live, basis]);
  return basis;
}
