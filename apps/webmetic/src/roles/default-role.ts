import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

import { WEBSITE_LEAD_UNIVERSAL_IDENTIFIER } from '../objects/website-lead';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = 'aed6d82b-4a69-582c-877c-e4d639586d85';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Webmetic functions",
    description: 'writes companies and website leads',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
      WEBSITE_LEAD_UNIVERSAL_IDENTIFIER,
    ],
  }),
);
