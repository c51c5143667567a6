export const dynamic = 'force-dynamic';

/** Liveness for the stack script and load balancers: no service calls, no auth. */
export function GET() {
  return Response.json({ ok: true });
}
