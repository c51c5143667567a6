import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { fetchHistories, replayHistories } from '../orchestrator/src/replay';
import { getTestFunction, paramsToVector, planTrials, ZStudyConfig } from '../core/src/index';
import { waitFor } from '../infra/stack/processes';
import { quantile, Results, startBenchStack } from './support';

/**
 * End-to-end orchestration throughput: random studies on Branin through Temporal and Postgres
 * with 32 trials in flight. Figures:
 *  - trials_per_s, p50_ms / p95_ms (trial recorded as dispatched -> recorded as finished)
 *  - overhead_ratio: end-to-end wall time / the same 1,000 evaluations in a plain in-process loop
 *  - late_vs_early: on a 10,000-trial study, throughput of the last 1,000 trials / the first 1,000
 *  - replay: every workflow history of the benchmark (the 10,000-trial study's runs included)
 *    replayed against the current workflow code; any failure is a determinism bug
 */
const results = new Results('orchestration');
const stack = await startBenchStack('orchestration');
const client = new pg.Client({ connectionString: stack.databaseUrl });
await client.connect();

const workflowIds: string[] = [];

async function runStudy(trials: number) {
  const config = { name: `bench ${trials}`, kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials, parallel: 32 }, seed: 3 };
  const t0 = performance.now();
  const study = await stack.service.launchStudy({ config, source: 'client' });
  await waitFor(`study of ${trials} trials`, async () => (await stack.service.getStudy(study.id)).status === 'completed', 30 * 60_000, 100);
  const wallS = (performance.now() - t0) / 1000;
  workflowIds.push((await client.query<{ workflow_id: string }>('SELECT workflow_id FROM study WHERE id = $1', [study.id])).rows[0].workflow_id);
  const { rows } = await client.query<{ started: Date; finished: Date }>(
    'SELECT started_at AS started, finished_at AS finished FROM trial WHERE study_id = $1 ORDER BY finished_at, number',
    [study.id],
  );
  return { config: ZStudyConfig.parse(config), wallS, rows };
}

try {
  // Warm-up: the first workflow task after start pays for code loading.
  await runStudy(64);

  const small = await runStudy(1000);
  const latencies = small.rows.map((r) => r.finished.getTime() - r.started.getTime()).sort((a, b) => a - b);
  const plan = planTrials(small.config);
  const branin = getTestFunction('branin');
  const loopStart = performance.now();
  let sink = 0;
  for (let n = 0; n < 1000; n++) sink += branin.evaluate(paramsToVector(plan.space, plan.params!(n)));
  const loopS = (performance.now() - loopStart) / 1000;
  if (!Number.isFinite(sink)) throw new Error('unreachable');
  results.add({ figure: 'trials_per_s', trials: 1000, parallel: 32, value: +(1000 / small.wallS).toFixed(1), target: '>= 100' });
  results.add({ figure: 'p50_ms', value: quantile(latencies, 0.5) });
  results.add({ figure: 'p95_ms', value: quantile(latencies, 0.95) });
  results.add({ figure: 'overhead_ratio', value: +(small.wallS / loopS).toFixed(1), wall_s: +small.wallS.toFixed(2), in_process_loop_s: +loopS.toFixed(5) });

  const large = await runStudy(10_000);
  const rate = (slice: { finished: Date }[]) => (slice.length - 1) / ((slice.at(-1)!.finished.getTime() - slice[0].finished.getTime()) / 1000);
  const early = rate(large.rows.slice(0, 1000));
  const late = rate(large.rows.slice(-1000));
  const windows = Array.from({ length: 10 }, (_, i) => +rate(large.rows.slice(i * 1000, (i + 1) * 1000)).toFixed(1));
  results.add({ figure: 'trials_per_s_10k', trials: 10_000, value: +(10_000 / large.wallS).toFixed(1), per_1000_window: windows });
  results.add({ figure: 'late_vs_early', value: +(late / early).toFixed(3), early_per_s: +early.toFixed(1), late_per_s: +late.toFixed(1), target: '>= 0.8' });

  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const histories = await fetchHistories(new Client({ connection }));
    const { replayed, failures } = await replayHistories(histories);
    const runs10k = histories.filter((h) => h.workflowId === workflowIds.at(-1)).length;
    results.add({ figure: 'replay_failures', value: failures.length, histories: replayed, runs_of_10k_study: runs10k, target: '0', failures: failures.slice(0, 3).map((f) => f.error.slice(0, 300)) });
  } finally {
    await connection.close();
  }
  results.save();
} finally {
  await client.end();
  await stack.stop();
}
