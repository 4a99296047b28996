import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { WEBSITE_LEAD_UNIVERSAL_IDENTIFIER } from '../objects/website-lead';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = 'aed6d82b-4a69-582c-877c-e4d639586d85';

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
  label: "Webmetic functions",
  description: 'writes companies and website leads',
  canReadAllObjectRecords: true,
  canUpdateAllObjectRecords: false,
  canSoftDeleteAllObjectRecords: false,
  canDestroyAllObjectRecords: false,
  objectPermissions: [
    write(STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier),
    write(WEBSITE_LEAD_UNIVERSAL_IDENTIFIER),
  ],
});
