import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = 'a6db93b8-0fa0-5ade-95df-506383dbb7c9';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Webmetic",
  description: "Website visitors from Webmetic as websiteLead records linked to (matched or created) companies.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    WEBMETIC_WEBHOOK_SECRET: {
      universalIdentifier: '8f5cb5ee-90aa-5591-8259-cc4f8d7173eb',
      description: "Shared secret Webmetic (or your relay) sends in x-webmetic-secret",
      isSecret: true,
    },
    WEBMETIC_API_KEY: {
      universalIdentifier: '67df3013-a01e-53d5-8736-9a1f6a871490',
      description: "Webmetic API key for the hourly pull",
      isSecret: true,
    },
    WEBMETIC_DOMAIN: {
      universalIdentifier: '26fdbb58-5352-56cf-b65d-33c731e7a92c',
      description: "Your website domain as registered in Webmetic",
      value: "",
    },
    WEBMETIC_API_URL: {
      universalIdentifier: '1ede65be-97ed-5186-a53b-8b130bedfb28',
      description: "Webmetic API base URL used by the hourly pull",
      value: "https://api.webmetic.de/v1",
    },
  },
});
