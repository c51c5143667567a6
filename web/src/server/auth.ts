import { createHash, timingSafeEqual } from 'node:crypto';
import { clearedTokenCookieString, TOKEN_COOKIE, tokenCookieString } from '../lib/token';

/** Cookie the dashboard stores the API token in (set by POST /api/token: HttpOnly, SameSite=Strict). */
export { TOKEN_COOKIE };

/** The token a request presents: `Authorization: Bearer <t>` first, then the dashboard cookie. */
export function presentedToken(headers: Headers | null | undefined): string | null {
  if (!headers) return null;
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  const cookie = headers.get('cookie');
  if (cookie) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== TOKEN_COOKIE) continue;
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw) || null;
      } catch {
        return raw || null;
      }
    }
  }
  return null;
}

/**
 * Constant-time comparison. Both sides are hashed first so neither the length nor a common prefix
 * of the expected token leaks through timing.
 */
export function tokensMatch(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The configured API token, or null when the API is open (STEPWISE_API_TOKEN unset or empty). */
export function configuredToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const t = env.STEPWISE_API_TOKEN;
  return t && t.length > 0 ? t : null;
}

/** Whether the browser talks to us over https (directly, or through a proxy that says so). */
function servedOverHttps(req: Request): boolean {
  if (new URL(req.url).protocol === 'https:') return true;
  return (req.headers.get('x-forwarded-proto') ?? '').split(',')[0].trim().toLowerCase() === 'https';
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });

/**
 * POST /api/token {"token": "..."}: checks the token and stores it as the dashboard's HttpOnly
 * cookie; DELETE clears it. Only same-origin JSON requests are taken, so another site can neither
 * plant its own token in a visitor's browser (a plain form cannot send JSON, and a cross-origin
 * fetch carries an Origin that does not match) nor learn anything from the answer.
 */
export async function handleTokenRequest(req: Request, env: NodeJS.ProcessEnv = process.env): Promise<Response> {
  const origin = req.headers.get('origin');
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? new URL(req.url).host;
  if (origin !== null && originHost(origin) !== host) {
    return json(403, { error: `cross-origin request refused (Origin ${origin} is not ${host})` });
  }
  const secure = servedOverHttps(req);
  if (req.method === 'DELETE') return json(200, { ok: true }, { 'set-cookie': clearedTokenCookieString(secure) });
  if (req.method !== 'POST') return json(405, { error: 'use POST {"token": "..."} to store the token, DELETE to forget it' }, { allow: 'POST, DELETE' });
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return json(415, { error: 'send the token as JSON: content-type application/json, body {"token": "..."}' });
  }
  const body = (await req.json().catch(() => null)) as { token?: unknown } | null;
  const token = typeof body?.token === 'string' ? body.token.trim() : '';
  if (!token) return json(400, { error: 'token: expected a non-empty string, e.g. {"token": "<STEPWISE_API_TOKEN>"}' });
  const expected = configuredToken(env);
  // Refused tokens are not stored: the prompt says so at once instead of after the next query fails.
  if (expected !== null && !tokensMatch(token, expected)) return json(401, { error: 'invalid API token' });
  return json(200, { ok: true }, { 'set-cookie': tokenCookieString(token, secure) });
}
