import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '829e664c-f0e6-508d-b029-b9e3422a0f56';

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
  label: "AI automations functions",
  description: 'reads everything; writes opportunities, people, tasks, notes and task links; never deletes',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.opportunity.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.task.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.taskTarget.universalIdentifier),
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier),
  ],
});
