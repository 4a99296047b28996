// Win probability: train on the workspace's closed deals, score its open ones, explain each score.
import { describe, featureSpace, vectorise, type DealSnapshot } from './deals';
import {
  MIN_CLOSED,
  MIN_PER_CLASS,
  canFit,
  contributions,
  fitLogistic,
  fitStagePrior,
  predictLogistic,
  predictStagePrior,
  type LogisticModel,
  type StagePrior,
} from './model';

export type TrainedWin = {
  mode: 'model' | 'stage-prior';
  won: number;
  lost: number;
  prior: StagePrior;
  model?: LogisticModel;
};

export type WinScore = { probability: number; reasons: string };

/** Fit on `closed` (won/lost snapshots); `space` decides the columns (may include open deals' stages). */
export const trainWin = (closed: DealSnapshot[], space: DealSnapshot[] = closed, lambda = 1): TrainedWin => {
  const labelled = closed.filter((d) => d.outcome !== 'open');
  const won = labelled.filter((d) => d.outcome === 'won').length;
  const lost = labelled.length - won;
  const prior = fitStagePrior(labelled.map((d) => ({ stage: d.stage, won: d.outcome === 'won' })));
  if (!canFit(won, lost)) return { mode: 'stage-prior', won, lost, prior };
  const features = featureSpace(space);
  const model = fitLogistic(
    labelled.map((d) => ({ values: vectorise(features, d), won: d.outcome === 'won' })),
    features,
    { lambda },
  );
  return { mode: 'model', won, lost, prior, model };
};

export const FALLBACK_NOTE = `too few closed deals to train a model (needs ${MIN_CLOSED}, with at least ${MIN_PER_CLASS} won and ${MIN_PER_CLASS} lost)`;

/** Probability (0–1) and the words behind it. */
export const predictWin = (trained: TrainedWin, deal: DealSnapshot): { p: number; reasons: string } => {
  if (trained.mode === 'stage-prior' || !trained.model) {
    const p = predictStagePrior(trained.prior, deal.stage);
    return { p, reasons: `Stage prior for ${deal.stage}: ${FALLBACK_NOTE}.` };
  }
  const values = vectorise(trained.model.features, deal);
  const p = predictLogistic(trained.model, values);
  const top = contributions(trained.model, values)
    .filter((c) => Math.abs(c.value) >= 0.05)
    .slice(0, 3)
    .map((c) => `${c.value > 0 ? '+' : '−'} ${describe(c.group, deal)}`);
  return {
    p,
    reasons: `Model trained on this workspace's closed deals. Top factors: ${top.length ? top.join('; ') : 'none stands out'}.`,
  };
};

/** What the opportunity fields should hold: open deals scored, closed deals 100 (won) or 0 (lost). */
export const winScore = (trained: TrainedWin, deal: DealSnapshot): WinScore => {
  if (deal.outcome === 'won') return { probability: 100, reasons: 'Closed won.' };
  if (deal.outcome === 'lost') return { probability: 0, reasons: 'Closed lost.' };
  const { p, reasons } = predictWin(trained, deal);
  return { probability: Math.round(p * 100), reasons };
};
