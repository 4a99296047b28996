import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '588b3737-8944-5555-bdf2-59b75546b91e';

// Least privilege: read everything, write only the objects this app maintains, never delete.
const write = (objectUniversalIdentifier: string) => ({
  objectUniversalIdentifier,
  canReadObjectRecords: true,
  canUpdateObjectRecords: true,
  canSoftDeleteObjectRecords: false,
  canDestroyObjectRecords: false,
});

export default defineRole({
  universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  label: "Last email interaction functions",
  description: 'reads messages and participants; updates people and companies',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier),
  ],
});
