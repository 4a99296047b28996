import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';

import { handler } from './score-on-create';

export default defineLogicFunction({
  universalIdentifier: '46267c1c-8746-593f-b4b3-95f0d4782773',
  name: 'score-on-update',
  description: 'Re-scores opportunities when stage, amount, contact or close date change',
  timeoutSeconds: 30,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.updated', updatedFields: ['stage', 'amount', 'pointOfContactId', 'closeDate'] },
});
