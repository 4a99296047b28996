// The win-probability model: the solver, the fit, calibration, the fallback and the reasons.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { generateWorkspace } from '../bench/synthetic';
import { dealSnapshots, type DealSnapshot } from '../src/lib/deals';
import { MIN_CLOSED, fitLogistic, fitStagePrior, solveSpd } from '../src/lib/model';
import { FALLBACK_NOTE, predictWin, trainWin, winScore } from '../src/lib/win';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const outcomes = { won: ['CUSTOMER'], lost: ['LOST'] };
const snapshots = (closed: number, open: number, seed: number) =>
  dealSnapshots(generateWorkspace(closed, open, seed, NOW), outcomes, NOW);

const auc = (scores: number[], labels: boolean[]) => {
  let pos = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++)
    for (let j = 0; j < scores.length; j++)
      if (labels[i] && !labels[j]) {
        pairs++;
        pos += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
  return pos / pairs;
};

describe('solver', () => {
  test('Cholesky solves a symmetric positive-definite system', () => {
    const x = solveSpd([[4, 2, 0], [2, 5, 1], [0, 1, 3]], [2, 3, 4]);
    const back = [4 * x[0] + 2 * x[1], 2 * x[0] + 5 * x[1] + x[2], x[1] + 3 * x[2]];
    back.forEach((v, i) => assert.ok(Math.abs(v - [2, 3, 4][i]) < 1e-12));
  });
});

describe('fit', () => {
  test('recovers the sign and size of a known logistic process, deterministically', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const examples = Array.from({ length: 4000 }, () => {
      const a = rand() * 4 - 2;
      const b = rand() * 4 - 2;
      const p = 1 / (1 + Math.exp(-(0.5 + 1.5 * a - 1 * b)));
      return { values: [a, b, rand()], won: rand() < p };
    });
    const features = [{ name: 'a', group: 'a' }, { name: 'b', group: 'b' }, { name: 'noise', group: 'noise' }];
    const model = fitLogistic(examples, features, { lambda: 0.01 });
    const perUnit = model.coefficients.map((c, j) => c / model.scale[j]);
    assert.ok(Math.abs(perUnit[0] - 1.5) < 0.2, `a: ${perUnit[0]}`);
    assert.ok(Math.abs(perUnit[1] + 1) < 0.2, `b: ${perUnit[1]}`);
    assert.ok(Math.abs(perUnit[2]) < 0.3, `noise: ${perUnit[2]}`);
    assert.ok(model.iterations < 20);
    assert.deepEqual(fitLogistic(examples, features, { lambda: 0.01 }), model);
  });

  test('mean predicted probability equals the training win rate (unpenalised intercept)', () => {
    const deals = snapshots(800, 0, 11);
    const trained = trainWin(deals);
    assert.equal(trained.mode, 'model');
    const ps = deals.map((d) => predictWin(trained, d).p);
    const rate = deals.filter((d) => d.outcome === 'won').length / deals.length;
    assert.ok(Math.abs(ps.reduce((s, p) => s + p, 0) / ps.length - rate) < 1e-6);
  });

  test('calibrated and better than the stage prior on held-out deals', () => {
    const train = snapshots(3000, 0, 21);
    const test_ = snapshots(3000, 0, 22);
    const trained = trainWin(train);
    const labels = test_.map((d) => d.outcome === 'won');
    const ps = test_.map((d) => predictWin(trained, d).p);
    // Reliability: deciles of predicted probability; weighted |mean p − win rate| small.
    const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
    let err = 0;
    for (let b = 0; b < 10; b++) {
      const bin = order.slice((b * order.length) / 10, ((b + 1) * order.length) / 10);
      const meanP = bin.reduce((s, [p]) => s + p, 0) / bin.length;
      const rate = bin.filter(([, i]) => labels[i]).length / bin.length;
      err += (Math.abs(meanP - rate) * bin.length) / order.length;
    }
    assert.ok(err < 0.04, `expected calibration error ${err}`);
    const prior = fitStagePrior(train.map((d) => ({ stage: d.stage, won: d.outcome === 'won' })));
    const baseline = test_.map((d) => prior.rates[d.stage]);
    assert.ok(auc(ps, labels) > auc(baseline, labels) + 0.03, `model ${auc(ps, labels)} vs stage ${auc(baseline, labels)}`);
  });
});

