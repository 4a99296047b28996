// Deal health: the daily check's stale deals and their alert tasks.
//
// A deal is stale when it is open, older than STALE_DEAL_DAYS, and nobody touched it since: no
// email, meeting, note or task linked to it, and no change of its own fields, in that window. The
// touches come from its timeline (2.21 writes `opportunity.updated` with `properties.diff` for every
// update, and `message.linked` / `calendarEvent.linked` / `linked-note.created` /
// `linked-task.created` for linked activity — timeline-activity.service.ts); `updatedAt` alone is
// not enough, since the apps' own writes (win probability, AI score, next best action…) move it.
// Changes of those machine-written fields, and the alert tasks this check creates, are not touches.
//
// At most one OPEN alert per deal: the tasks linked to the stale deals are read once (taskTargets by
// opportunity, then the tasks), and a deal whose linked open task is titled `Stale deal: …` gets no
// other — whatever the deal is called now. Its body carries the suggested next step: the deal's
// `nextBestAction` (deal-intelligence app) when it has one, else the rule of shared/next-action.ts.
import { ruleAction } from '@twenty-gcp/apps-shared/next-action';
import { and, inList, linkTask, op, type TwentyClient, type TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

const DAY = 86_400_000;
export const ALERT_PREFIX = 'Stale deal: ';
const BATCH = 100;
const ACTIVITY_EVENTS = ['message.linked', 'calendarEvent.linked', 'linked-note.created', 'linked-task.created'];

/** Fields machines write (the apps and Twenty itself): changing them is not a touch. */
export const MACHINE_FIELDS = new Set([
  'updatedAt',
  'updatedBy',
  'position',
  'searchVector',
  'aiScore',
  'winProbability',
  'winProbabilityReasons',
  'winProbabilityAt',
  'nextBestAction',
  'nextBestActionAt',
]);

const time = (v: unknown): number | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);
const chunks = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

/** Is this timeline event a person's touch of the deal? */
export const isTouch = (event: TwentyRecord): boolean => {
  const name = String(event.name);
  if (name === 'opportunity.updated') {
    const diff = ((event.properties ?? {}) as { diff?: Record<string, unknown> }).diff ?? {};
    return Object.keys(diff).some((field) => !MACHINE_FIELDS.has(field));
  }
  if (name === 'linked-task.created') return !String(event.linkedRecordCachedName ?? '').startsWith(ALERT_PREFIX);
  return ACTIVITY_EVENTS.includes(name);
};

export type StaleDeal = { deal: TwentyRecord };

export const findStaleDeals = async (twenty: TwentyClient, open: TwentyRecord[], staleDays: number, now: Date): Promise<StaleDeal[]> => {
  const staleBefore = now.getTime() - staleDays * DAY;
  const candidates = open.filter((d) => (time(d.createdAt) ?? now.getTime()) < staleBefore);
  const touched = new Set<string>();
  for (const part of chunks(candidates.map((d) => d.id))) {
    const events = await twenty.listAll(
      'timelineActivities',
      {
        filter: and(
          inList('targetOpportunityId', part),
          inList('name', ['opportunity.updated', ...ACTIVITY_EVENTS]),
          op('happensAt', 'gte', new Date(staleBefore).toISOString()),
        ),
      },
      20_000,
    );
    for (const e of events) if (isTouch(e)) touched.add(String(e.targetOpportunityId));
  }
  return candidates
    .filter((d) => !touched.has(d.id))
    .map((deal) => ({ deal }));
};

