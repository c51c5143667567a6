/** At most `limit` items spread evenly over `items` (first one kept, order kept). */
export function sampleEvenly<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  if (limit <= 0) return [];
  const out: T[] = [];
  for (let k = 0; k < limit; k++) out.push(items[Math.floor((k * items.length) / limit)]);
  return out;
}
