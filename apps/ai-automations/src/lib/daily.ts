// 08:00 digest: yesterday's numbers (AI-written when configured) as one note, plus at most one open
// alert task per open deal nobody touched for STALE_DEAL_DAYS, with its suggested next step
// (lib/deal-health.ts).
import { aiConfigured, chatJson } from '@twenty-gcp/apps-shared/ai';
import { ConfigError } from '@twenty-gcp/apps-shared/http';
import { eq, op, type FetchLike, type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { findStaleDeals, raiseStaleAlerts } from './deal-health';
import { memberByEmail } from './tasks';

export const dailySummary = async (twenty: TwentyClient, env: NodeJS.ProcessEnv, fetchImpl: FetchLike = fetch, now = new Date()) => {
  const day = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const staleDays = Number(env.STALE_DEAL_DAYS || 14);
  if (!Number.isInteger(staleDays) || staleDays < 1) throw new ConfigError(`STALE_DEAL_DAYS must be a whole number of days, not "${env.STALE_DEAL_DAYS}"`);
  const count = async (plural: string) => (await twenty.listAll(plural, { filter: op('createdAt', 'gte', since) }, 5000)).length;
  const stats = { people: await count('people'), companies: await count('companies'), opportunities: await count('opportunities') };
  const open = await twenty.listAll('opportunities', { filter: op('stage', 'neq', 'CUSTOMER') }, 5000);
  const stale = (await findStaleDeals(twenty, open, staleDays, now)).map((s) => s.deal);

  const title = `Daily CRM summary ${day}`;
  let noteCreated = false;
  if (!(await twenty.findOne('notes', eq('title', title)))) {
    const facts = `New people: ${stats.people}\nNew companies: ${stats.companies}\nNew opportunities: ${stats.opportunities}\n` +
      `Open deals: ${open.length}\nStale deals (>${staleDays} days): ${stale.map((o) => o.name).join(', ') || 'none'}`;
    let body = facts;
    if (aiConfigured(env)) {
      try {
        const answer = await chatJson<{ summary?: string }>(
          { baseUrl: env.AI_BASE_URL!.replace(/\/+$/, ''), apiKey: env.AI_API_KEY!, model: env.AI_MODEL! },
          'You write a short morning digest for a sales team from CRM numbers. Answer {"summary": "<markdown>"}; use only the numbers given.',
          facts,
          fetchImpl,
        );
        if (typeof answer.summary === 'string' && answer.summary.trim()) body = `${answer.summary.trim()}\n\n---\n${facts}`;
      } catch (error) {
        // An AI that fails or answers off-format leaves the digest as plain numbers; the alerts still run.
        body = `${facts}\n\n(AI digest unavailable: ${(error as Error).message})`;
      }
    }
    await twenty.create('notes', { title, bodyV2: { markdown: body } });
    noteCreated = true;
  }
  const assigneeId = await memberByEmail(twenty, env.ALERT_ASSIGNEE_EMAIL);
  const alerts = await raiseStaleAlerts(twenty, stale.map((deal) => ({ deal })), { staleDays, assigneeId, now });
  return { stats, noteCreated, staleDeals: stale.length, alertsCreated: alerts.created, alertsAlreadyOpen: alerts.alreadyOpen };
};
