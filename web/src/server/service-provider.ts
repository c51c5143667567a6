import { serviceConfigFromEnv, type ServiceConfig } from '@stepwise/service/config';
import { createServiceFromConfig } from '@stepwise/service';
import type { StepwiseService } from '@stepwise/service/service-types';
import { ServiceUnavailableError } from './errors';

const DEMO_KEY = Symbol.for('stepwise.demoService');
const REAL_KEY = Symbol.for('stepwise.orchestratorService');

/**
 * The service behind /api/trpc: @stepwise/service's (Postgres + Temporal). With
 * STEPWISE_FAKE_SERVICE=1 under `next dev` only, an in-memory simulation instead, for UI work
 * and demos without the stack; it is process-local and forgets everything on restart.
 */
export function resolveService(env: NodeJS.ProcessEnv = process.env): StepwiseService {
  if (env.STEPWISE_FAKE_SERVICE === '1') return demoService();
  // On globalThis, not in a module variable: Next's dev server reloads modules, and each copy
  // would otherwise open its own database pool and Temporal connection.
  const g = globalThis as { [REAL_KEY]?: ServiceHandle };
  return (g[REAL_KEY] ??= orchestratorService(() => serviceConfigFromEnv(env))).service;
}

/**
 * The in-memory demo service, loaded by a dynamic import inside a NODE_ENV check: Next inlines
 * NODE_ENV, so a production build drops the branch and never bundles the simulation, and a
 * production server asked for it refuses rather than quietly serving made-up studies.
 */
function demoService(): StepwiseService {
  if (process.env.NODE_ENV !== 'production') {
    const g = globalThis as { [DEMO_KEY]?: StepwiseService };
    if (g[DEMO_KEY]) return g[DEMO_KEY];
    const loaded = import('./testing/fake-service').then(({ InMemoryStepwiseService }) => new InMemoryStepwiseService({ failureRate: 0.02, trialDurationMs: 250 }));
    return (g[DEMO_KEY] = forwardTo(() => loaded));
  }
  throw new Error('STEPWISE_FAKE_SERVICE=1 is a demo mode of the development server (next dev) only; unset it to serve the orchestrator service');
}

/** A service whose every method awaits `target()` and calls the same method on it. */
function forwardTo(target: () => Promise<StepwiseService>): StepwiseService {
  return new Proxy({} as StepwiseService, {
    get: (_target, method) => {
      // Not a thenable: `await resolveService()` must not call a service method named "then".
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        const s = await target();
        return (s[method as keyof StepwiseService] as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

export interface ServiceConnection {
  service: StepwiseService;
  close: () => Promise<void>;
}

export interface ServiceHandle {
  /** Forwards every method to the connected service, connecting (again) as needed. */
  service: StepwiseService;
  /** Closes the connection, if one was made. */
  close: () => Promise<void>;
}

export interface ReconnectOptions {
  /** Wait after the first failed connection attempt; doubles with each further failure. */
  minDelayMs?: number;
  /** Longest wait between attempts. */
  maxDelayMs?: number;
  /** Opens the connections (default: @stepwise/service's createServiceFromConfig). */
  connect?: (cfg: ServiceConfig) => Promise<ServiceConnection>;
}

/**
 * The service, connected on the first call of any method (importing this costs
 * nothing). A failed connection is not kept: while Temporal is down every call is answered at
 * once with a ServiceUnavailableError naming the address; the first call after a backoff
 * (minDelayMs doubling up to maxDelayMs) starts another attempt, and the first success is kept
 * for good. Only the very first attempt is awaited by callers; retries run behind the error, so
 * a request never waits out a connect timeout while the server is known to be cut off.
 * A bad configuration (no DATABASE_URL) is not an outage: it is thrown as it is, every call.
 */
export function orchestratorService(config: () => ServiceConfig, opts: ReconnectOptions = {}): ServiceHandle {
  const minDelay = opts.minDelayMs ?? 500;
  const maxDelay = Math.max(minDelay, opts.maxDelayMs ?? 30_000);
  const connect = opts.connect ?? createServiceFromConfig;
  let ready: ServiceConnection | null = null;
  let attempt: Promise<ServiceConnection> | null = null;
  let failures = 0;
  let failure: { address: string; cause: unknown; retryAt: number } | null = null;
  let closed = false;

  const unavailable = (f: NonNullable<typeof failure>) =>
    new ServiceUnavailableError(f.address, attempt ? 0 : Math.max(0, f.retryAt - Date.now()), f.cause);

  function startAttempt(cfg: ServiceConfig): Promise<ServiceConnection> {
    const started = connect(cfg).then(
      (conn) => {
        ready = conn;
        failures = 0;
        failure = null;
        return conn;
      },
      (cause: unknown) => {
        failures++;
        const delay = Math.min(maxDelay, minDelay * 2 ** Math.min(failures - 1, 30));
        failure = { address: cfg.temporalAddress, cause, retryAt: Date.now() + delay };
        const error = new ServiceUnavailableError(cfg.temporalAddress, delay, cause);
        console.warn(`[service] ${error.message}`);
        throw error;
      },
    );
    attempt = started;
    // Cleared whichever way it ends; the attempt itself still rejects for whoever awaits it.
    started.then(() => (attempt = null), () => (attempt = null));
    return started;
  }

  async function connected(): Promise<StepwiseService> {
    if (ready) return ready.service;
    if (closed) throw new Error('the orchestrator service was closed');
    if (failure) {
      // The retry runs in the background (its outcome is recorded above); this call is answered now.
      if (!attempt && Date.now() >= failure.retryAt) startAttempt(config()).catch(() => undefined);
      throw unavailable(failure);
    }
    return (await (attempt ?? startAttempt(config()))).service;
  }

  const service = forwardTo(connected);
  return {
    service,
    close: async () => {
      closed = true;
      const pending = attempt;
      if (pending) await pending.catch(() => undefined);
      const conn = ready as ServiceConnection | null;
      ready = null;
      await conn?.close();
    },
  };
}
