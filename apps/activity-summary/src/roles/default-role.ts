import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '8144f1fe-f40e-5c0c-9b9a-18571633b18d';

// The role the app's functions run as: reads companies and their activity, creates notes and note targets
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Activity summary functions",
  description: "reads companies and their activity, creates notes and note targets",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
