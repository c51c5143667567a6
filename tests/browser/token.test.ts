import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from '../support/env';
import { startTestWeb, launchChromium } from '../support/web';
import { stopProcess, testWorkerEnv } from '../support/workers';

/**
 * The dashboard behind STEPWISE_API_TOKEN in a real browser: the prompt hands the token to the
 * server, which stores it as an HttpOnly, SameSite=Strict cookie that page scripts cannot read.
 */
const TOKEN = 'browser-token-7d2e0b';
const w = testWorkerEnv('browser-token');
const port = TEST_ENV.webPort + 2;
const base = `http://127.0.0.1:${port}`;
let web: ManagedProcess;
let browser: Browser;

beforeAll(async () => {
  web = await startTestWeb(w, port, { STEPWISE_API_TOKEN: TOKEN });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (web) await stopProcess(web);
});

describe('API token in the dashboard', () => {
  it('refuses a wrong token, stores the right one as an HttpOnly cookie and then loads the studies', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('token-prompt').waitFor({ timeout: 30_000 });

    await page.getByTestId('token-input').fill('wrong-token');
    await page.getByTestId('token-submit').click();
    await expect.poll(async () => page.getByTestId('token-error').textContent(), { timeout: 20_000 }).toContain('invalid API token');
    expect(await context.cookies(base)).toEqual([]);

    await page.getByTestId('token-input').fill(TOKEN);
    await page.getByTestId('token-submit').click();
    await page.getByTestId('token-prompt').waitFor({ state: 'detached', timeout: 30_000 });

    const [cookie] = await context.cookies(base);
    expect(cookie).toMatchObject({ name: 'stepwise_token', value: TOKEN, httpOnly: true, sameSite: 'Strict', secure: false });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('stepwise_token');

    // Reloading keeps working: the browser sends the cookie, the API accepts it, no prompt.
    const answered = page.waitForResponse((r) => r.url().includes('/api/trpc/'), { timeout: 30_000 });
    await page.reload();
    expect((await answered).status()).toBe(200);
    expect(await page.getByTestId('token-prompt').count()).toBe(0);
    await context.close();
  });
});
