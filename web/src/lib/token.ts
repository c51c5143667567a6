/** The dashboard's copy of the API token: a SameSite=Strict cookie, also sent as a Bearer header. */

export const TOKEN_COOKIE = 'stepwise_token';

export function readTokenCookie(cookie: string = typeof document === 'undefined' ? '' : document.cookie): string | null {
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== TOKEN_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim()) || null;
    } catch {
      return null;
    }
  }
  return null;
}

export function tokenCookieString(token: string, secure: boolean): string {
  const attrs = [`${TOKEN_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'SameSite=Strict', `Max-Age=${60 * 60 * 24 * 365}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

export function writeTokenCookie(token: string): void {
  document.cookie = tokenCookieString(token, location.protocol === 'https:');
}

export function clearTokenCookie(): void {
  document.cookie = `${TOKEN_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`;
}
