import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '3fc060f5-6ba2-5a4c-a0f7-b2b2d366c16a';

// The role the app's functions run as: reads opportunities, updates companies
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Rollup engine functions",
  description: "reads opportunities, updates companies",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
