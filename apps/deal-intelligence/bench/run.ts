// The benchmark's node entry point (bench/win_probability_bench.py runs it): the app's own code —
// record → snapshot → features → fit → score — on a generated workspace or on the captured seed,
// with a held-out split. Prints one JSON object; the Python side computes AUC and Brier.
//
//   node --import tsx bench/run.ts '{"mode":"synthetic","closed":5000,"seed":1,"testFraction":0.3}'
//   node --import tsx bench/run.ts '{"mode":"timing","closed":10000,"seed":2}'
//   node --import tsx bench/run.ts '{"mode":"seed","dir":"<repo>/contract/twenty-2.21.0/seed"}'
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { dealSnapshots, type DealSnapshot, type Rec } from '../src/lib/deals';
import { fitStagePrior, predictStagePrior } from '../src/lib/model';
import { predictWin, trainWin, winScore } from '../src/lib/win';
import { generateWorkspace, rng } from './synthetic';

type Args = { mode: 'synthetic' | 'timing' | 'seed'; closed?: number; seed?: number; testFraction?: number; dir?: string };

const NOW = Date.parse('2026-12-01T00:00:00Z');
const outcomes = { won: ['CUSTOMER'], lost: ['LOST', 'CLOSED_LOST'] };

/** Seeded shuffle, then the first (1 − f) for training: the split never looks at outcomes. */
const split = (deals: DealSnapshot[], fraction: number, seed: number) => {
  const r = rng(seed * 7919 + 17);
  const order = deals.map((d) => [r(), d] as const).sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  const cut = Math.round(order.length * (1 - fraction));
  return { train: order.slice(0, cut), test: order.slice(cut) };
};

const evaluate = (train: DealSnapshot[], test: DealSnapshot[], trueP?: Map<string, number>) => {
  const started = performance.now();
  const trained = trainWin(train);
  const fitMs = performance.now() - started;
  const prior = fitStagePrior(train.map((d) => ({ stage: d.stage, won: d.outcome === 'won' })));
  return {
    mode: trained.mode,
    train: { n: train.length, won: trained.won, lost: trained.lost },
    test: { n: test.length, won: test.filter((d) => d.outcome === 'won').length },
    fitMs,
    iterations: trained.model?.iterations ?? 0,
    features: trained.model?.features.map((f) => f.name) ?? [],
    labels: test.map((d) => (d.outcome === 'won' ? 1 : 0)),
    model: test.map((d) => predictWin(trained, d).p),
    stageOnly: test.map((d) => predictStagePrior(prior, d.stage)),
    ...(trueP ? { oracle: test.map((d) => trueP.get(d.id) ?? 0.5) } : {}),
  };
};

const readJson = (path: string): Rec[] => {
  const raw = path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8');
  const data = JSON.parse(raw) as Rec[] | { records: Rec[] };
  return Array.isArray(data) ? data : data.records;
};
const readSeed = (dir: string, name: string): Rec[] => {
  for (const file of [`${name}.json`, `${name}.json.gz`]) if (existsSync(join(dir, file))) return readJson(join(dir, file));
  return [];
};

const main = () => {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  if (args.mode === 'synthetic') {
    const g = generateWorkspace(args.closed ?? 5000, 0, args.seed ?? 1, NOW);
    const deals = dealSnapshots(g, outcomes, NOW);
    const { train, test } = split(deals, args.testFraction ?? 0.3, args.seed ?? 1);
    return evaluate(train, test, g.trueP);
  }
  if (args.mode === 'timing') {
    const g = generateWorkspace(args.closed ?? 10_000, 1000, args.seed ?? 2, NOW);
    let started = performance.now();
    const deals = dealSnapshots(g, outcomes, NOW);
    const snapshotMs = performance.now() - started;
    const closed = deals.filter((d) => d.outcome !== 'open');
    started = performance.now();
    const trained = trainWin(closed, deals);
    const fitMs = performance.now() - started;
    const open = deals.filter((d) => d.outcome === 'open');
    started = performance.now();
    for (let round = 0; round < 10; round++) for (const d of open) winScore(trained, d);
    const scoreUsPerDeal = ((performance.now() - started) * 1000) / (open.length * 10);
    return { closed: closed.length, timeline: g.timeline.length, snapshotMs, fitMs, iterations: trained.model?.iterations, scoreUsPerDeal, mode: trained.mode };
  }
  if (args.mode === 'seed') {
    const dir = args.dir!;
    const data = { opportunities: readSeed(dir, 'opportunities'), companies: readSeed(dir, 'companies'), timeline: readSeed(dir, 'timelineActivities') };
    const deals = dealSnapshots(data, outcomes, NOW);
    const closed = deals.filter((d) => d.outcome !== 'open');
    const won = closed.filter((d) => d.outcome === 'won').length;
    const summary = { opportunities: deals.length, closed: closed.length, won, lost: closed.length - won };
    if (won === 0 || won === closed.length) return { ...summary, evaluable: false, mode: trainWin(closed).mode };
    const { train, test } = split(closed, 0.3, 1);
    return { ...summary, evaluable: true, ...evaluate(train, test) };
  }
  throw new Error(`unknown mode ${String(args.mode)}`);
};

process.stdout.write(JSON.stringify(main()));
