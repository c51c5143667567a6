/**
 * The dashboard's copy of the API token: a cookie the server sets (POST /api/token) with HttpOnly,
 * so no script in the page, injected or not, can read it, and SameSite=Strict, so no other site can
 * make the browser send it. Page code never sees the token after the prompt hands it over.
 */

export const TOKEN_COOKIE = 'stepwise_token';
export const TOKEN_ENDPOINT = '/api/token';
const ONE_YEAR_S = 60 * 60 * 24 * 365;

/** Set-Cookie value storing the token; Secure when the dashboard is served over https. */
export function tokenCookieString(token: string, secure: boolean): string {
  const attrs = [`${TOKEN_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${ONE_YEAR_S}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** Set-Cookie value removing the token. */
export function clearedTokenCookieString(secure: boolean): string {
  const attrs = [`${TOKEN_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0'];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** Hands the token to the server, which checks it and stores it as the cookie. Resolves to an error message or null. */
export async function saveToken(token: string): Promise<string | null> {
  const res = await fetch(TOKEN_ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    credentials: 'same-origin',
  });
  if (res.ok) return null;
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === 'string' ? body.error : `the server answered ${res.status}`;
}

/** Forgets the stored token (the server clears the cookie). */
export async function clearToken(): Promise<void> {
  await fetch(TOKEN_ENDPOINT, { method: 'DELETE', credentials: 'same-origin' });
}
