import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '1eb3ce4f-363c-579e-8c01-01640a52ddb1';

// The role the app's functions run as: reads and creates people, notes and note targets; never deletes
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Meeting transcript functions",
  description: "reads and creates people, notes and note targets; never deletes",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
