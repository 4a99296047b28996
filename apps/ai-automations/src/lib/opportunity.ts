// Rules over opportunities: owner assignment for new deals, the deal score and stage tasks.
import { ConfigError } from '@twenty-gcp/apps-shared/http';

export type PipelineRule = { minAmount?: number; maxAmount?: number; source?: string; ownerEmail: string; stage?: string };

export const amountOf = (opp: Record<string, unknown>): number => {
  const micros = (opp.amount as { amountMicros?: number | null } | null)?.amountMicros;
  return typeof micros === 'number' ? micros / 1_000_000 : 0;
};

export const loadPipelineRules = (raw: string | undefined): PipelineRule[] => {
  if (!raw || !raw.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('PIPELINE_RULES is not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('PIPELINE_RULES must be a JSON list');
  return parsed.map((r, i) => {
    const rule = r as PipelineRule;
    if (!rule || typeof rule.ownerEmail !== 'string' || !rule.ownerEmail.includes('@')) {
      throw new ConfigError(`PIPELINE_RULES[${i}].ownerEmail must be a workspace member's email`);
    }
    for (const key of ['minAmount', 'maxAmount'] as const) {
      if (rule[key] !== undefined && typeof rule[key] !== 'number') throw new ConfigError(`PIPELINE_RULES[${i}].${key} must be a number`);
    }
    return rule;
  });
};

/** First rule whose amount range (and source, when given) matches the opportunity. */
export const matchRule = (opp: Record<string, unknown>, rules: PipelineRule[]): PipelineRule | undefined => {
  const amount = amountOf(opp);
  return rules.find(
    (r) =>
      (r.minAmount === undefined || amount >= r.minAmount) &&
      (r.maxAmount === undefined || amount < r.maxAmount) &&
      (r.source === undefined || String(opp.source ?? '').toLowerCase() === r.source.toLowerCase()),
  );
};

const STAGE_WEIGHT: Record<string, number> = { NEW: 10, SCREENING: 25, MEETING: 45, PROPOSAL: 70, CUSTOMER: 100 };

/** A transparent 0–100 score: stage, a named contact, deal size, and an overdue close date. */
export const scoreOpportunity = (opp: Record<string, unknown>, largeDeal: number, now = new Date()): number => {
  const stage = String(opp.stage ?? 'NEW');
  if (stage === 'CUSTOMER') return 100;
  let score = STAGE_WEIGHT[stage] ?? 10;
  if (opp.pointOfContactId) score += 10;
  if (amountOf(opp) >= largeDeal) score += 10;
  const close = typeof opp.closeDate === 'string' ? Date.parse(opp.closeDate) : NaN;
  if (!Number.isNaN(close) && close < now.getTime()) score -= 20;
  return Math.max(0, Math.min(100, score));
};

export const STAGE_TASKS: Record<string, string> = {
  SCREENING: 'Qualify budget, authority, need and timing',
  MEETING: 'Book the discovery meeting and send the agenda',
  PROPOSAL: 'Send the proposal and schedule the review call',
  CUSTOMER: 'Hand over to onboarding and send the welcome pack',
};
