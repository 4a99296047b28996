import { defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '41a6e62e-c4fd-5c92-99ae-657379cfa438';

// The role the app's functions run as: reads and updates people, creates people from audience sign-ups
export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Mailchimp synchronizer functions",
  description: "reads and updates people, creates people from audience sign-ups",
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: true,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
});
