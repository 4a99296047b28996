import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '7a84d7f8-b2dd-5f53-8e17-ed4e6d09a84b';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Stripe synchronizer functions",
    description: 'reads everything; creates and updates companies and people; never deletes',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
    ],
  }),
);
