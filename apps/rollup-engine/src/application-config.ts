import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = 'd0b39fa3-a777-59b6-8dd3-562a0cb552df';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Rollup engine",
  description: "Rolls opportunity amounts, counts and last close date up onto the company.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    ROLLUP_RULES: {
      universalIdentifier: 'b2a3c00d-3ea0-5842-9858-7e640bb5b531',
      description: "JSON list of rollup rules; empty = the default rules (see README)",
      value: "",
    },
    ROLLUP_CURRENCY: {
      universalIdentifier: '0ed84421-940c-54f6-89f1-4aafedc6d13b',
      description: "Currency code amounts are summed in (opportunities in other currencies are skipped)",
      value: "USD",
    },
  },
});
