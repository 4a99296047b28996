// The nightly jobs: read what they need in pages of 200, compute, and write only what changed —
// identical patches go out together as one update-many call (≤ 100 records each), new forecast
// rows as one batch create. Every call goes through the paced fetch (lib/pace.ts).
import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { and, inList, notNull, op, or, type TwentyClient, type TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

import { isCustomer, scoreChurn } from './churn';
import { ACTIVITY_EVENTS, STAGE_EVENTS, activityTimes, dealSnapshots, type Outcomes, type Rec } from './deals';
import { computeForecast, horizon, type ForecastRow } from './forecast';
import { trainWin, winScore } from './win';

const DAY = 86_400_000;
export const MAX_RECORDS = 20_000;
export const MAX_TIMELINE = 40_000;
export const BATCH = 100;

export type JobConfig = {
  outcomes: Outcomes;
  forecastMonths: number;
  currency: string;
  callsPerMinute: number;
};

const stages = (raw: string | undefined, fallback: string) =>
  (raw?.trim() ? raw : fallback).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  return n;
};

export const loadConfig = (env: NodeJS.ProcessEnv): JobConfig => {
  const outcomes = { won: stages(env.WON_STAGES, 'CUSTOMER'), lost: stages(env.LOST_STAGES, 'LOST,CLOSED_LOST') };
  const both = outcomes.won.filter((s) => outcomes.lost.includes(s));
  if (both.length) throw new ConfigError(`WON_STAGES and LOST_STAGES both name ${both.join(', ')}`);
  const currency = (env.FORECAST_CURRENCY || 'USD').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError(`FORECAST_CURRENCY must be a 3-letter currency code, not "${currency}"`);
  return {
    outcomes,
    forecastMonths: positiveInt(env, 'FORECAST_MONTHS', 6, 24),
    currency,
    callsPerMinute: positiveInt(env, 'CALLS_PER_MINUTE', 60, 100),
  };
};

