/**
 * Replays workflow histories saved as JSON (the replay gate's .data/test/histories, or
 * `temporal workflow show -w ID -o json > h.json`) against the current workflow code and, for a
 * history that fails, finds the first workflow task whose replay diverges.
 *
 *   npx tsx orchestrator/scripts/replay-history.ts .data/test/histories/*.json
 */
import { readFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../src/worker';

type RawEvent = { eventId: string; eventType: string };
const History = proto.temporal.api.history.v1.History;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: replay-history.ts FILE.json [FILE.json ...]');
  process.exit(2);
}
const bundle = await workflowBundle();

async function replays(events: RawEvent[]): Promise<string | null> {
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'replay-history' }, History.fromObject({ events }), 'replay');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

let failed = 0;
for (const file of files) {
  const events = (JSON.parse(readFileSync(file, 'utf8')) as { events: RawEvent[] }).events;
  const error = await replays(events);
  if (error === null) {
    console.log(`ok      ${file} (${events.length} events)`);
    continue;
  }
  failed++;
  // Bisect over workflow-task boundaries: the shortest prefix that no longer replays.
  const starts = events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED').map((e) => Number(e.eventId));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await replays(events.filter((e) => Number(e.eventId) <= starts[mid]))) === null) lo = mid + 1;
    else hi = mid;
  }
  console.log(`FAILED  ${file}: first diverging workflow task starts at event ${starts[lo]}\n        ${error.slice(0, 600)}`);
}
process.exit(failed ? 1 : 0);
