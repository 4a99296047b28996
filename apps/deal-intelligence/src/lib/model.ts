// Win-probability model: L2-regularised logistic regression on standardised features, fitted by
// Newton's method (IRLS) with a Cholesky solve. Dependency-free and deterministic: the same data
// give the same coefficients, so a nightly refit writes nothing when nothing changed.
//
// Explanations: a deal's logit is intercept + Σ βj·zj (zj its standardised feature j), so βj·zj is
// feature j's push above or below an average deal; features are grouped (the stage dummies form one
// "stage" factor) and the largest pushes are the deal's top factors.
//
// Calibration: the intercept is not penalised, so at the optimum Σ(y − p) = 0 — the mean predicted
// probability equals the training win rate; the tests check reliability on held-out data too.
//
// With too few closed deals (fewer than MIN_CLOSED, or fewer than MIN_PER_CLASS won or lost) there
// is nothing to learn from: `fitWinModel` returns the stage prior instead and says so.

export type Example = { values: number[]; won?: boolean };

/** One model input column: `group` joins columns explained together (e.g. the stage dummies). */
export type FeatureSpec = { name: string; group: string };

export type LogisticModel = {
  kind: 'logistic';
  features: FeatureSpec[];
  mean: number[];
  scale: number[];
  intercept: number;
  coefficients: number[];
  lambda: number;
  iterations: number;
  trainedOn: number;
};

export const MIN_CLOSED = 30;
export const MIN_PER_CLASS = 10;

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Solve A x = b for symmetric positive-definite A (Cholesky); A is n×n row-major. */
export const solveSpd = (a: number[][], b: number[]): number[] => {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (sum <= 0) throw new Error('matrix is not positive definite');
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
    y[i] = sum / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return x;
};

/** Column means and standard deviations (a constant column gets scale 1: it standardises to 0). */
export const standardiser = (rows: number[][], width: number) => {
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(0);
  for (const row of rows) for (let j = 0; j < width; j++) mean[j] += row[j] / rows.length;
  for (const row of rows) for (let j = 0; j < width; j++) scale[j] += (row[j] - mean[j]) ** 2 / rows.length;
  return { mean, scale: scale.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
};

/** L2-regularised logistic regression (intercept unpenalised) by Newton/IRLS. */
export const fitLogistic = (
  examples: Example[],
  features: FeatureSpec[],
  { lambda = 1, maxIterations = 50, tolerance = 1e-8 } = {},
): LogisticModel => {
  const p = features.length;
  const { mean, scale } = standardiser(examples.map((e) => e.values), p);
  const z = examples.map((e) => e.values.map((v, j) => (v - mean[j]) / scale[j]));
  const y = examples.map((e) => (e.won ? 1 : 0));
  // Parameters: [intercept, β1..βp]; design rows [1, z...].
  let w = new Array<number>(p + 1).fill(0);
  const rate = y.reduce<number>((s, v) => s + v, 0) / Math.max(1, y.length);
  w[0] = Math.log(Math.max(1e-6, rate) / Math.max(1e-6, 1 - rate));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const grad = new Array<number>(p + 1).fill(0);
    const hess = Array.from({ length: p + 1 }, () => new Array<number>(p + 1).fill(0));
    for (let i = 0; i < z.length; i++) {
      const row = z[i];
      let eta = w[0];
      for (let j = 0; j < p; j++) eta += w[j + 1] * row[j];
      const mu = sigmoid(eta);
      const r = y[i] - mu;
      const v = Math.max(mu * (1 - mu), 1e-12);
      grad[0] += r;
      hess[0][0] += v;
      for (let j = 0; j < p; j++) {
        grad[j + 1] += r * row[j];
        hess[0][j + 1] += v * row[j];
        for (let k = 0; k <= j; k++) hess[j + 1][k + 1] += v * row[j] * row[k];
      }
    }
    for (let j = 1; j <= p; j++) {
      grad[j] -= lambda * w[j];
      hess[j][j] += lambda;
      hess[j][0] = hess[0][j];
      for (let k = 1; k < j; k++) hess[k][j] = hess[j][k];
    }
    hess[0][0] += 1e-9; // keeps the solve defined when every example has one outcome
    const step = solveSpd(hess, grad);
    w = w.map((value, j) => value + step[j]);
    if (Math.max(...step.map(Math.abs)) < tolerance) {
      iterations++;
      break;
    }
  }
  return {
    kind: 'logistic',
    features,
    mean,
    scale,
    intercept: w[0],
    coefficients: w.slice(1),
    lambda,
    iterations,
    trainedOn: examples.length,
  };
};

