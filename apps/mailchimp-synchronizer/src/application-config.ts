import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = 'e7de7164-5a1d-502d-8b5e-962c90cee270';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Mailchimp synchronizer",
  description: "Syncs a Mailchimp audience with people: subscribe, unsubscribe and profile events both ways.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    MAILCHIMP_WEBHOOK_SECRET: {
      universalIdentifier: '501c8b06-e24d-583b-88b0-f1ff2d5ed3e3',
      description: "Secret in the Mailchimp webhook URL (?secret=\u2026); Mailchimp signs nothing",
      isSecret: true,
    },
    MAILCHIMP_API_KEY: {
      universalIdentifier: '91fca7b4-f43f-5546-a352-fe1430289b31',
      description: "Mailchimp API key (ends with -<dc>, e.g. -us21)",
      isSecret: true,
    },
    MAILCHIMP_AUDIENCE_ID: {
      universalIdentifier: 'c0d9d9bc-49cc-50fa-8c63-95091482beac',
      description: "Audience (list) id to sync",
      value: "",
    },
    MAILCHIMP_NEW_MEMBER_STATUS: {
      universalIdentifier: '8305c6a5-fe1c-57da-9712-b8f776a9af0a',
      description: "Status for people pushed to Mailchimp for the first time (pending = double opt-in)",
      value: "pending",
    },
    MAILCHIMP_API_URL: {
      universalIdentifier: '29c3d9ca-14b9-5b35-8b4a-75f5ec3aac43',
      description: "Override of the API base URL (default https://<dc>.api.mailchimp.com/3.0)",
      value: "",
    },
  },
});
