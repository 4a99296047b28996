import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '85a57fe6-659c-5e81-b9f6-f1930459a55a';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Fireflies",
  description: "Stores Fireflies.ai meeting transcripts as notes linked to the participants.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    FIREFLIES_WEBHOOK_SECRET: {
      universalIdentifier: '1f1d375e-9608-53f5-a87c-179f67012256',
      description: "Secret configured on the Fireflies webhook (signs x-hub-signature)",
      isSecret: true,
    },
    FIREFLIES_API_KEY: {
      universalIdentifier: '8c980d46-5f81-5887-960e-613dd34ec374',
      description: "Fireflies API key used to fetch transcripts",
      isSecret: true,
    },
    FIREFLIES_API_URL: {
      universalIdentifier: 'e834096e-6f0d-575a-920f-277c774b3d5f',
      description: "Fireflies GraphQL endpoint",
      value: "https://api.fireflies.ai/graphql",
    },
  },
});
