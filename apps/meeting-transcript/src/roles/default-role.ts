import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = '1eb3ce4f-363c-579e-8c01-01640a52ddb1';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Meeting transcript functions",
    description: 'reads companies; writes notes, their links and people',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.noteTarget.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.person.universalIdentifier,
    ],
  }),
);
