import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '829e664c-f0e6-508d-b029-b9e3422a0f56';

// The role the app's functions run as: reads everything it reasons about; creates tasks and notes, updates opportunities and people; never deletes
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "AI automations functions",
  description: "reads everything it reasons about; creates tasks and notes, updates opportunities and people; never deletes",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
