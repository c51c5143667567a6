import { stackSettingsFromEnv, type StackSettings } from '@stepwise/core';

/** What the service connects to: Postgres, Temporal, and the queues it starts workflows on. */
export type ServiceConfig = StackSettings;

export function serviceConfigFromEnv(env: Record<string, string | undefined> = process.env): ServiceConfig {
  return stackSettingsFromEnv(env);
}
