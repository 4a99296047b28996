// From Twenty records to deal snapshots and model features.
//
// A deal is described as of a moment: an open deal as of now, a closed deal as of the moment it
// closed (its stage is then the last open stage it reached before closing, never the won/lost stage
// itself, which would leak the outcome). Stage history comes from the opportunity's timeline
// (`opportunity.updated` activities carry `properties.diff.stage {before, after}`, as 2.21's
// timeline-activity service writes them); activity from the timeline events that link emails,
// meetings, notes and tasks to the deal or its company (the names 2.21 uses: message.linked,
// calendarEvent.linked, linked-note.created, linked-task.created — see the captured seed).
import type { FeatureSpec } from './model';

export type Rec = Record<string, unknown> & { id: string };

export const ACTIVITY_EVENTS = ['message.linked', 'calendarEvent.linked', 'linked-note.created', 'linked-task.created'];
export const STAGE_EVENTS = ['opportunity.created', 'opportunity.updated'];

export type Outcomes = { won: string[]; lost: string[] };

export type DealSnapshot = {
  id: string;
  outcome: 'won' | 'lost' | 'open';
  stage: string; // current stage when open, last open stage when closed ('UNKNOWN' without history)
  asOf: number; // ms
  createdAt: number;
  stageEnteredAt: number;
  closedAt?: number;
  amount: number | null; // major units
  currency: string | null;
  closeDate: number | null;
  ownerId: string | null;
  companyId: string | null;
  employees: number | null;
  source: string | null;
  hasContact: boolean;
  dealActivity: number[]; // activity times (ms) on the deal
  accountActivity: number[]; // activity times (ms) on its company
};

const DAY = 86_400_000;
const time = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

export const amountOf = (opp: Rec): { amount: number | null; currency: string | null } => {
  const a = opp.amount as { amountMicros?: number | null; currencyCode?: string | null } | null | undefined;
  return typeof a?.amountMicros === 'number'
    ? { amount: a.amountMicros / 1_000_000, currency: a.currencyCode ?? null }
    : { amount: null, currency: null };
};

type StageChange = { at: number; before: string | null; after: string };

