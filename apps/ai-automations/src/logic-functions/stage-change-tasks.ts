import { defineLogicFunction } from 'twenty-sdk/define';

import { recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { STAGE_TASKS } from '../lib/opportunity';
import { ensureTask, inDays } from '../lib/tasks';

/** opportunity.updated (stage) → the new stage's task, once per deal and stage. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch, now = new Date()) => {
  const after = event?.properties?.after ?? {};
  const before = event?.properties?.before ?? {};
  const id = recordIdOf(event);
  const stage = String(after.stage ?? '');
  if (!id || !stage || stage === before.stage || !STAGE_TASKS[stage]) return { status: 'skipped' };
  const twenty = TwentyClient.fromEnv(env, fetchImpl);
  const { created } = await ensureTask(
    twenty,
    {
      title: `${stage}: ${String(after.name ?? id)}`,
      body: STAGE_TASKS[stage],
      assigneeId: (after.ownerId as string | null) ?? undefined,
      dueAt: inDays(Number(env.FOLLOW_UP_DAYS || 3), now),
    },
    { opportunityIds: [id] },
  );
  return { status: created ? 'created' : 'exists', stage };
};

export default defineLogicFunction({
  universalIdentifier: '9d0c5473-c328-50cf-994c-3a375942e7d5',
  name: 'stage-change-tasks',
  description: 'Creates the task that goes with the new stage when an opportunity moves',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.updated', updatedFields: ['stage'] },
});
