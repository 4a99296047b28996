import { STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS, defineRole } from 'twenty-sdk/define';

import { leastPrivilegeRole } from '@twenty-gcp/apps-shared/roles';

export const DEFAULT_ROLE_UNIVERSAL_IDENTIFIER = 'a70ae6e4-e6bd-5c86-b2eb-a89334c030de';

export default defineRole(
  leastPrivilegeRole({
    universalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
    label: "Fireflies functions",
    description: 'reads people and companies; writes notes and their links; never deletes',
    writes: [
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.note.universalIdentifier,
      STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS.noteTarget.universalIdentifier,
    ],
  }),
);
