import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '0a34e9f0-44c4-58cb-95b8-9b4cf15abee7';

// The role the app's functions run as: reads notes, people and workspace members; creates notes, tasks and their targets
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "AI meeting transcript functions",
  description: "reads notes, people and workspace members; creates notes, tasks and their targets",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
