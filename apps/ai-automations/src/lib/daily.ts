// 08:00 digest: yesterday's numbers (AI-written when configured) as one note, plus an alert task
// for every open deal untouched for STALE_DEAL_DAYS.
import { aiConfigured, chatJson } from '@twenty-gcp/apps-shared/ai';
import { eq, op, type FetchLike, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { ensureTask, memberByEmail } from './tasks';

export const dailySummary = async (twenty: TwentyClient, env: NodeJS.ProcessEnv, fetchImpl: FetchLike = fetch, now = new Date()) => {
  const day = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const staleDays = Number(env.STALE_DEAL_DAYS || 14);
  const staleBefore = new Date(now.getTime() - staleDays * 86_400_000).toISOString();
  const count = async (plural: string) => (await twenty.listAll(plural, { filter: op('createdAt', 'gte', since) }, 5000)).length;
  const stats = { people: await count('people'), companies: await count('companies'), opportunities: await count('opportunities') };
  const open = await twenty.listAll('opportunities', { filter: op('stage', 'neq', 'CUSTOMER') }, 5000);
  const stale = open.filter((o) => typeof o.updatedAt === 'string' && o.updatedAt < staleBefore);

  const title = `Daily CRM summary ${day}`;
  let noteCreated = false;
  if (!(await twenty.findOne('notes', eq('title', title)))) {
    const facts = `New people: ${stats.people}\nNew companies: ${stats.companies}\nNew opportunities: ${stats.opportunities}\n` +
      `Open deals: ${open.length}\nStale deals (>${staleDays} days): ${stale.map((o) => o.name).join(', ') || 'none'}`;
    let body = facts;
    if (aiConfigured(env)) {
      const answer = await chatJson<{ summary?: string }>(
        { baseUrl: env.AI_BASE_URL!.replace(/\/+$/, ''), apiKey: env.AI_API_KEY!, model: env.AI_MODEL! },
        'You write a short morning digest for a sales team from CRM numbers. Answer {"summary": "<markdown>"}; use only the numbers given.',
        facts,
        fetchImpl,
      );
      if (typeof answer.summary === 'string' && answer.summary.trim()) body = `${answer.summary.trim()}\n\n---\n${facts}`;
    }
    await twenty.create('notes', { title, bodyV2: { markdown: body } });
    noteCreated = true;
  }
  const assigneeId = await memberByEmail(twenty, env.ALERT_ASSIGNEE_EMAIL);
  let alerts = 0;
  for (const deal of stale) {
    const { created } = await ensureTask(
      twenty,
      {
        title: `Stale deal: ${String(deal.name)}`,
        body: `No update since ${String(deal.updatedAt).slice(0, 10)} (stage ${String(deal.stage)}).`,
        assigneeId: (deal.ownerId as string | null) ?? assigneeId,
      },
      { opportunityIds: [deal.id] },
    );
    if (created) alerts++;
  }
  return { stats, noteCreated, staleDeals: stale.length, alertsCreated: alerts };
};
