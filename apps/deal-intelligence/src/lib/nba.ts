// Next best action: the AI proposal (an OpenAI-compatible chat completion, configured by the app
// variables AI_BASE_URL / AI_MODEL / AI_API_KEY like the other AI apps) with the rule fallback of
// shared/next-action.ts, and the filter that decides which record changes are material.
import { aiConfigFromEnv, aiConfigured, chatContent, type AiConfig } from '@twenty-gcp/apps-shared/ai';
import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { day, durationWords, moneyWords, ruleAction, type ActionContext } from '@twenty-gcp/apps-shared/next-action';
import type { FetchLike } from '@twenty-gcp/apps-shared/twenty';

export const MAX_ACTION_CHARS = 500;

/** Changes that call for a new action. Our own prediction fields are never in these lists. */
export const MATERIAL_FIELDS: Record<'opportunity' | 'company', string[]> = {
  opportunity: ['name', 'stage', 'amount', 'closeDate', 'pointOfContactId', 'ownerId', 'companyId'],
  company: ['name', 'accountOwnerId', 'employees', 'subscriptionStatus', 'subscriptionSeats', 'lastPaymentStatus'],
};

/** What this app writes: a change to these alone is our own (or our sibling jobs') doing. */
export const OWN_FIELDS = [
  'nextBestAction',
  'nextBestActionAt',
  'winProbability',
  'winProbabilityReasons',
  'winProbabilityAt',
  'churnRisk',
  'churnRiskReasons',
  'churnRiskAt',
  'seatsPeak',
  'updatedAt',
];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Is this database event a material change of an opportunity/company? Twenty already filters
 * update events by the trigger's `updatedFields` (transform-event-batch-to-event-payloads.ts in
 * 2.21); this repeats it on the payload — and when `updatedFields` is absent compares before/after —
 * so a write of our own fields can never start another run.
 */
export const materialChange = (event: DatabaseEvent): { kind: 'opportunity' | 'company'; id: string } | null => {
  const [object, operation] = String(event?.name ?? '').split('.');
  if ((object !== 'opportunity' && object !== 'company') || operation !== 'updated') return null;
  const after = event.properties?.after;
  const before = event.properties?.before;
  const id = (event.recordId ?? after?.id) as string | undefined;
  if (!id || !after) return null;
  const material = MATERIAL_FIELDS[object];
  const changed = event.properties?.updatedFields;
  const hit = Array.isArray(changed) && changed.length
    ? changed.some((f) => material.includes(f) && !OWN_FIELDS.includes(f))
    : material.some((f) => before && f in after && !same(before[f], after[f]));
  return hit ? { kind: object, id } : null;
};

// ---------------------------------------------------------------- configuration

export type NbaConfig = { refreshDays: number; maxPerRun: number; ai: AiConfig | null; aiCallsPerMinute: number };

const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number, max: number) => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  return n;
};

export const loadNbaConfig = (env: NodeJS.ProcessEnv): NbaConfig => ({
  refreshDays: whole(env, 'NBA_REFRESH_DAYS', 7, 90),
  maxPerRun: whole(env, 'NBA_MAX_PER_RUN', 200, 2000),
  aiCallsPerMinute: whole(env, 'AI_CALLS_PER_MINUTE', 30, 600),
  ai: aiConfigured(env) ? aiConfigFromEnv(env) : null,
});

// ---------------------------------------------------------------- the AI proposal

export const SYSTEM_PROMPT =
  'You are the sales assistant of a CRM. From the record below, propose ONE concrete next action for ' +
  'its owner: imperative, specific (who, what, by when), at most 200 characters, using only the facts ' +
  'given. Answer as JSON: {"action": "<the action>"}.';

