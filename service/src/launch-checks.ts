import { readFileSync } from 'node:fs';
import { DEFAULT_STUDY_LIMITS, studyLimitIssues, type StudyLimits, type TStudyConfig } from '@stepwise/core';

/**
 * What the launch API can tell about a validated config beyond its schema, before anything is
 * written: the operator's sample caps, the size Temporal will carry, and (where this process can
 * read it) whether a command objective names a program the compute workers allow. A config that
 * fails here could never run, so it is refused with the field to change rather than started and
 * left to fail on a worker.
 */

export interface LaunchIssue {
  field: string;
  message: string;
}

/** Temporal refuses payloads over 2 MiB and warns at 512 KiB; a config is the workflow input. */
export const MAX_CONFIG_BYTES = 256 * 1024;

function positiveIntEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim().replace(/_/g, '');
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}=${env[name]} is not a positive whole number of samples; fix or unset it (default ${fallback})`);
  return n;
}

/** The caps from STEPWISE_MAX_STUDY_SAMPLES and STEPWISE_MAX_SAMPLES_PER_ACTIVITY, read per call. */
export function studyLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): StudyLimits {
  return {
    maxStudySamples: positiveIntEnv(env, 'STEPWISE_MAX_STUDY_SAMPLES', DEFAULT_STUDY_LIMITS.maxStudySamples),
    maxSamplesPerActivity: positiveIntEnv(env, 'STEPWISE_MAX_SAMPLES_PER_ACTIVITY', DEFAULT_STUDY_LIMITS.maxSamplesPerActivity),
  };
}

/**
 * Program names of the allowlist at STEPWISE_COMMANDS_FILE, or null when this process has none
 * it can read (the API often runs on another host than the compute workers). Only the names are
 * read: the worker validates the file itself, and it alone decides what a name runs.
 */
export function allowlistedPrograms(env: NodeJS.ProcessEnv = process.env): { file: string; programs: string[] } | null {
  const file = env.STEPWISE_COMMANDS_FILE?.trim();
  if (!file) return null;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { programs?: unknown };
    if (typeof json.programs !== 'object' || json.programs === null || Array.isArray(json.programs)) return null;
    return { file, programs: Object.keys(json.programs) };
  } catch {
    return null;
  }
}

export function launchIssues(config: TStudyConfig, env: NodeJS.ProcessEnv = process.env): LaunchIssue[] {
  const issues: LaunchIssue[] = [...studyLimitIssues(config, studyLimitsFromEnv(env))];
  if (config.objective.type === 'command') {
    const allow = allowlistedPrograms(env);
    const program = config.objective.program;
    if (allow && !allow.programs.includes(program)) {
      issues.push({
        field: 'objective.program',
        message: `program "${program}" is not in the allowlist ${allow.file} (STEPWISE_COMMANDS_FILE); ${allow.programs.length ? `allowed: ${allow.programs.join(', ')}` : 'it allows no programs'}`,
      });
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(config), 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    issues.push({ field: '(config)', message: `the config is ${Math.ceil(bytes / 1024)} KiB; the limit is ${MAX_CONFIG_BYTES / 1024} KiB (fewer parameters, choices or candidates)` });
  }
  return issues;
}
