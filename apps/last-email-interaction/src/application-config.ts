import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = 'ff823eff-a90f-57be-8885-346bab77d06c';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Last email interaction",
  description: "Keeps the last email date and an interaction status on each person and company.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    ACTIVE_DAYS: {
      universalIdentifier: '646e36a6-6b82-5d5f-98ae-318497aee233',
      description: "An email within this many days = ACTIVE",
      value: "30",
    },
    COOLING_DAYS: {
      universalIdentifier: 'c5e3e074-0e37-5d2d-8323-f57bb3330561',
      description: "An email within this many days = COOLING (older = DORMANT)",
      value: "90",
    },
  },
});