/** The per-group pushes (β·z summed over a group's columns) of one example, largest first. */
export const contributions = (model: LogisticModel, values: number[]): { group: string; value: number }[] => {
  const byGroup = new Map<string, number>();
  model.features.forEach((f, j) => {
    const push = model.coefficients[j] * ((values[j] - model.mean[j]) / model.scale[j]);
    byGroup.set(f.group, (byGroup.get(f.group) ?? 0) + push);
  });
  return [...byGroup.entries()]
    .map(([group, value]) => ({ group, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.group.localeCompare(b.group));
};

export const predictLogistic = (model: LogisticModel, values: number[]): number => {
  let eta = model.intercept;
  model.features.forEach((_, j) => {
    eta += model.coefficients[j] * ((values[j] - model.mean[j]) / model.scale[j]);
  });
  return sigmoid(eta);
};

// ---------------------------------------------------------------- the stage prior (and baseline)

/** Used when the workspace has no closed deal from a stage: typical B2B funnel conversion rates. */
export const DEFAULT_STAGE_PRIOR: Record<string, number> = {
  NEW: 0.1,
  SCREENING: 0.2,
  MEETING: 0.35,
  PROPOSAL: 0.55,
};
export const UNKNOWN_STAGE_PRIOR = 0.2;
/** Pseudo-deals the default rate counts for in a stage's smoothed win rate. */
export const PRIOR_WEIGHT = 5;

export type StagePrior = { kind: 'stage-prior'; rates: Record<string, number>; closedByStage: Record<string, number> };

/**
 * Win rate per last open stage, smoothed towards the default table:
 * (won_s + w·default_s) / (closed_s + w). With no closed deals it is the default table itself.
 * This is both the fallback model and the benchmark's stage-only baseline.
 */
export const fitStagePrior = (closed: { stage: string; won: boolean }[]): StagePrior => {
  const won = new Map<string, number>();
  const total = new Map<string, number>();
  for (const deal of closed) {
    total.set(deal.stage, (total.get(deal.stage) ?? 0) + 1);
    if (deal.won) won.set(deal.stage, (won.get(deal.stage) ?? 0) + 1);
  }
  const stages = new Set([...Object.keys(DEFAULT_STAGE_PRIOR), ...total.keys()]);
  const rates: Record<string, number> = {};
  for (const stage of stages) {
    const base = DEFAULT_STAGE_PRIOR[stage] ?? UNKNOWN_STAGE_PRIOR;
    rates[stage] = ((won.get(stage) ?? 0) + PRIOR_WEIGHT * base) / ((total.get(stage) ?? 0) + PRIOR_WEIGHT);
  }
  return { kind: 'stage-prior', rates, closedByStage: Object.fromEntries(total) };
};

export const predictStagePrior = (prior: StagePrior, stage: string): number =>
  prior.rates[stage] ?? UNKNOWN_STAGE_PRIOR;

/** Enough closed deals, of both outcomes, to fit the model? */
export const canFit = (wonCount: number, lostCount: number): boolean =>
  wonCount + lostCount >= MIN_CLOSED && wonCount >= MIN_PER_CLASS && lostCount >= MIN_PER_CLASS;
