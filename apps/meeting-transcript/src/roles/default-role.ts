import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '1eb3ce4f-363c-579e-8c01-01640a52ddb1';

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
  label: "Meeting transcript functions",
  description: 'reads companies; writes notes, their links and people',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.noteTarget.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier),
  ],
});