/** The record's context in plain, bucketed lines (the same situation gives the same prompt). */
export const promptOf = (ctx: ActionContext, now: number): string => {
  const lines = [`Record: ${ctx.kind} "${ctx.name}"${ctx.companyName ? ` (company ${ctx.companyName})` : ''}`];
  if (ctx.kind === 'opportunity') {
    lines.push(`Stage: ${ctx.stage ?? 'unknown'}${ctx.daysInStage != null ? `, ${durationWords(ctx.daysInStage)} in stage` : ''}`);
    lines.push(`Amount: ${ctx.amount != null ? moneyWords(ctx.amount, ctx.currency) : 'not set'}`);
    if (ctx.closeDate != null) lines.push(`Close date: ${day(ctx.closeDate)}${ctx.closeDate < now ? ' (passed)' : ''}`);
    lines.push(`Point of contact: ${ctx.contact ?? 'none'}`);
    if (ctx.winProbability != null) lines.push(`Win probability: ${ctx.winProbability}%${ctx.winReasons ? ` (${ctx.winReasons})` : ''}`);
  } else {
    if (ctx.churnRisk != null) lines.push(`Churn risk: ${ctx.churnRisk}%${ctx.churnReasons ? ` (${ctx.churnReasons})` : ''}`);
    const deals = ctx.openDeals ?? [];
    lines.push(`Open deals: ${deals.length ? deals.map((d) => `"${d.name}" (${d.stage})`).join(', ') : 'none'}`);
  }
  lines.push(`Owner: ${ctx.owner ?? 'none'}`);
  lines.push(`Last activity: ${ctx.lastActivityDays === null ? 'none recorded' : `${durationWords(ctx.lastActivityDays)} ago`}`);
  const tasks = ctx.openTasks.map((t) => `"${t.title}"${t.dueAt !== null ? ` (due ${day(t.dueAt)}${t.dueAt < now ? ', overdue' : ''})` : ''}`);
  lines.push(`Open tasks: ${tasks.length ? tasks.join(', ') : 'none'}`);
  lines.push(`Rule-based suggestion: ${ruleAction(ctx, now)}`);
  return lines.join('\n');
};

/** The action in an answer: `{"action": "…"}`, or — from a model that ignored the format — its plain text. */
export const actionOf = (content: string): string | null => {
  let text = content;
  try {
    const parsed = JSON.parse(content) as unknown;
    if (typeof parsed === 'string') text = parsed;
    else if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const action = (parsed as { action?: unknown }).action;
      if (typeof action !== 'string') return null;
      text = action;
    }
  } catch {
    /* plain text */
  }
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return null;
  return clean.length > MAX_ACTION_CHARS ? `${clean.slice(0, MAX_ACTION_CHARS - 1)}…` : clean;
};

export const askAi = async (ai: AiConfig, ctx: ActionContext, now: number, fetchImpl: FetchLike): Promise<string | null> =>
  actionOf(await chatContent(ai, SYSTEM_PROMPT, promptOf(ctx, now), fetchImpl, 60_000));

export type Proposal = { action: string; source: 'ai' | 'rules'; aiError?: string };

/** Asks the AI when one is configured (and not switched off for this run); the rules otherwise or on failure. */
export class Proposer {
  aiCalls = 0;
  aiFailures = 0;
  private consecutiveFailures = 0;

  constructor(
    private readonly ai: AiConfig | null,
    private readonly fetchImpl: FetchLike,
  ) {}

  async propose(ctx: ActionContext, now: number): Promise<Proposal> {
    if (this.ai && this.consecutiveFailures < 3) {
      this.aiCalls++;
      try {
        const action = await askAi(this.ai, ctx, now, this.fetchImpl);
        if (action) {
          this.consecutiveFailures = 0;
          return { action, source: 'ai' };
        }
        throw new Error('AI answer has no action');
      } catch (error) {
        this.aiFailures++;
        this.consecutiveFailures++; // after 3 in a row, the rest of the run uses the rules
        return { action: ruleAction(ctx, now), source: 'rules', aiError: String((error as Error).message ?? error) };
      }
    }
    return { action: ruleAction(ctx, now), source: 'rules' };
  }
}
