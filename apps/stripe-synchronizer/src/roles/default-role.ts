import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '7a84d7f8-b2dd-5f53-8e17-ed4e6d09a84b';

// The role the app's functions run as: reads and updates companies and people; never deletes
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Stripe synchronizer functions",
  description: "reads and updates companies and people; never deletes",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
