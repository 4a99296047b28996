import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';

import { handler } from './push-person-created';

/** person.updated (name or emails) → upsert the audience member. */
export default defineLogicFunction({
  universalIdentifier: 'e0617c8e-514c-57e0-9c88-cb1d35bb2613',
  name: 'push-person-updated',
  description: 'Pushes people whose name or email changed to the Mailchimp audience',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'person.updated', updatedFields: ['name', 'emails'] },
});
