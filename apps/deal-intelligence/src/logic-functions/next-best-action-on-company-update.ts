import { defineLogicFunction } from 'twenty-sdk/define';

import type { DatabaseEvent } from '@twenty-gcp/apps-shared/events';

import { MATERIAL_FIELDS } from '../lib/nba';
import { onMaterialChange } from '../lib/nba-trigger';

/** Twenty calls this only when one of MATERIAL_FIELDS changed: our own writes never re-trigger it. */
export default defineLogicFunction({
  universalIdentifier: '8f2312d9-1e14-4d69-8ab5-3bcd9bab79f7',
  name: 'next-best-action-on-company-update',
  description: 'Refreshes the next best action when a company changes materially',
  timeoutSeconds: 120,
  handler: (event: DatabaseEvent) => onMaterialChange(event),
  databaseEventTriggerSettings: { eventName: 'company.updated', updatedFields: MATERIAL_FIELDS.company },
});
