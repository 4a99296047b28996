import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '3fc060f5-6ba2-5a4c-a0f7-b2b2d366c16a';

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
  label: "Rollup engine functions",
  description: 'reads opportunities; updates companies; never deletes',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier),
  ],
});