/** Stage changes per opportunity, oldest first, from its timeline activities. */
export const stageHistory = (timeline: Rec[]): Map<string, StageChange[]> => {
  const out = new Map<string, StageChange[]>();
  for (const event of timeline) {
    const oppId = event.targetOpportunityId;
    if (typeof oppId !== 'string') continue;
    const at = time(event.happensAt) ?? time(event.createdAt);
    if (at === null) continue;
    const props = (event.properties ?? {}) as { diff?: Record<string, { before?: unknown; after?: unknown }>; after?: Rec };
    let change: StageChange | null = null;
    if (event.name === 'opportunity.updated' && props.diff?.stage && typeof props.diff.stage.after === 'string') {
      const before = props.diff.stage.before;
      change = { at, before: typeof before === 'string' ? before : null, after: props.diff.stage.after };
    } else if (event.name === 'opportunity.created' && typeof props.after?.stage === 'string') {
      change = { at, before: null, after: props.after.stage as string };
    }
    if (change) out.set(oppId, [...(out.get(oppId) ?? []), change]);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
};

export const activityTimes = (timeline: Rec[], key: 'targetOpportunityId' | 'targetCompanyId'): Map<string, number[]> => {
  const out = new Map<string, number[]>();
  for (const event of timeline) {
    const id = event[key];
    if (typeof id !== 'string' || !ACTIVITY_EVENTS.includes(String(event.name))) continue;
    const at = time(event.happensAt) ?? time(event.createdAt);
    if (at !== null) out.set(id, [...(out.get(id) ?? []), at]);
  }
  return out;
};

export type WorkspaceRecords = { opportunities: Rec[]; companies: Rec[]; timeline: Rec[] };

/** Every opportunity as a snapshot (closed ones as of closing), ready for the model. */
export const dealSnapshots = (data: WorkspaceRecords, outcomes: Outcomes, now: number): DealSnapshot[] => {
  const history = stageHistory(data.timeline);
  const dealActs = activityTimes(data.timeline, 'targetOpportunityId');
  const accountActs = activityTimes(data.timeline, 'targetCompanyId');
  const companies = new Map(data.companies.map((c) => [c.id, c]));
  const closedStages = new Set([...outcomes.won, ...outcomes.lost]);
  return data.opportunities.map((opp) => {
    const stageNow = String(opp.stage ?? 'NEW');
    const outcome = outcomes.won.includes(stageNow) ? 'won' : outcomes.lost.includes(stageNow) ? 'lost' : 'open';
    const createdAt = time(opp.createdAt) ?? now;
    const changes = history.get(opp.id) ?? [];
    let stage = stageNow;
    let asOf = now;
    let stageEnteredAt = createdAt;
    let closedAt: number | undefined;
    if (outcome === 'open') {
      const entered = [...changes].reverse().find((c) => c.after === stageNow);
      if (entered) stageEnteredAt = entered.at;
    } else {
      const closing = [...changes].reverse().find((c) => closedStages.has(c.after));
      closedAt = closing?.at ?? time(opp.closeDate) ?? time(opp.updatedAt) ?? now;
      asOf = closedAt;
      const open = closing?.before && !closedStages.has(closing.before) ? closing.before : null;
      stage = open ?? 'UNKNOWN';
      if (open) {
        const entered = [...changes].reverse().find((c) => c.after === open && c.at <= asOf);
        if (entered) stageEnteredAt = entered.at;
      }
    }
    const company = typeof opp.companyId === 'string' ? companies.get(opp.companyId) : undefined;
    const employees = typeof company?.employees === 'number' ? company.employees : null;
    const { amount, currency } = amountOf(opp);
    const upTo = (times: number[] | undefined) => (times ?? []).filter((t) => t <= asOf);
    return {
      id: opp.id,
      outcome,
      stage,
      asOf,
      createdAt,
      stageEnteredAt: Math.min(stageEnteredAt, asOf),
      closedAt,
      amount,
      currency,
      closeDate: time(opp.closeDate),
      ownerId: typeof opp.ownerId === 'string' ? opp.ownerId : null,
      companyId: typeof opp.companyId === 'string' ? opp.companyId : null,
      employees,
      source: typeof opp.source === 'string' && opp.source ? opp.source : null,
      hasContact: typeof opp.pointOfContactId === 'string',
      dealActivity: upTo(dealActs.get(opp.id)),
      accountActivity: typeof opp.companyId === 'string' ? upTo(accountActs.get(opp.companyId)) : [],
    };
  });
};

// ---------------------------------------------------------------- features

const WINDOW = 90 * DAY;
const NO_ACTIVITY_DAYS = 365;

const daysSinceLast = (deal: DealSnapshot): number => {
  const last = Math.max(-Infinity, ...deal.dealActivity, ...deal.accountActivity);
  return last === -Infinity ? NO_ACTIVITY_DAYS : Math.min(NO_ACTIVITY_DAYS, (deal.asOf - last) / DAY);
};
const recent = (times: number[], asOf: number) => times.filter((t) => t > asOf - WINDOW).length;

/** The model's columns for a set of deals: fixed numeric features, then stage and source dummies. */
export const featureSpace = (deals: DealSnapshot[]): FeatureSpec[] => {
  const stages = [...new Set(deals.map((d) => d.stage))].sort();
  const sourceCounts = new Map<string, number>();
  for (const d of deals) if (d.source) sourceCounts.set(d.source, (sourceCounts.get(d.source) ?? 0) + 1);
  const sources = [...sourceCounts.entries()].filter(([, n]) => n >= 5).map(([s]) => s).sort();
  return [
    { name: 'logAmount', group: 'amount' },
    { name: 'hasAmount', group: 'amount' },
    { name: 'logDaysInStage', group: 'daysInStage' },
    { name: 'logAgeDays', group: 'age' },
    { name: 'logDealActivity90d', group: 'dealActivity' },
    { name: 'logAccountActivity90d', group: 'accountActivity' },
    { name: 'logDaysSinceActivity', group: 'recency' },
    { name: 'logEmployees', group: 'companySize' },
    { name: 'hasEmployees', group: 'companySize' },
    { name: 'hasContact', group: 'contact' },
    ...stages.map((s) => ({ name: `stage=${s}`, group: 'stage' })),
    ...sources.map((s) => ({ name: `source=${s}`, group: 'source' })),
  ];
};

export const vectorise = (space: FeatureSpec[], deal: DealSnapshot): number[] =>
  space.map(({ name }) => {
    switch (name) {
      case 'logAmount':
        return Math.log1p(Math.max(0, deal.amount ?? 0));
      case 'hasAmount':
        return deal.amount === null ? 0 : 1;
      case 'logDaysInStage':
        return Math.log1p(Math.max(0, (deal.asOf - deal.stageEnteredAt) / DAY));
      case 'logAgeDays':
        return Math.log1p(Math.max(0, (deal.asOf - deal.createdAt) / DAY));
      case 'logDealActivity90d':
        return Math.log1p(recent(deal.dealActivity, deal.asOf));
      case 'logAccountActivity90d':
        return Math.log1p(recent(deal.accountActivity, deal.asOf));
      case 'logDaysSinceActivity':
        return Math.log1p(daysSinceLast(deal));
      case 'logEmployees':
        return Math.log1p(Math.max(0, deal.employees ?? 0));
      case 'hasEmployees':
        return deal.employees === null ? 0 : 1;
      case 'hasContact':
        return deal.hasContact ? 1 : 0;
      default:
        if (name.startsWith('stage=')) return deal.stage === name.slice(6) ? 1 : 0;
        if (name.startsWith('source=')) return deal.source === name.slice(7) ? 1 : 0;
        throw new Error(`unknown feature ${name}`);
    }
  });

// ---------------------------------------------------------------- wording (bucketed: stable text)

const countBucket = (n: number) => (n === 0 ? 'no' : n <= 2 ? '1–2' : n <= 5 ? '3–5' : n <= 10 ? '6–10' : 'over 10');
const daysBucket = (d: number) =>
  d < 7 ? 'under a week' : d < 30 ? '1–4 weeks' : d < 90 ? '1–3 months' : d < 180 ? '3–6 months' : 'over 6 months';
const sizeBucket = (n: number) => (n <= 10 ? '1–10' : n <= 50 ? '11–50' : n <= 200 ? '51–200' : n <= 1000 ? '201–1000' : 'over 1000');
const amountBucket = (a: number) =>
  a < 1_000 ? 'under 1k' : a < 10_000 ? '1k–10k' : a < 50_000 ? '10k–50k' : a < 250_000 ? '50k–250k' : 'over 250k';

/** Plain words for a feature group's value on one deal (buckets, so the text changes rarely). */
export const describe = (group: string, deal: DealSnapshot): string => {
  switch (group) {
    case 'stage':
      return `stage ${deal.stage}`;
    case 'amount':
      return deal.amount === null ? 'no amount' : `amount ${amountBucket(deal.amount)}`;
    case 'daysInStage':
      return `${daysBucket((deal.asOf - deal.stageEnteredAt) / DAY)} in stage`;
    case 'age':
      return `deal open ${daysBucket((deal.asOf - deal.createdAt) / DAY)}`;
    case 'dealActivity':
      return `${countBucket(recent(deal.dealActivity, deal.asOf))} deal activities in 90 days`;
    case 'accountActivity':
      return `${countBucket(recent(deal.accountActivity, deal.asOf))} account activities in 90 days`;
    case 'recency': {
      const d = daysSinceLast(deal);
      return d >= NO_ACTIVITY_DAYS ? 'no activity in a year' : `last activity ${daysBucket(d)} ago`;
    }
    case 'companySize':
      return deal.employees === null ? 'company size unknown' : `${sizeBucket(deal.employees)} employees`;
    case 'contact':
      return deal.hasContact ? 'point of contact set' : 'no point of contact';
    case 'source':
      return deal.source ? `source ${deal.source}` : 'no source';
    default:
      return group;
  }
};
