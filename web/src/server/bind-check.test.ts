import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bindRefusal, isLoopback, parseWebArgs } from '../../../infra/web-start.mjs';

/** infra/web-start.mjs: a web app reachable from other machines must require STEPWISE_API_TOKEN. */
describe('web bind check', () => {
  it('tells loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'stepwise.example', '128.0.0.1']) expect(isLoopback(h)).toBe(false);
  });

  it('refuses a non-loopback address without a token, and allows it with one', () => {
    expect(bindRefusal('0.0.0.0', {})).toMatch(/STEPWISE_API_TOKEN/);
    expect(bindRefusal('0.0.0.0', { STEPWISE_API_TOKEN: '   ' })).toMatch(/STEPWISE_API_TOKEN/);
    expect(bindRefusal('0.0.0.0', { STEPWISE_API_TOKEN: 'a-token' })).toBeNull();
    expect(bindRefusal('127.0.0.1', {})).toBeNull();
  });

  it('reads the address from -H/--hostname, else STEPWISE_WEB_HOST, else loopback', () => {
    expect(parseWebArgs(['-p', '3001', '-H', '0.0.0.0']).host).toBe('0.0.0.0');
    expect(parseWebArgs(['--hostname=::', '--port=4000', '--keepAliveTimeout', '5000'], {})).toEqual({ host: '::', port: '4000', rest: ['--keepAliveTimeout', '5000'] });
    expect(parseWebArgs([], { STEPWISE_WEB_HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(parseWebArgs([], {})).toEqual({ host: '127.0.0.1', port: '3000', rest: [] });
  });

  it('exits with the reason before starting Next when the check fails', () => {
    const env = { ...process.env };
    delete env.STEPWISE_API_TOKEN;
    const r = spawnSync(process.execPath, ['infra/web-start.mjs', '-p', '1', '-H', '0.0.0.0'], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to serve the Stepwise API on 0.0.0.0 without an API token');
  });
});
