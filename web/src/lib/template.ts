import { parse as parseYaml } from 'yaml';
import { ZStudyConfig } from '@stepwise/core';
import type { FieldErrors } from './launch-form';

/** A study template typed into a textarea: YAML or JSON (JSON is YAML). */
export function parseTemplateText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'paste a study config (YAML or JSON)' };
  try {
    const value: unknown = parseYaml(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'the template must be a mapping (a study config)' };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: `not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}` };
  }
}

export interface ScheduleFormState {
  name: string;
  mode: 'cron' | 'interval';
  cron: string;
  intervalSeconds: string;
  template: string;
  paused: boolean;
}

export type ScheduleInput = { name: string; cron?: string; intervalSeconds?: number; template: Record<string, unknown>; paused: boolean };

export function validateScheduleForm(s: ScheduleFormState): { ok: true; input: ScheduleInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (s.name.trim() === '') errors.name = 'give the schedule a name';
  let cron: string | undefined;
  let intervalSeconds: number | undefined;
  if (s.mode === 'cron') {
    cron = s.cron.trim();
    if (cron === '') errors.cron = 'give a cron expression like "0 3 * * *"';
  } else {
    intervalSeconds = Number(s.intervalSeconds);
    if (s.intervalSeconds.trim() === '' || !Number.isInteger(intervalSeconds) || intervalSeconds < 1) errors.intervalSeconds = 'a whole number of seconds, at least 1';
  }
  const parsed = parseTemplateText(s.template);
  if (!parsed.ok) errors.template = parsed.message;
  else {
    const check = ZStudyConfig.safeParse(parsed.value);
    if (!check.success) {
      for (const i of check.error.issues) errors[['template', ...i.path.map(String)].join('.')] ??= i.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.ok) return { ok: false, errors };
  return { ok: true, input: { name: s.name.trim(), cron, intervalSeconds, template: parsed.value as Record<string, unknown>, paused: s.paused } };
}

export const EXAMPLE_TEMPLATE = `# nightly re-run of the Branin random search
name: branin-nightly
kind: random
objective:
  type: function
  function: branin
  noiseStd: 0.1
budget:
  trials: 200
  parallel: 8
seed: 0
`;
