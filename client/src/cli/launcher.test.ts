import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distIsFresh } from '../../bin/freshness.mjs';

/** The launcher (client/bin): runs client/dist only when it is at least as new as every source in it, and does the API calls on node:http. */
describe('built CLI freshness', () => {
  let root: string;
  let dist: string;
  const builtAt = Date.parse('2026-01-01T00:00:00Z');
  const at = (path: string, ms: number) => utimesSync(path, ms / 1000, ms / 1000);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stepwise-launcher-'));
    dist = join(root, 'client', 'dist');
    mkdirSync(dist, { recursive: true });
    mkdirSync(join(root, 'core'), { recursive: true });
    writeFileSync(join(root, 'core', 'a.ts'), 'export const a = 1;\n');
    at(join(root, 'core', 'a.ts'), builtAt - 60_000);
    writeFileSync(join(dist, 'stepwise.mjs'), 'export async function main() { return 0; }\n');
    at(join(dist, 'stepwise.mjs'), builtAt);
    writeFileSync(join(dist, 'inputs.json'), JSON.stringify({ builtAt, inputs: ['core/a.ts'] }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh when every input is older than the build', () => {
    expect(distIsFresh(dist)).toBe(true);
  });

  it('is stale when an input was edited after the build', () => {
    at(join(root, 'core', 'a.ts'), builtAt + 1000);
    expect(distIsFresh(dist)).toBe(false);
  });

  it('is stale when an input is gone or there is no manifest', () => {
    rmSync(join(root, 'core', 'a.ts'));
    expect(distIsFresh(dist)).toBe(false);
    rmSync(join(dist, 'inputs.json'));
    expect(distIsFresh(dist)).toBe(false);
  });
});

describe('the launcher fetch (node:http)', () => {
  it('posts a body with its headers and reads status, headers and JSON back', async () => {
    const { createServer } = await import('node:http');
    const { httpFetch } = await import('../../bin/http-fetch.mjs');
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-seen': String(req.headers.authorization) });
        res.end(JSON.stringify({ method: req.method, body, length: req.headers['content-length'] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const res = await httpFetch(`http://127.0.0.1:${port}/api`, { method: 'POST', body: '{"é":1}', headers: { authorization: 'Bearer t' } });
      expect(res.ok).toBe(true);
      expect(res.headers.get('x-seen')).toBe('Bearer t');
      expect(await res.json()).toEqual({ method: 'POST', body: '{"é":1}', length: String(Buffer.byteLength('{"é":1}')) });
      const missing = await httpFetch(`http://127.0.0.1:${port}/missing`);
      expect([missing.ok, missing.status]).toEqual([false, 404]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('fails like fetch when nothing listens: TypeError "fetch failed" with the system error as cause', async () => {
    const { createServer } = await import('node:net');
    const { httpFetch } = await import('../../bin/http-fetch.mjs');
    // A port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const err = (await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as TypeError & { cause?: { code?: string } };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.code).toBe('ECONNREFUSED');
  });
});
