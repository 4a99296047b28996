// The rule-based next best action: one concrete step for an open deal or an account, from its
// context. Deal intelligence uses it when no AI provider is configured (or the AI call fails) and
// gives it to the AI as a hint; ai-automations' stale-deal check puts it in the task it raises
// when the deal carries no stored `nextBestAction` yet. Durations are worded in buckets so the text
// (and the record) changes only when the situation really moves.

const DAY = 86_400_000;

export type ActionContext = {
  kind: 'opportunity' | 'company';
  name: string;
  stage?: string | null;
  amount?: number | null; // major units
  currency?: string | null;
  closeDate?: number | null; // ms
  daysInStage?: number | null;
  lastActivityDays: number | null; // days since the last email/meeting/note/task; null = none known
  openTasks: { title: string; dueAt: number | null }[];
  winProbability?: number | null;
  winReasons?: string | null;
  churnRisk?: number | null;
  churnReasons?: string | null;
  contact: string | null; // point of contact, "First Last" (or the email)
  owner: string | null;
  companyName?: string | null;
  openDeals?: { name: string; stage: string }[];
};

export const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export const durationWords = (days: number) =>
  days < 7 ? 'under a week' : days < 14 ? '1–2 weeks' : days < 30 ? '2–4 weeks' : days < 90 ? '1–3 months' : days < 180 ? '3–6 months' : 'over 6 months';

export const moneyWords = (amount: number, currency: string | null | undefined) =>
  `${Math.round(amount).toLocaleString('en-US')}${currency ? ` ${currency}` : ''}`;

const firstReason = (reasons: string | null | undefined) =>
  String(reasons ?? '')
    .replace(/^Rules:\s*/, '')
    .split(/;\s*/)[0]
    .replace(/\.$/, '')
    .trim();

/** The deterministic next best action (never empty). `now` in ms. */
export const ruleAction = (ctx: ActionContext, now: number): string => {
  const overdue = ctx.openTasks
    .filter((t) => t.dueAt !== null && t.dueAt < now)
    .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.title.localeCompare(b.title));
  const quiet = ctx.lastActivityDays === null ? 'no recorded activity' : `no activity for ${durationWords(ctx.lastActivityDays)}`;

  if (ctx.kind === 'company') {
    if ((ctx.churnRisk ?? 0) >= 50) {
      const why = firstReason(ctx.churnReasons);
      return `Schedule a retention call with ${ctx.name}: churn risk ${ctx.churnRisk}%${why ? ` (${why})` : ''}`;
    }
    if (!ctx.owner) return `Assign an account owner to ${ctx.name}`;
    if (overdue.length) return `Complete the overdue task "${overdue[0].title}" (due ${day(overdue[0].dueAt!)})`;
    if (ctx.lastActivityDays === null || ctx.lastActivityDays >= 60) return `Check in with ${ctx.name}: ${quiet}`;
    const deal = ctx.openDeals?.[0];
    if (deal) return `Move the open deal "${deal.name}" (${deal.stage}) to its next stage`;
    return `Plan the next account review with ${ctx.name}`;
  }

  const at = ctx.companyName ? ` at ${ctx.companyName}` : '';
  if (!ctx.contact) return `Name a point of contact${at} for this deal and introduce yourself`;
  const who = ctx.contact;
  if (overdue.length) return `Complete the overdue task "${overdue[0].title}" (due ${day(overdue[0].dueAt!)})`;
  if (ctx.closeDate != null && ctx.closeDate < now - DAY) {
    return `Close date ${day(ctx.closeDate)} has passed: ask ${who} for the real timeline and update the close date`;
  }
  if (ctx.winProbability != null && ctx.winProbability < 20 && (ctx.daysInStage ?? 0) >= 60) {
    return `Ask ${who} for a go/no-go: ${durationWords(ctx.daysInStage!)} in ${ctx.stage} at ${ctx.winProbability}% win probability`;
  }
  if (ctx.lastActivityDays === null || ctx.lastActivityDays >= 14) return `Re-engage ${who}: ${quiet} on this deal`;
  const by = ctx.closeDate != null ? ` by ${day(ctx.closeDate)}` : '';
  switch (ctx.stage) {
    case 'NEW':
      return `Book a discovery call with ${who} to qualify need, budget and timing`;
    case 'SCREENING':
      return `Book a meeting with ${who} to walk through requirements and who decides`;
    case 'MEETING':
      return `Send ${who} a proposal${ctx.amount != null ? ` for ${moneyWords(ctx.amount, ctx.currency)}` : ''} and schedule a review call`;
    case 'PROPOSAL':
      return `Follow up with ${who} on the proposal and agree the steps to sign${by}`;
    default:
      return `Follow up with ${who} to move the deal to its next stage${by}`;
  }
};
