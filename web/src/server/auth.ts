import { createHash, timingSafeEqual } from 'node:crypto';

/** Cookie the dashboard stores the API token in (set by the token prompt, SameSite=Strict). */
export const TOKEN_COOKIE = 'stepwise_token';

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
