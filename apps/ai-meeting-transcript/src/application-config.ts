import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '8f804334-0ff1-5f2f-b0d5-a09662fec1c9';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "AI meeting transcript",
  description: "Adds an AI summary, decisions and action items (as assigned tasks) to stored transcripts.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    AI_BASE_URL: {
      universalIdentifier: '47b6055c-7fcc-5ad7-8f49-78d6473f3ba5',
      description: "OpenAI-compatible API base URL, e.g. https://<resource>.openai.azure.com/openai/v1",
      value: "",
    },
    AI_MODEL: {
      universalIdentifier: '45fffa04-ccb5-50cf-8485-b07e5da2a649',
      description: "Model or deployment name used for chat completions",
      value: "",
    },
    AI_API_KEY: {
      universalIdentifier: '426ad46f-5abe-5067-a69e-a3091616363c',
      description: "API key of the AI endpoint",
      isSecret: true,
    },
  },
});
