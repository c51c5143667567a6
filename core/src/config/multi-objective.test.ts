import { describe, expect, it } from 'vitest';
import { ZStudyConfig, effectiveSpace, formatIssues } from './study';
import { isMultiObjective, multiObjectiveAcquisition, primaryObjectiveConflicts, studyDirections, studyObjectives } from './multi-objective';

const mo = {
  name: 'mo',
  kind: 'bayesopt',
  objective: { type: 'function', function: 'branin_currin' },
  objectives: [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }],
  budget: { trials: 20 },
};

function issuesOf(input: unknown): string[] {
  const r = ZStudyConfig.safeParse(input);
  return r.success ? [] : formatIssues(r.error);
}

describe('multi-objective study config', () => {
  it('parses a two-objective function study, with the primary objective set from the first', () => {
    const cfg = ZStudyConfig.parse({ ...mo, objectives: [{ metric: 'f1', direction: 'maximize' }, mo.objectives[1]] });
    expect(isMultiObjective(cfg)).toBe(true);
    expect(cfg.objective.metric).toBe('f1');
    expect(cfg.objective.direction).toBe('maximize');
    expect(studyDirections(cfg)).toEqual(['maximize', 'minimize']);
    expect(effectiveSpace(cfg).map((p) => [p.name, p.type === 'float' && [p.low, p.high]])).toEqual([['x1', [0, 1]], ['x2', [0, 1]]]);
    // A parsed config parses again to itself (stored configs are re-parsed by the proposer).
    expect(ZStudyConfig.parse(cfg)).toEqual(cfg);
  });

  it('single-objective studies are unchanged', () => {
    const cfg = ZStudyConfig.parse({ name: 'one', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 5 } });
    expect(cfg.objectives).toBeUndefined();
    expect(isMultiObjective(cfg)).toBe(false);
    expect(studyObjectives(cfg)).toEqual([{ metric: 'value', direction: 'minimize' }]);
  });

  it('zdt1 takes dim (default 6) and a space of that size', () => {
    const cfg = ZStudyConfig.parse({ ...mo, objective: { type: 'function', function: 'zdt1', dim: 4 } });
    expect(effectiveSpace(cfg)).toHaveLength(4);
    expect(effectiveSpace(ZStudyConfig.parse({ ...mo, objective: { type: 'function', function: 'zdt1' } }))).toHaveLength(6);
    expect(issuesOf({ ...mo, objective: { type: 'function', function: 'zdt1', dim: 1 } })).toEqual(['objective.dim: zdt1 needs dim >= 2']);
    expect(issuesOf({ ...mo, objective: { type: 'function', function: 'branin_currin', dim: 3 } })).toEqual(['objective.dim: branin_currin has dimension 2; remove dim or set it to 2']);
  });

  it('names the field and the fix for every refused combination', () => {
    expect(issuesOf({ ...mo, objectives: [mo.objectives[0]] })).toEqual([
      'objectives: a multi-objective study lists at least two objectives; for one, use objective.metric and objective.direction instead',
    ]);
    expect(issuesOf({ ...mo, objectives: [mo.objectives[0], { metric: 'f3', direction: 'minimize' }] })).toEqual([
      'objectives.1.metric: branin_currin has outputs f1, f2; "f3" is none of them',
    ]);
    expect(issuesOf({ ...mo, objectives: [mo.objectives[0], mo.objectives[0]] })).toEqual([
      'objectives.1.metric: "f1" is already objectives.0; each objective names a different metric',
    ]);
    expect(issuesOf({ ...mo, budget: { trials: 20, targetValue: 1 } })).toEqual([
      'budget.targetValue: a target value stops at one metric\'s goal, which several objectives do not have; remove budget.targetValue (the study runs its whole budget)',
    ]);
    expect(issuesOf({ ...mo, objective: { type: 'function', function: 'branin' } })).toEqual([
      'objective.function: branin has one output; several objectives need a multi-output function: branin_currin or zdt1',
    ]);
    expect(issuesOf({ ...mo, objectives: undefined })).toEqual([
      'objectives: branin_currin has 2 outputs (f1, f2): list them with their directions, e.g. objectives: [{ metric: f1, direction: minimize }, { metric: f2, direction: minimize }]',
    ]);
    expect(issuesOf({ ...mo, objectives: [mo.objectives[0], { metric: 'f2' }] })).toEqual([
      'objectives.1.direction: Invalid option: expected one of "minimize"|"maximize"',
    ]);
  });

  it('refuses kinds and settings that optimise one metric', () => {
    const sampler = { type: 'sampler', model: 'gmm-2d', metric: 'rmse' };
    const evaluate = {
      ...mo, kind: 'evaluate', objective: sampler, objectives: [{ metric: 'rmse', direction: 'minimize' }, { metric: 'nfe', direction: 'minimize' }],
      candidates: [{ preset: 'ddim' }, { preset: 'dpmpp-2m' }],
    };
    expect(issuesOf(evaluate)).toContain('objectives: kind "evaluate" optimises one metric; several objectives work with kind grid, random or bayesopt');
    const withHoldout = {
      ...evaluate, kind: 'random', candidates: undefined, space: [{ type: 'int', name: 'nfe', low: 4, high: 12 }], holdout: { start: 100000, size: 64 },
    };
    expect(issuesOf(withHoldout)).toEqual([
      'holdout: a holdout re-measures the best trial on fresh seeds, and several objectives have a front rather than one best trial; remove holdout',
    ]);
  });

  it('sampler objectives are the quality metric and nfe', () => {
    const sampler = {
      name: 's', kind: 'bayesopt', objective: { type: 'sampler', model: 'gmm-2d' }, budget: { trials: 10 },
      space: [{ type: 'int', name: 'nfe', low: 4, high: 12 }],
    };
    const ok = ZStudyConfig.parse({ ...sampler, objectives: [{ metric: 'nll', direction: 'minimize' }, { metric: 'nfe', direction: 'minimize' }] });
    expect(ok.objective.type === 'sampler' && ok.objective.metric).toBe('nll');
    expect(issuesOf({ ...sampler, objectives: [{ metric: 'nfe', direction: 'minimize' }, { metric: 'rmse', direction: 'minimize' }] })).toEqual([
      'objectives.0.metric: the first objective of a sampler study is its quality metric (rmse, nll, class_accuracy, fd_features); got "nfe"',
      'objectives.1.metric: a sampler trial measures one quality metric and its NFE; the objectives after the first can only be "nfe" (got "rmse")',
    ]);
  });

  it('command objectives take any keys of the program output', () => {
    const cfg = ZStudyConfig.parse({
      name: 'c', kind: 'random', objective: { type: 'command', program: 'train-tiny' }, budget: { trials: 4 },
      space: [{ type: 'float', name: 'lr', low: 1e-4, high: 1e-1, log: true }],
      objectives: [{ metric: 'loss', direction: 'minimize' }, { metric: 'accuracy', direction: 'maximize' }],
    });
    expect(cfg.objective.type === 'command' && cfg.objective.metric).toBe('loss');
  });

  it('bayesopt.multiObjective picks the acquisition (default ehvi up to three objectives) and needs objectives', () => {
    expect(multiObjectiveAcquisition(ZStudyConfig.parse(mo))).toBe('ehvi');
    expect(multiObjectiveAcquisition(ZStudyConfig.parse({ ...mo, bayesopt: { multiObjective: 'parego' } }))).toBe('parego');
    expect(issuesOf({ name: 'one', kind: 'bayesopt', objective: { type: 'function', function: 'branin' }, budget: { trials: 5 }, bayesopt: { multiObjective: 'ehvi' } })).toEqual([
      'bayesopt.multiObjective: bayesopt.multiObjective chooses the acquisition of a study with several objectives; this one has one: remove it (or list objectives)',
    ]);
  });

  it('an explicit objective.direction that disagrees with objectives.0 is a raw-input conflict', () => {
    expect(primaryObjectiveConflicts({ ...mo, objective: { ...mo.objective, direction: 'maximize' } })).toEqual([
      {
        field: 'objective.direction',
        message: 'objective.direction is "maximize" but objectives.0.direction is "minimize": with several objectives the first one is the primary; remove objective.direction',
      },
    ]);
    expect(primaryObjectiveConflicts({ ...mo, objective: { ...mo.objective, direction: 'minimize', metric: 'f1' } })).toEqual([]);
    expect(primaryObjectiveConflicts(mo)).toEqual([]);
  });
});
