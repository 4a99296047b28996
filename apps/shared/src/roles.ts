// The role every app's logic functions run with: least privilege. They read every object, write
// (create and update) only the objects the app maintains, and never delete anything.

export interface AppRole {
  universalIdentifier: string;
  label: string;
  description: string;
  /** universal identifiers of the objects the app's functions create and update */
  writes: string[];
}

const writeAccess = (objectUniversalIdentifier: string) => ({
  objectUniversalIdentifier,
  canReadObjectRecords: true,
  canUpdateObjectRecords: true,
  canSoftDeleteObjectRecords: false,
  canDestroyObjectRecords: false,
});

export const leastPrivilegeRole = ({ universalIdentifier, label, description, writes }: AppRole) => ({
  universalIdentifier,
  label,
  description,
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: writes.map(writeAccess),
});
