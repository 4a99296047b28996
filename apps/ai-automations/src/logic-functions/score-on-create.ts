import { defineLogicFunction } from 'twenty-sdk/define';

import { onlyTheseChanged, recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { scoreOpportunity } from '../lib/opportunity';

/** Opportunity created/updated → aiScore (0–100), written only when it changes. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) => {
  if (onlyTheseChanged(event, ['aiScore', 'updatedAt', 'updatedBy'])) return { status: 'skipped-own-change' };
  const id = recordIdOf(event);
  if (!id) return { status: 'skipped' };
  const twenty = TwentyClient.fromEnv(env, fetchImpl);
  const opp = await twenty.get('opportunities', id);
  if (!opp) return { status: 'skipped' };
  const score = scoreOpportunity(opp, Number(env.LARGE_DEAL_AMOUNT || 50_000), now);
  if (opp.aiScore === score) return { status: 'unchanged', score };
  await twenty.update('opportunities', id, { aiScore: score });
  return { status: 'scored', score };
};

export default defineLogicFunction({
  universalIdentifier: '5ddbb96a-8028-55ac-b253-8324e3c769d2',
  name: 'score-on-create',
  description: 'Scores new opportunities (stage, contact, size, overdue close date)',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.created' },
});
