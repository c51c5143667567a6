import type { Db } from '@stepwise/db';
import { NotFoundError, ValidationError } from './service-types';

/**
 * Ids as people type them: a full UUID, or (as git accepts) a unique prefix of at least
 * MIN_PREFIX hex digits, dashes optional. Anything else cannot be a row and is not found at once;
 * it never reaches Postgres, which would answer a malformed uuid with an error of its own.
 *
 * A prefix is a range query on the uuid primary key: Postgres orders uuids by their bytes, which
 * is the order of their hex digits, so "3f2a" is every id from 3f2a0000-0000-... to 3f2affff-ffff-....
 */

export const MIN_PREFIX = 4;
const FULL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANDIDATES_SHOWN = 10;

type Kind = 'study' | 'schedule';

const asUuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The hex digits of an id prefix, or null when `id` cannot be (a prefix of) a uuid. */
export function prefixDigits(id: string): string | null {
  const s = id.trim().toLowerCase();
  if (!/^[0-9a-f-]+$/.test(s)) return null;
  const hex = s.replace(/-/g, '');
  if (hex.length < MIN_PREFIX || hex.length > 32) return null;
  // Dashes, where given, must sit where a uuid has them.
  if (s.includes('-') && !FULL.test(s) && !asUuid(hex.padEnd(32, '0')).startsWith(s)) return null;
  return hex;
}

function notFound(kind: Kind, id: string): NotFoundError {
  return new NotFoundError(kind, JSON.stringify(id), `ids are UUIDs such as 3f2a9c1e-...; a unique prefix of ${MIN_PREFIX} or more hex digits works too`);
}

async function matches(db: Db, kind: Kind, lo: string, hi: string): Promise<Array<{ id: string; name: string }>> {
  const where = { id: { gte: lo, lte: hi } };
  const args = { where, select: { id: true, name: true }, orderBy: { createdAt: 'desc' as const }, take: CANDIDATES_SHOWN + 1 };
  return kind === 'study' ? db.study.findMany(args) : db.rerunSchedule.findMany(args);
}

/** The full id of the study or schedule that `id` names; NotFoundError, or a ValidationError listing the candidates of an ambiguous prefix. */
export async function resolveId(db: Db, kind: Kind, id: string, field = 'id'): Promise<string> {
  if (typeof id !== 'string') throw notFound(kind, String(id));
  const trimmed = id.trim().toLowerCase();
  if (FULL.test(trimmed)) return trimmed;
  const hex = prefixDigits(trimmed);
  if (!hex) throw notFound(kind, id);
  const found = await matches(db, kind, asUuid(hex.padEnd(32, '0')), asUuid(hex.padEnd(32, 'f')));
  if (found.length === 1) return found[0].id;
  if (found.length === 0) throw notFound(kind, id);
  const listed = found.slice(0, CANDIDATES_SHOWN).map((r) => `${r.id} (${r.name})`).join(', ');
  const more = found.length > CANDIDATES_SHOWN ? ' and more' : '';
  throw new ValidationError([{ field, message: `"${id}" is the start of more than one ${kind} id: ${listed}${more}; give more characters` }]);
}
