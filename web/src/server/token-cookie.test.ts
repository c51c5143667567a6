import { describe, expect, it } from 'vitest';
import { handleTokenRequest } from './auth';

/** POST /api/token: the dashboard's token becomes an HttpOnly, SameSite=Strict cookie set by the server. */
const env: NodeJS.ProcessEnv = { ...process.env, STEPWISE_API_TOKEN: 'right-token' };

function tokenRequest(body: unknown, opts: { url?: string; headers?: Record<string, string>; method?: string } = {}): Request {
  return new Request(opts.url ?? 'http://127.0.0.1:3000/api/token', {
    method: opts.method ?? 'POST',
    headers: { 'content-type': 'application/json', host: new URL(opts.url ?? 'http://127.0.0.1:3000').host, ...opts.headers },
    body: opts.method === 'DELETE' ? undefined : JSON.stringify(body),
  });
}

describe('token cookie route', () => {
  it('stores a right token as an HttpOnly, SameSite=Strict cookie (not Secure over plain http)', async () => {
    const res = await handleTokenRequest(tokenRequest({ token: 'right-token' }), env);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^stepwise_token=right-token;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure');
  });

  it('marks the cookie Secure over https, directly or behind a proxy that says so', async () => {
    const direct = await handleTokenRequest(tokenRequest({ token: 'right-token' }, { url: 'https://stepwise.example/api/token' }), env);
    expect(direct.headers.get('set-cookie')).toContain('Secure');
    const proxied = await handleTokenRequest(tokenRequest({ token: 'right-token' }, { headers: { 'x-forwarded-proto': 'https' } }), env);
    expect(proxied.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a wrong token and sets nothing', async () => {
    const res = await handleTokenRequest(tokenRequest({ token: 'wrong' }), env);
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(((await res.json()) as { error: string }).error).toBe('invalid API token');
  });

  it('refuses cross-origin requests, non-JSON bodies and a missing token, naming the fix', async () => {
    const cross = await handleTokenRequest(tokenRequest({ token: 'right-token' }, { headers: { origin: 'https://evil.example' } }), env);
    expect(cross.status).toBe(403);
    expect(cross.headers.get('set-cookie')).toBeNull();
    const form = await handleTokenRequest(tokenRequest('token=right-token', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), env);
    expect(form.status).toBe(415);
    expect(form.headers.get('set-cookie')).toBeNull();
    const empty = await handleTokenRequest(tokenRequest({ token: '  ' }), env);
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/^token: /);
  });

  it('accepts a same-origin request and clears the cookie on DELETE', async () => {
    const same = await handleTokenRequest(tokenRequest({ token: 'right-token' }, { headers: { origin: 'http://127.0.0.1:3000' } }), env);
    expect(same.status).toBe(200);
    const cleared = await handleTokenRequest(tokenRequest(null, { method: 'DELETE' }), env);
    expect(cleared.headers.get('set-cookie')).toMatch(/^stepwise_token=; .*Max-Age=0/);
    expect(cleared.headers.get('set-cookie')).toContain('HttpOnly');
  });
});
