import { defineLogicFunction } from 'twenty-sdk/define';

import { recordIdOf, recordOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { applyMessage, thresholdsFromEnv } from '../lib/interaction';

/** message.created → last email date + interaction status on the participants and their companies. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  const id = recordIdOf(event);
  if (!id) return { writes: 0, reason: 'event has no record id' };
  const message = { ...(recordOf(event) ?? {}), id };
  return { writes: await applyMessage(TwentyClient.fromEnv(env, fetchImpl), message, thresholdsFromEnv(env)) };
};

export default defineLogicFunction({
  universalIdentifier: 'c019fab5-9341-5226-b57a-17ae4984fd1e',
  name: 'on-message-created',
  description: 'Updates last email date and interaction status when an email is stored',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'message.created' },
});
