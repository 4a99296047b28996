import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';

import { handler } from './follow-up-on-create';

export default defineLogicFunction({
  universalIdentifier: '2f3082c4-2a6b-53b0-ab4e-8e68927ec28d',
  name: 'follow-up-on-update',
  description: 'Makes sure an open follow-up task exists when an opportunity changes hands, amount or close date',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.updated', updatedFields: ['ownerId', 'amount', 'closeDate'] },
});
