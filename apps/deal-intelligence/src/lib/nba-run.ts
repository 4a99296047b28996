// Next best action runs: one record (the database-event trigger) or the stale ones (nightly).
// Context is read in batches of ids (≤ 100 per filter), so one record costs ~6 reads and a night's
// 200 records about the same number of paged reads. A record's action is written when its text
// changes; the nightly also stamps `nextBestActionAt` on a due record whose action it confirmed
// unchanged (see `propose`). Every Twenty call goes through the paced fetch like the other jobs.
import { isCustomer } from './churn';
import { ACTIVITY_EVENTS, STAGE_EVENTS, amountOf, stageHistory, type Outcomes, type Rec } from './deals';
import { BATCH, MAX_RECORDS, writePatches } from './jobs';
import { Proposer, type NbaConfig } from './nba';
import type { ActionContext } from '@twenty-gcp/apps-shared/next-action';
import { and, inList, op, or, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

const DAY = 86_400_000;
const time = (v: unknown): number | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);

const chunks = <T>(items: T[], size = BATCH): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const byIds = async (twenty: TwentyClient, plural: string, field: string, ids: string[], extra?: string): Promise<Rec[]> => {
  const unique = [...new Set(ids.filter(Boolean))];
  const out: Rec[] = [];
  for (const part of chunks(unique)) {
    const filter = extra ? and(inList(field, part), extra) : inList(field, part);
    out.push(...(await twenty.listAll<Rec>(plural, { filter }, MAX_RECORDS)));
  }
  return out;
};

const personName = (p: Rec | undefined): string | null => {
  if (!p) return null;
  const name = p.name as { firstName?: string; lastName?: string } | undefined;
  const full = [name?.firstName, name?.lastName].filter(Boolean).join(' ');
  const email = (p.emails as { primaryEmail?: string } | undefined)?.primaryEmail;
  return full || email || null;
};

type Shared = { members: Map<string, string> };

const loadMembers = async (twenty: TwentyClient): Promise<Shared> => {
  const members = await twenty.listAll<Rec>('workspaceMembers', {}, 2000);
  return { members: new Map(members.map((m) => [m.id, personName(m) ?? String(m.userEmail ?? m.id)])) };
};