/** Per deal: its open tasks (for the context) and whether one of them is our open alert. */
export const openTasksByDeal = async (twenty: TwentyClient, dealIds: string[]) => {
  const targets: TwentyRecord[] = [];
  for (const part of chunks(dealIds)) targets.push(...(await twenty.listAll('taskTargets', { filter: inList('targetOpportunityId', part) }, 20_000)));
  const tasks = new Map<string, TwentyRecord>();
  for (const part of chunks([...new Set(targets.map((t) => String(t.taskId)))])) {
    for (const t of await twenty.listAll('tasks', { filter: inList('id', part) }, 20_000)) if (t.status !== 'DONE') tasks.set(t.id, t);
  }
  const out = new Map<string, TwentyRecord[]>();
  for (const target of targets) {
    const task = tasks.get(String(target.taskId));
    if (task) out.set(String(target.targetOpportunityId), [...(out.get(String(target.targetOpportunityId)) ?? []), task]);
  }
  return out;
};

const contactNames = async (twenty: TwentyClient, ids: string[]) => {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids.filter(Boolean))])) {
    for (const p of await twenty.listAll('people', { filter: inList('id', part) }, 20_000)) {
      const name = p.name as { firstName?: string; lastName?: string } | undefined;
      const full = [name?.firstName, name?.lastName].filter(Boolean).join(' ');
      out.set(p.id, full || String((p.emails as { primaryEmail?: string } | undefined)?.primaryEmail ?? 'the point of contact'));
    }
  }
  return out;
};

/** The suggested step for a stale deal: its stored next best action, else the rule. */
export const suggestedAction = (deal: TwentyRecord, ctx: { contact: string | null; openTasks: TwentyRecord[]; staleDays: number }, now: Date): string => {
  if (typeof deal.nextBestAction === 'string' && deal.nextBestAction.trim()) return deal.nextBestAction.trim();
  const amount = deal.amount as { amountMicros?: number | null; currencyCode?: string | null } | null | undefined;
  return ruleAction(
    {
      kind: 'opportunity',
      name: String(deal.name || 'Untitled deal'),
      stage: String(deal.stage ?? 'NEW'),
      amount: typeof amount?.amountMicros === 'number' ? amount.amountMicros / 1_000_000 : null,
      currency: amount?.currencyCode ?? null,
      closeDate: time(deal.closeDate),
      lastActivityDays: ctx.staleDays, // at least that long: it is stale
      openTasks: ctx.openTasks.map((t) => ({ title: String(t.title || 'Untitled task'), dueAt: time(t.dueAt) })),
      winProbability: typeof deal.winProbability === 'number' ? deal.winProbability : null,
      contact: ctx.contact,
      owner: null,
    },
    now.getTime(),
  );
};

/** One open alert task per stale deal, never a second while one is open. */
export const raiseStaleAlerts = async (
  twenty: TwentyClient,
  stale: StaleDeal[],
  options: { staleDays: number; assigneeId?: string; now: Date },
): Promise<{ created: number; alreadyOpen: number }> => {
  const ids = stale.map((s) => s.deal.id);
  const openTasks = await openTasksByDeal(twenty, ids);
  const contacts = await contactNames(twenty, stale.map((s) => s.deal.pointOfContactId as string));
  let created = 0;
  let alreadyOpen = 0;
  for (const { deal } of stale) {
    const tasks = openTasks.get(deal.id) ?? [];
    if (tasks.some((t) => String(t.title ?? '').startsWith(ALERT_PREFIX))) {
      alreadyOpen++;
      continue;
    }
    const action = suggestedAction(deal, { contact: contacts.get(deal.pointOfContactId as string) ?? null, openTasks: tasks, staleDays: options.staleDays }, options.now);
    const body =
      `No activity on this deal for ${options.staleDays}+ days (stage ${String(deal.stage)}).\n\n` +
      `**Suggested next step:** ${action}`;
    const assigneeId = (deal.ownerId as string | null) ?? options.assigneeId;
    const task = await twenty.create('tasks', {
      title: `${ALERT_PREFIX}${String(deal.name)}`,
      status: 'TODO',
      bodyV2: { markdown: body },
      ...(assigneeId ? { assigneeId } : {}),
    });
    await linkTask(twenty, task.id, { opportunityIds: [deal.id] });
    created++;
  }
  return { created, alreadyOpen };
};
