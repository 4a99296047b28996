import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';

import { MATERIAL_FIELDS } from '../lib/nba';
import { onMaterialChange } from '../lib/nba-trigger';

/** Twenty calls this only when one of MATERIAL_FIELDS changed: our own writes never re-trigger it. */
export default defineLogicFunction({
  universalIdentifier: '1b43b210-f2e0-4947-a8fd-1f4ac4a0ec21',
  name: 'next-best-action-on-opportunity-update',
  description: 'Refreshes the next best action when a opportunity changes materially',
  timeoutSeconds: 120,
  handler: (event: DatabaseEvent) => onMaterialChange(event),
  databaseEventTriggerSettings: { eventName: 'opportunity.updated', updatedFields: MATERIAL_FIELDS.opportunity },
});
