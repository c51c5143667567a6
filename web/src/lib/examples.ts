import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';

/** A study example shipped in examples/, offered as a template by the launch page's editor. */
export interface ExampleTemplate {
  file: string;
  text: string;
}

const SCHEDULE_FILE = /^[\w.-]+(\/[\w.-]+)*\.json$/;

/**
 * An example's `schedule: file.json` candidates with the file's schedule written inline, as the
 * CLI sends them (the API never reads files, so a browser launch must carry the schedule itself).
 * Only JSON files inside the examples folder are read; anything else is left as it is, and the
 * editor then names the field.
 */
export function inlineScheduleFiles(text: string, dir: string): string {
  const doc = parseDocument(text);
  const candidates = doc.toJS()?.candidates;
  if (!Array.isArray(candidates)) return text;
  let changed = false;
  candidates.forEach((c: unknown, i: number) => {
    const ref = (c as { schedule?: unknown } | null)?.schedule;
    if (typeof ref !== 'string' || !SCHEDULE_FILE.test(ref)) return;
    const path = resolve(dir, ref);
    const rel = relative(dir, path);
    if (rel.startsWith('..') || !existsSync(path)) return;
    doc.setIn(['candidates', i, 'schedule'], doc.createNode(JSON.parse(readFileSync(path, 'utf8')), { flow: true }));
    changed = true;
  });
  return changed ? doc.toString({ lineWidth: 0 }) : text;
}

/** The repository's examples folder (the web app runs from web/ or the root), or null. */
export function examplesDir(): string | null {
  return [resolve(process.cwd(), '..', 'examples'), resolve(process.cwd(), 'examples')].find((d) => existsSync(join(d, 'branin-random.yaml'))) ?? null;
}

/**
 * Every examples/*.yaml study config (schedules of reruns excluded: they are not launchable
 * studies), read on the server. Only that folder is read, and only names listed in it.
 */
export function readExampleTemplates(dir: string | null = examplesDir()): ExampleTemplate[] {
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('schedule'))
    .sort()
    .map((file) => ({ file, text: inlineScheduleFiles(readFileSync(join(dir, file), 'utf8'), dirname(join(dir, file))) }));
}