/** Open tasks linked to the records (`targetOpportunityId` / `targetCompanyId`). */
const openTasksOf = async (twenty: TwentyClient, key: 'targetOpportunityId' | 'targetCompanyId', ids: string[]) => {
  const targets = await byIds(twenty, 'taskTargets', key, ids);
  const tasks = new Map((await byIds(twenty, 'tasks', 'id', targets.map((t) => String(t.taskId)), op('status', 'neq', 'DONE'))).map((t) => [t.id, t]));
  const out = new Map<string, { title: string; dueAt: number | null }[]>();
  for (const target of targets) {
    const task = tasks.get(String(target.taskId));
    if (!task) continue;
    const id = String(target[key]);
    out.set(id, [...(out.get(id) ?? []), { title: String(task.title || 'Untitled task'), dueAt: time(task.dueAt) }]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.title.localeCompare(b.title));
  return out;
};

const lastActivityDays = (events: Rec[], now: number): number | null => {
  const times = events.filter((e) => ACTIVITY_EVENTS.includes(String(e.name))).map((e) => time(e.happensAt) ?? time(e.createdAt) ?? 0);
  return times.length ? Math.max(0, (now - Math.max(...times)) / DAY) : null;
};

export const opportunityContexts = async (twenty: TwentyClient, opps: Rec[], now: number, shared?: Shared): Promise<Map<string, ActionContext>> => {
  const { members } = shared ?? (await loadMembers(twenty));
  const ids = opps.map((o) => o.id);
  const companyIds = opps.map((o) => o.companyId as string).filter(Boolean);
  const companies = new Map((await byIds(twenty, 'companies', 'id', companyIds)).map((c) => [c.id, c]));
  const people = new Map((await byIds(twenty, 'people', 'id', opps.map((o) => o.pointOfContactId as string).filter(Boolean))).map((p) => [p.id, p]));
  const since = op('happensAt', 'gte', new Date(now - 730 * DAY).toISOString());
  const timeline: Rec[] = [];
  for (const part of chunks(ids)) {
    const parts = companyIds.length ? or(inList('targetOpportunityId', part), inList('targetCompanyId', [...new Set(opps.filter((o) => part.includes(o.id)).map((o) => o.companyId as string).filter(Boolean))])) : inList('targetOpportunityId', part);
    const filter = and(inList('name', [...STAGE_EVENTS, ...ACTIVITY_EVENTS]), parts, since);
    timeline.push(...(await twenty.listAll<Rec>('timelineActivities', { filter }, MAX_RECORDS)));
  }
  const history = stageHistory(timeline);
  const tasks = await openTasksOf(twenty, 'targetOpportunityId', ids);
  const out = new Map<string, ActionContext>();
  for (const opp of opps) {
    const stage = String(opp.stage ?? 'NEW');
    const entered = [...(history.get(opp.id) ?? [])].reverse().find((c) => c.after === stage)?.at ?? time(opp.createdAt);
    const events = timeline.filter((e) => e.targetOpportunityId === opp.id || (opp.companyId && e.targetCompanyId === opp.companyId));
    const { amount, currency } = amountOf(opp);
    const company = companies.get(opp.companyId as string);
    out.set(opp.id, {
      kind: 'opportunity',
      name: String(opp.name || 'Untitled deal'),
      stage,
      amount,
      currency,
      closeDate: time(opp.closeDate),
      daysInStage: entered === null ? null : Math.max(0, (now - entered) / DAY),
      lastActivityDays: lastActivityDays(events, now),
      openTasks: tasks.get(opp.id) ?? [],
      winProbability: typeof opp.winProbability === 'number' ? opp.winProbability : null,
      winReasons: typeof opp.winProbabilityReasons === 'string' ? opp.winProbabilityReasons : null,
      contact: personName(people.get(opp.pointOfContactId as string)),
      owner: members.get(opp.ownerId as string) ?? null,
      companyName: company ? String(company.name ?? '') || null : null,
    });
  }
  return out;
};

export const companyContexts = async (
  twenty: TwentyClient,
  companies: Rec[],
  openDealsByCompany: Map<string, Rec[]>,
  now: number,
  shared?: Shared,
): Promise<Map<string, ActionContext>> => {
  const { members } = shared ?? (await loadMembers(twenty));
  const ids = companies.map((c) => c.id);
  const since = op('happensAt', 'gte', new Date(now - 730 * DAY).toISOString());
  // Account activity: what is linked to the company or to one of its open deals.
  const recent = and(inList('name', ACTIVITY_EVENTS), since);
  const dealCompany = new Map([...openDealsByCompany.entries()].flatMap(([companyId, deals]) => deals.map((d) => [d.id, companyId] as const)));
  const timeline = [
    ...(await byIds(twenty, 'timelineActivities', 'targetCompanyId', ids, recent)),
    ...(await byIds(twenty, 'timelineActivities', 'targetOpportunityId', [...dealCompany.keys()].filter((d) => ids.includes(dealCompany.get(d)!)), recent)).map(
      (e) => ({ ...e, targetCompanyId: dealCompany.get(String(e.targetOpportunityId)) }),
    ),
  ];
  const tasks = await openTasksOf(twenty, 'targetCompanyId', ids);
  const out = new Map<string, ActionContext>();
  for (const company of companies) {
    out.set(company.id, {
      kind: 'company',
      name: String(company.name || 'this account'),
      lastActivityDays: lastActivityDays(timeline.filter((e) => e.targetCompanyId === company.id), now),
      openTasks: tasks.get(company.id) ?? [],
      churnRisk: typeof company.churnRisk === 'number' ? company.churnRisk : null,
      churnReasons: typeof company.churnRiskReasons === 'string' ? company.churnRiskReasons : null,
      contact: null,
      owner: members.get(company.accountOwnerId as string) ?? null,
      openDeals: (openDealsByCompany.get(company.id) ?? [])
        .map((d) => ({ name: String(d.name || 'Untitled deal'), stage: String(d.stage ?? 'NEW') }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  return out;
};

export type NbaRunResult = {
  opportunities: number;
  companies: number;
  ai: number;
  rules: number;
  aiFailures: number;
  updated: number;
  /** Due records whose proposal equalled the stored action: only `nextBestActionAt` stamped. */
  confirmed: number;
  writeCalls: number;
  firstAiError?: string;
};

const isOpen = (opp: Rec, outcomes: Outcomes) => {
  const stage = String(opp.stage ?? 'NEW');
  return !outcomes.won.includes(stage) && !outcomes.lost.includes(stage);
};

/**
 * Does this record's action need a refresh tonight? Never made, older than refreshDays, or made
 * (or last confirmed) before the last prediction change. `nextBestActionAt` is when the action was
 * last proposed or confirmed: the nightly stamps it on a due record whose proposal came out the
 * same, so a record is due once per prediction change, not every night after it.
 */
export const isStale = (record: Rec, now: number, refreshDays: number): boolean => {
  const at = time(record.nextBestActionAt);
  if (!record.nextBestAction || at === null) return true;
  if (at < now - refreshDays * DAY) return true;
  const predicted = Math.max(time(record.winProbabilityAt) ?? 0, time(record.churnRiskAt) ?? 0);
  return predicted > at;
};

const staleness = (record: Rec) => (record.nextBestAction ? time(record.nextBestActionAt) ?? 0 : -1);

const propose = async (
  twenty: TwentyClient,
  proposer: Proposer,
  plural: string,
  records: Rec[],
  contexts: Map<string, ActionContext>,
  now: number,
  tally: NbaRunResult,
  confirm: boolean,
) => {
  const stamp = new Date(now).toISOString();
  const patches: { id: string; patch: Record<string, unknown> }[] = [];
  for (const record of records) {
    const ctx = contexts.get(record.id);
    if (!ctx) continue;
    const proposal = await proposer.propose(ctx, now);
    if (proposal.source === 'ai') tally.ai++;
    else tally.rules++;
    if (proposal.aiError && !tally.firstAiError) tally.firstAiError = proposal.aiError;
    if (proposal.action !== record.nextBestAction) {
      tally.updated++;
      patches.push({ id: record.id, patch: { nextBestAction: proposal.action, nextBestActionAt: stamp } });
    } else if (confirm) {
      // The nightly took this record because it was stale and the proposal is the same: stamp it as
      // confirmed (a write of nextBestActionAt alone — not a material field, so no trigger runs;
      // these identical patches go out as one update-many per 100 records). Without the stamp the
      // record would stay older than its last prediction and be taken again every night.
      tally.confirmed++;
      patches.push({ id: record.id, patch: { nextBestActionAt: stamp } });
    }
  }
  tally.writeCalls += await writePatches(twenty, plural, patches);
};

const emptyTally = (): NbaRunResult => ({ opportunities: 0, companies: 0, ai: 0, rules: 0, aiFailures: 0, updated: 0, confirmed: 0, writeCalls: 0 });

/** Nightly: every open deal and every customer / open-deal company whose action is stale, oldest first, at most maxPerRun. */
export const runNextBestAction = async (
  twenty: TwentyClient,
  outcomes: Outcomes,
  config: NbaConfig,
  proposer: Proposer,
  now = Date.now(),
): Promise<NbaRunResult> => {
  const tally = emptyTally();
  const opportunities = await twenty.listAll<Rec>('opportunities', {}, MAX_RECORDS);
  const companies = await twenty.listAll<Rec>('companies', {}, MAX_RECORDS);
  const open = opportunities.filter((o) => isOpen(o, outcomes));
  const openByCompany = new Map<string, Rec[]>();
  for (const o of open) if (typeof o.companyId === 'string') openByCompany.set(o.companyId, [...(openByCompany.get(o.companyId) ?? []), o]);
  const won = new Set(opportunities.filter((o) => outcomes.won.includes(String(o.stage))).map((o) => String(o.companyId)));
  const accounts = companies.filter((c) => isCustomer(c, won) || openByCompany.has(c.id));

  const due = [
    ...open.filter((o) => isStale(o, now, config.refreshDays)).map((r) => ({ r, kind: 'opportunity' as const })),
    ...accounts.filter((c) => isStale(c, now, config.refreshDays)).map((r) => ({ r, kind: 'company' as const })),
  ]
    .sort((a, b) => staleness(a.r) - staleness(b.r))
    .slice(0, config.maxPerRun);
  const dueOpps = due.filter((d) => d.kind === 'opportunity').map((d) => d.r);
  const dueCompanies = due.filter((d) => d.kind === 'company').map((d) => d.r);
  const shared = await loadMembers(twenty);
  if (dueOpps.length) {
    await propose(twenty, proposer, 'opportunities', dueOpps, await opportunityContexts(twenty, dueOpps, now, shared), now, tally, true);
  }
  if (dueCompanies.length) {
    await propose(twenty, proposer, 'companies', dueCompanies, await companyContexts(twenty, dueCompanies, openByCompany, now, shared), now, tally, true);
  }
  tally.opportunities = dueOpps.length;
  tally.companies = dueCompanies.length;
  tally.aiFailures = proposer.aiFailures;
  return tally;
};

/**
 * One record after a material change (the trigger). Closed deals are left as they are. An
 * unchanged proposal writes nothing here: a material change does not make a record due at night.
 */
export const refreshOne = async (
  twenty: TwentyClient,
  kind: 'opportunity' | 'company',
  id: string,
  outcomes: Outcomes,
  proposer: Proposer,
  now = Date.now(),
): Promise<NbaRunResult & { skipped?: string }> => {
  const tally = emptyTally();
  const plural = kind === 'opportunity' ? 'opportunities' : 'companies';
  const [record] = await twenty.listAll<Rec>(plural, { filter: inList('id', [id]) }, 1);
  if (!record) return { ...tally, skipped: 'record not found' };
  if (kind === 'opportunity') {
    if (!isOpen(record, outcomes)) return { ...tally, skipped: 'closed deal' };
    await propose(twenty, proposer, plural, [record], await opportunityContexts(twenty, [record], now), now, tally, false);
    tally.opportunities = 1;
  } else {
    const all = await twenty.listAll<Rec>('opportunities', { filter: inList('companyId', [id]) }, MAX_RECORDS);
    const deals = all.filter((o) => isOpen(o, outcomes));
    const won = new Set(all.filter((o) => outcomes.won.includes(String(o.stage))).map(() => id));
    if (!deals.length && !isCustomer(record, won)) return { ...tally, skipped: 'neither a customer nor an open deal' };
    await propose(twenty, proposer, plural, [record], await companyContexts(twenty, [record], new Map([[id, deals]]), now), now, tally, false);
    tally.companies = 1;
  }
  tally.aiFailures = proposer.aiFailures;
  return tally;
};
