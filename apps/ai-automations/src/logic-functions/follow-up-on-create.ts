import { defineLogicFunction } from 'twenty-sdk/define';

import { recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { ensureTask, inDays } from '../lib/tasks';

/** Opportunity created or changed → one open "Follow up" task for it (due in FOLLOW_UP_DAYS). */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) => {
  const id = recordIdOf(event);
  if (!id) return { status: 'skipped' };
  const twenty = TwentyClient.fromEnv(env, fetchImpl);
  const opp = await twenty.get('opportunities', id);
  if (!opp || opp.stage === 'CUSTOMER') return { status: 'skipped' };
  const { created } = await ensureTask(
    twenty,
    {
      title: `Follow up: ${String(opp.name)}`,
      body: `Next step for ${String(opp.name)} (stage ${String(opp.stage ?? 'NEW')}).`,
      assigneeId: (opp.ownerId as string | null) ?? undefined,
      dueAt: inDays(Number(env.FOLLOW_UP_DAYS || 3), now),
    },
    { opportunityIds: [id], companyIds: typeof opp.companyId === 'string' ? [opp.companyId] : [] },
  );
  return { status: created ? 'created' : 'exists' };
};

export default defineLogicFunction({
  universalIdentifier: '9e3cbcdc-6ea3-5aad-9fc4-22f5db985d75',
  name: 'follow-up-on-create',
  description: 'Creates a follow-up task for new opportunities',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.created' },
});
