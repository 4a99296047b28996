import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '588b3737-8944-5555-bdf2-59b75546b91e';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Last email interaction functions",
    description: 'reads messages and participants; updates people and companies',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.company.universalIdentifier,
    ],
  }),
);
