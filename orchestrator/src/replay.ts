import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './worker';

/**
 * The replay gate: every recorded workflow history must be reproduced command for command by the
 * current workflow code. A history that does not replay is a study that a worker restart or a
 * cache eviction would wedge (see docs/architecture.md, "Determinism").
 */

export interface RecordedHistory {
  workflowId: string;
  runId: string;
  workflowType: string;
  history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
}

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  workflowType: string;
  error: string;
}

/** Every history matching `query` (a Temporal visibility query; all workflows when omitted), all runs. */
export async function fetchHistories(client: Client, query?: string): Promise<RecordedHistory[]> {
  const out: RecordedHistory[] = [];
  for await (const info of client.workflow.list(query ? { query } : {})) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    out.push({ workflowId: info.workflowId, runId: info.runId, workflowType: info.type, history });
  }
  return out;
}

/** Writes each history as JSON (protobuf's JSON mapping: 64-bit integers as strings, enums by name). */
export function saveHistories(histories: RecordedHistory[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const h of histories) {
    const name = `${h.workflowId}__${h.runId}.json`.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeFileSync(join(dir, name), JSON.stringify(h.history));
  }
}

/**
 * Histories kept as files (saveHistories' JSON) with `index.json` naming each file's workflow id
 * (which file names cannot always carry: a schedule firing's has colons, and workflow code may
 * read it). Converted with the generated History type's fromObject: the SDK's historyFromJSON
 * throws "type must be a Type" in this install, where @temporalio/common carries a newer
 * protobufjs than the one @temporalio/proto's types were built with.
 */
export function loadHistories(dir: string): RecordedHistory[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<string, { workflowId: string }>;
  return readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().map((f) => {
    const workflowId = index[f]?.workflowId;
    if (!workflowId) throw new Error(`${join(dir, f)}: not in ${join(dir, 'index.json')} (add its workflow id there)`);
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const workflowType = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
    return { workflowId, runId: '', workflowType, history };
  });
}

/** Replays every history against the current workflow bundle; returns the ones that fail. */
export async function replayHistories(histories: RecordedHistory[]): Promise<{ replayed: number; failures: ReplayFailure[] }> {
  const byRun = new Map(histories.map((h) => [`${h.workflowId}/${h.runId}`, h]));
  const failures: ReplayFailure[] = [];
  let replayed = 0;
  const runs = Worker.runReplayHistories(
    { workflowBundle: await workflowBundle(), replayName: 'stepwise-replay-gate' },
    // The real workflow id: workflow code may use it (a schedule firing names its child after it).
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  );
  for await (const result of runs) {
    replayed++;
    if (result.error) {
      const h = byRun.get(`${result.workflowId}/${result.runId}`);
      failures.push({
        workflowId: h?.workflowId ?? result.workflowId,
        runId: h?.runId ?? '',
        workflowType: h?.workflowType ?? '',
        error: result.error instanceof Error ? result.error.message : String(result.error),
      });
    }
  }
  return { replayed, failures };
}
