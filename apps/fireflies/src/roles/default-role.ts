import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = 'a70ae6e4-e6bd-5c86-b2eb-a89334c030de';

// The role the app's functions run as: reads people and companies, creates notes and note targets; never deletes
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Fireflies functions",
  description: "reads people and companies, creates notes and note targets; never deletes",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
