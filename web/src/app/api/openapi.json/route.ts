import { openApiDocument } from '../../../server/openapi';

export const runtime = 'nodejs';
export const dynamic = 'force-static';

/** The HTTP JSON API described from the procedures' zod schemas (see server/openapi.ts). */
export function GET(): Response {
  return Response.json(openApiDocument());
}