/** Timeline activities the features use: stage changes and linked emails/meetings/notes/tasks, two years back. */
export const loadTimeline = (twenty: TwentyClient, now: number, target: 'both' | 'company' = 'both') =>
  twenty.listAll<Rec>(
    'timelineActivities',
    {
      filter: and(
        inList('name', target === 'both' ? [...STAGE_EVENTS, ...ACTIVITY_EVENTS] : ACTIVITY_EVENTS),
        target === 'both' ? or(notNull('targetOpportunityId'), notNull('targetCompanyId')) : notNull('targetCompanyId'),
        op('happensAt', 'gte', new Date(now - 730 * DAY).toISOString()),
      ),
    },
    MAX_TIMELINE,
  );

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Apply per-record patches: records sharing an identical patch are written by one update-many call. */
export const writePatches = async (
  twenty: TwentyClient,
  plural: string,
  patches: { id: string; patch: Record<string, unknown> }[],
): Promise<number> => {
  const groups = new Map<string, string[]>();
  for (const { id, patch } of patches) {
    const key = JSON.stringify(patch);
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  let calls = 0;
  for (const [key, ids] of groups) {
    const patch = JSON.parse(key) as Record<string, unknown>;
    if (ids.length === 1) {
      await twenty.update(plural, ids[0], patch);
      calls++;
      continue;
    }
    for (let i = 0; i < ids.length; i += BATCH) {
      await twenty.updateMany(plural, inList('id', ids.slice(i, i + BATCH)), patch);
      calls++;
    }
  }
  return calls;
};

// ---------------------------------------------------------------- win probability + forecast

export type WinRunResult = {
  mode: 'model' | 'stage-prior';
  closed: { won: number; lost: number };
  open: number;
  updated: number;
  forecast: { rows: number; created: number; updated: number; zeroed: number; skipped: Record<string, number> };
  writeCalls: number;
};

export const runWinProbability = async (twenty: TwentyClient, config: JobConfig, now = Date.now()): Promise<WinRunResult> => {
  const stamp = new Date(now).toISOString();
  const opportunities = await twenty.listAll<Rec>('opportunities', {}, MAX_RECORDS);
  const companies = await twenty.listAll<Rec>('companies', {}, MAX_RECORDS);
  const timeline = await loadTimeline(twenty, now);
  const deals = dealSnapshots({ opportunities, companies, timeline }, config.outcomes, now);
  const trained = trainWin(deals.filter((d) => d.outcome !== 'open'), deals);

  const byId = new Map(opportunities.map((o) => [o.id, o]));
  const patches: { id: string; patch: Record<string, unknown> }[] = [];
  const probability = new Map<string, number>();
  for (const deal of deals) {
    const score = winScore(trained, deal);
    probability.set(deal.id, score.probability);
    const opp = byId.get(deal.id)!;
    if (same(opp.winProbability, score.probability) && same(opp.winProbabilityReasons, score.reasons)) continue;
    patches.push({ id: deal.id, patch: { winProbability: score.probability, winProbabilityReasons: score.reasons, winProbabilityAt: stamp } });
  }
  let writeCalls = await writePatches(twenty, 'opportunities', patches);

  const members = await twenty.listAll<Rec>('workspaceMembers', {}, 2000);
  const ownerNames = Object.fromEntries(
    members.map((m) => {
      const name = m.name as { firstName?: string; lastName?: string } | undefined;
      return [m.id, [name?.firstName, name?.lastName].filter(Boolean).join(' ') || String(m.userEmail ?? m.id)];
    }),
  );
  const open = deals.filter((d) => d.outcome === 'open');
  const { rows, skipped } = computeForecast(
    open.map((d) => ({ ...d, probability: probability.get(d.id) ?? 0 })),
    { now, months: config.forecastMonths, currency: config.currency, ownerNames },
  );
  const forecast = await refreshForecast(twenty, rows, horizon(now, config.forecastMonths), config.currency);
  writeCalls += forecast.calls;
  return {
    mode: trained.mode,
    closed: { won: trained.won, lost: trained.lost },
    open: open.length,
    updated: patches.length,
    forecast: { rows: rows.length, created: forecast.created, updated: forecast.updated, zeroed: forecast.zeroed, skipped },
    writeCalls,
  };
};

const money = (amount: number, currency: string) => ({ amountMicros: Math.round(amount * 1_000_000), currencyCode: currency });

export const forecastRecord = (row: ForecastRow, currency: string) => ({
  name: row.name,
  forecastKey: row.forecastKey,
  month: row.month,
  groupBy: row.groupBy,
  groupKey: row.groupKey,
  groupLabel: row.groupLabel,
  expectedAmount: money(row.expected, currency),
  bestAmount: money(row.best, currency),
  worstAmount: money(row.worst, currency),
  pipelineAmount: money(row.pipeline, currency),
  dealCount: row.dealCount,
});

/**
 * Make the revenueForecast rows of the horizon months equal to `rows`: create missing keys, patch
 * changed ones, zero the keys no deal feeds any more (the role never deletes). Past months' rows
 * stay as they were last written: the forecast's history.
 */
export const refreshForecast = async (twenty: TwentyClient, rows: ForecastRow[], months: string[], currency: string) => {
  const existing = await twenty.listAll<Rec>('revenueForecasts', { filter: inList('month', months) }, MAX_RECORDS);
  const byKey = new Map(existing.map((r) => [String(r.forecastKey), r]));
  const wanted = new Map(rows.map((r) => [r.forecastKey, forecastRecord(r, currency)]));
  const toCreate = [...wanted.entries()].filter(([key]) => !byKey.has(key)).map(([, rec]) => rec);
  const patches: { id: string; patch: Record<string, unknown> }[] = [];
  let zeroed = 0;
  for (const [key, record] of byKey) {
    const want = wanted.get(key);
    const target = want ?? {
      expectedAmount: money(0, currency),
      bestAmount: money(0, currency),
      worstAmount: money(0, currency),
      pipelineAmount: money(0, currency),
      dealCount: 0,
    };
    const patch = Object.fromEntries(Object.entries(target).filter(([field, value]) => !same(record[field], value)));
    if (Object.keys(patch).length === 0) continue;
    if (!want) zeroed++;
    patches.push({ id: record.id, patch });
  }
  let calls = 0;
  for (let i = 0; i < toCreate.length; i += BATCH) {
    await twenty.createMany('revenueForecasts', toCreate.slice(i, i + BATCH));
    calls++;
  }
  calls += await writePatches(twenty, 'revenueForecasts', patches);
  return { created: toCreate.length, updated: patches.length - zeroed, zeroed, calls };
};

// ---------------------------------------------------------------- churn risk

export type ChurnRunResult = { customers: number; updated: number; writeCalls: number };

export const runChurnRisk = async (twenty: TwentyClient, config: JobConfig, now = Date.now()): Promise<ChurnRunResult> => {
  const stamp = new Date(now).toISOString();
  const companies = await twenty.listAll<Rec>('companies', {}, MAX_RECORDS);
  const won = await twenty.listAll<Rec>(
    'opportunities',
    { filter: and(inList('stage', config.outcomes.won), notNull('companyId')) },
    MAX_RECORDS,
  );
  const wonCompanyIds = new Set(won.map((o) => String(o.companyId)));
  const customers = companies.filter((c) => isCustomer(c, wonCompanyIds));
  const activity = activityTimes(await loadTimeline(twenty, now, 'company'), 'targetCompanyId');

  const overdue = await twenty.listAll<TwentyRecord>(
    'tasks',
    { filter: and(op('status', 'neq', 'DONE'), op('dueAt', 'lt', new Date(now).toISOString())) },
    MAX_RECORDS,
  );
  const overdueByCompany = new Map<string, number>();
  for (let i = 0; i < overdue.length; i += BATCH) {
    const targets = await twenty.listAll<TwentyRecord>(
      'taskTargets',
      { filter: and(inList('taskId', overdue.slice(i, i + BATCH).map((t) => t.id)), notNull('targetCompanyId')) },
      MAX_RECORDS,
    );
    for (const t of targets) overdueByCompany.set(String(t.targetCompanyId), (overdueByCompany.get(String(t.targetCompanyId)) ?? 0) + 1);
  }

  const patches: { id: string; patch: Record<string, unknown> }[] = [];
  for (const company of customers) {
    const score = scoreChurn({ company, activity: activity.get(company.id) ?? [], overdueTasks: overdueByCompany.get(company.id) ?? 0, now });
    const patch: Record<string, unknown> = {};
    if (!same(company.churnRisk, score.risk) || !same(company.churnRiskReasons, score.reasons)) {
      Object.assign(patch, { churnRisk: score.risk, churnRiskReasons: score.reasons, churnRiskAt: stamp });
    }
    if (score.seatsPeak !== null && !same(company.seatsPeak, score.seatsPeak)) patch.seatsPeak = score.seatsPeak;
    if (Object.keys(patch).length) patches.push({ id: company.id, patch });
  }
  const writeCalls = await writePatches(twenty, 'companies', patches);
  return { customers: customers.length, updated: patches.length, writeCalls };
};
