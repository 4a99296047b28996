import { defineLogicFunction } from 'twenty-sdk/define';

import { onlyTheseChanged, recordOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import type { FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { INBOUND_FIELDS, mailchimpConfig, pushPerson } from '../lib/mailchimp';

/** person.created (and, via push-person-updated, person.updated) → upsert the audience member (never changes an existing status). */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  if (onlyTheseChanged(event, INBOUND_FIELDS)) return { status: 'skipped-own-change' };
  const person = event?.properties?.after;
  if (!person || !recordOf(event)) return { status: 'skipped-no-record' };
  return pushPerson(mailchimpConfig(env), person, fetchImpl);
};

export default defineLogicFunction({
  universalIdentifier: 'ca4b6489-4b41-5d44-ac58-1cd3271b60ca',
  name: 'push-person-created',
  description: 'Pushes new people to the Mailchimp audience',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'person.created' },
});
