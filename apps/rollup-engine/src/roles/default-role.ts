import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '3fc060f5-6ba2-5a4c-a0f7-b2b2d366c16a';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Rollup engine functions",
    description: 'reads opportunities; updates companies; never deletes',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
    ],
  }),
);
