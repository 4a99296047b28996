import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '78b5b631-87a7-530b-a205-6993a024a430';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "Activity summary",
  description: "Summarises each account's recent activity into a note, daily.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    AI_BASE_URL: {
      universalIdentifier: '354f7c96-82af-5172-92e7-245420bf4d64',
      description: "OpenAI-compatible API base URL, e.g. https://<resource>.openai.azure.com/openai/v1",
      value: "",
    },
    AI_MODEL: {
      universalIdentifier: 'c7388a0b-af9a-526c-bb41-dba28a734c26',
      description: "Model or deployment name used for chat completions",
      value: "",
    },
    AI_API_KEY: {
      universalIdentifier: 'ae9eff55-b77b-5ae7-a0f6-e26d31a3e3b0',
      description: "API key of the AI endpoint",
      isSecret: true,
    },
    ACTIVITY_DAYS: {
      universalIdentifier: '5e272dc1-37f7-50e9-8054-3182393ebcc9',
      description: "How many days of activity each summary covers",
      value: "1",
    },
  },
});
