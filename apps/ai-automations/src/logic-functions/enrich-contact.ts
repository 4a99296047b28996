import { defineLogicFunction } from 'twenty-sdk/define';

import { recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { enrichPerson } from '../lib/enrich';

/** person.created → fill empty job title / city / LinkedIn from the enrichment API, else the AI. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  const id = recordIdOf(event);
  if (!id) return { status: 'skipped' };
  return enrichPerson(TwentyClient.fromEnv(env, fetchImpl), env, id, fetchImpl);
};

export default defineLogicFunction({
  universalIdentifier: '8083b62f-ea71-589e-8fbd-f11e22c73650',
  name: 'enrich-contact',
  description: 'Enriches new people (enrichment API if configured, AI otherwise)',
  timeoutSeconds: 60,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'person.created' },
});
