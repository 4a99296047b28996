import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '0a34e9f0-44c4-58cb-95b8-9b4cf15abee7';

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
  label: "AI meeting transcript functions",
  description: 'reads notes and members; writes notes, tasks and their links',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.noteTarget.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.task.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.taskTarget.universalIdentifier),
  ],
});