describe('snapshots from records', () => {
  test('a closed deal is described at closing, in its last open stage (never the outcome stage)', () => {
    const deals = snapshots(200, 0, 3);
    assert.ok(deals.every((d) => ['NEW', 'SCREENING', 'MEETING', 'PROPOSAL'].includes(d.stage)));
    assert.ok(deals.every((d) => d.asOf === d.closedAt && d.stageEnteredAt <= d.asOf));
  });

  test('a closed deal without stage history has stage UNKNOWN; an open one keeps its stage', () => {
    const opportunities = [
      { id: 'a', stage: 'CUSTOMER', createdAt: '2026-01-01T00:00:00Z', closeDate: '2026-03-01T00:00:00Z' },
      { id: 'b', stage: 'MEETING', createdAt: '2026-01-01T00:00:00Z' },
    ];
    const [a, b] = dealSnapshots({ opportunities, companies: [], timeline: [] }, outcomes, NOW);
    assert.equal(a.stage, 'UNKNOWN');
    assert.equal(a.asOf, Date.parse('2026-03-01T00:00:00Z'));
    assert.equal(b.stage, 'MEETING');
    assert.equal(b.outcome, 'open');
  });
});

describe('fallback', () => {
  const closedFrom = (won: number, lost: number): DealSnapshot[] =>
    snapshots(400, 0, 5)
      .filter((d) => d.outcome === 'won')
      .slice(0, won)
      .concat(snapshots(400, 0, 6).filter((d) => d.outcome === 'lost').slice(0, lost));

  test(`fewer than ${MIN_CLOSED} closed deals, or under 10 of either outcome: the stage prior, said so`, () => {
    for (const [won, lost] of [[15, 14], [40, 9], [9, 40], [0, 0]]) {
      const trained = trainWin(closedFrom(won, lost));
      assert.equal(trained.mode, 'stage-prior', `${won}/${lost}`);
    }
    const trained = trainWin(closedFrom(0, 0));
    const open = snapshots(0, 5, 8)[0];
    const { p, reasons } = predictWin(trained, open);
    assert.equal(p, { NEW: 0.1, SCREENING: 0.2, MEETING: 0.35, PROPOSAL: 0.55 }[open.stage]);
    assert.match(reasons, new RegExp(`^Stage prior for ${open.stage}: `));
    assert.ok(reasons.includes(FALLBACK_NOTE));
    assert.equal(trainWin(closedFrom(20, 10)).mode, 'model');
  });

  test('the prior moves towards the workspace win rate per stage', () => {
    const prior = fitStagePrior(Array.from({ length: 20 }, () => ({ stage: 'MEETING', won: true })));
    assert.equal(prior.rates.MEETING, (20 + 5 * 0.35) / 25);
    assert.equal(prior.rates.NEW, 0.1);
  });
});

describe('reasons', () => {
  test('up to three signed factors in plain words; closed deals say closed', () => {
    const deals = snapshots(1500, 50, 9);
    const trained = trainWin(deals.filter((d) => d.outcome !== 'open'), deals);
    const open = deals.filter((d) => d.outcome === 'open');
    for (const deal of open) {
      const { probability, reasons } = winScore(trained, deal);
      assert.ok(Number.isInteger(probability) && probability >= 0 && probability <= 100);
      const factors = reasons.replace(/^.*Top factors: /, '').replace(/\.$/, '').split('; ');
      assert.ok(factors.length >= 1 && factors.length <= 3, reasons);
      for (const f of factors) assert.match(f, /^[+−] \S/);
    }
    // Stage carries the strongest effect in the process: a PROPOSAL deal names its stage positively.
    const proposal = open.find((d) => d.stage === 'PROPOSAL')!;
    assert.match(winScore(trained, proposal).reasons, /\+ stage PROPOSAL/);
    const won = deals.find((d) => d.outcome === 'won')!;
    assert.deepEqual(winScore(trained, won), { probability: 100, reasons: 'Closed won.' });
  });

});
