// Revenue forecast: per month of close date, expected revenue = Σ amount × win probability, with a
// band from treating each deal as an independent win/lose draw: variance Σ amount²·p·(1−p), and
// best/worst = expected ± 1.645σ (a 90 % normal band), clipped to [0, Σ amount]. Rows per month for
// the whole pipeline (TOTAL), per owner (OWNER) and per stage (STAGE).
//
// An open deal whose close date has passed counts in the current month (it is overdue, not gone);
// a deal without close date, in another currency or beyond the horizon is left out (and counted).

export type ForecastDeal = {
  amount: number | null;
  currency: string | null;
  closeDate: number | null;
  ownerId: string | null;
  stage: string;
  probability: number; // 0–100
};

export type GroupBy = 'TOTAL' | 'OWNER' | 'STAGE';

export type ForecastRow = {
  forecastKey: string;
  name: string;
  month: string; // YYYY-MM
  groupBy: GroupBy;
  groupKey: string;
  groupLabel: string;
  expected: number;
  best: number;
  worst: number;
  pipeline: number;
  dealCount: number;
};

export const Z90 = 1.645;

export const monthOf = (t: number): string => new Date(t).toISOString().slice(0, 7);

/** The `months` months starting with the current one, as YYYY-MM. */
export const horizon = (now: number, months: number): string[] => {
  const d = new Date(now);
  return Array.from({ length: months }, (_, i) =>
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i, 1)).toISOString().slice(0, 7),
  );
};

const round2 = (v: number) => Math.round(v * 100) / 100;

export const computeForecast = (
  deals: ForecastDeal[],
  { now, months, currency, ownerNames = {} }: { now: number; months: number; currency: string; ownerNames?: Record<string, string> },
): { rows: ForecastRow[]; skipped: { undated: number; otherCurrency: number; beyondHorizon: number } } => {
  const window = horizon(now, months);
  const skipped = { undated: 0, otherCurrency: 0, beyondHorizon: 0 };
  const acc = new Map<string, ForecastRow & { variance: number }>();
  const add = (month: string, groupBy: GroupBy, groupKey: string, groupLabel: string, amount: number, p: number) => {
    const forecastKey = `${month}|${groupBy}|${groupKey}`;
    const row =
      acc.get(forecastKey) ??
      { forecastKey, name: `${month} · ${groupBy === 'TOTAL' ? 'All deals' : `${groupBy === 'OWNER' ? 'Owner' : 'Stage'} ${groupLabel}`}`, month, groupBy, groupKey, groupLabel, expected: 0, best: 0, worst: 0, pipeline: 0, dealCount: 0, variance: 0 };
    row.expected += amount * p;
    row.variance += amount * amount * p * (1 - p);
    row.pipeline += amount;
    row.dealCount += 1;
    acc.set(forecastKey, row);
  };
  for (const deal of deals) {
    if (deal.amount === null || deal.amount <= 0) continue;
    if ((deal.currency ?? currency) !== currency) {
      skipped.otherCurrency++;
      continue;
    }
    if (deal.closeDate === null) {
      skipped.undated++;
      continue;
    }
    const month = monthOf(deal.closeDate) < window[0] ? window[0] : monthOf(deal.closeDate);
    if (!window.includes(month)) {
      skipped.beyondHorizon++;
      continue;
    }
    const p = Math.max(0, Math.min(100, deal.probability)) / 100;
    add(month, 'TOTAL', 'all', 'All deals', deal.amount, p);
    const owner = deal.ownerId ?? 'none';
    add(month, 'OWNER', owner, deal.ownerId ? ownerNames[deal.ownerId] ?? deal.ownerId : 'No owner', deal.amount, p);
    add(month, 'STAGE', deal.stage, deal.stage, deal.amount, p);
  }
  const rows = [...acc.values()]
    .map(({ variance, ...row }) => {
      const sd = Math.sqrt(variance);
      return {
        ...row,
        expected: round2(row.expected),
        best: round2(Math.min(row.pipeline, row.expected + Z90 * sd)),
        worst: round2(Math.max(0, row.expected - Z90 * sd)),
        pipeline: round2(row.pipeline),
      };
    })
    .sort((a, b) => a.forecastKey.localeCompare(b.forecastKey));
  return { rows, skipped };
};
