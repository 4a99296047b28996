import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '2f4aae11-391c-51d8-8de7-8a3619ea1a63';

// Secret variables get their values from Secret Manager at deploy time (apps/apps.yaml);
// the others start with the value below and may be changed by an admin in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: "AI automations",
  description: "Pipeline assignment, follow-ups, enrichment, scoring, stage tasks, daily summary and sync-health alerts.",
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    AI_BASE_URL: {
      universalIdentifier: 'db67c582-251d-5849-bf8a-4c024781fe9e',
      description: "OpenAI-compatible API base URL, e.g. https://<resource>.openai.azure.com/openai/v1",
      value: "",
    },
    AI_MODEL: {
      universalIdentifier: '62fe5ae1-b3c9-5459-9ea2-6ec20206364b',
      description: "Model or deployment name used for chat completions",
      value: "",
    },
    AI_API_KEY: {
      universalIdentifier: '1cf6e51c-df32-5676-bff8-27bfb9098358',
      description: "API key of the AI endpoint",
      isSecret: true,
    },
    ENRICHMENT_API_URL: {
      universalIdentifier: '9382aa7f-961f-538a-b50c-b1ed622bf745',
      description: "Contact enrichment endpoint (GET ?email=\u2026, Bearer key); empty = use AI",
      value: "",
    },
    ENRICHMENT_API_KEY: {
      universalIdentifier: '1bdcbdd2-3349-53ef-a18d-f29f70c278d1',
      description: "API key of the enrichment endpoint",
      isSecret: true,
    },
    PIPELINE_RULES: {
      universalIdentifier: '7129cda8-5174-5b88-8ddc-cefe2ef99194',
      description: "JSON list of owner-assignment rules for new opportunities (see README)",
      value: "[]",
    },
    FOLLOW_UP_DAYS: {
      universalIdentifier: '25e56a0e-25e4-5876-9955-e0c69dd40b2a',
      description: "Days until a generated follow-up task is due",
      value: "3",
    },
    STALE_DEAL_DAYS: {
      universalIdentifier: '08a8b639-3322-5471-844e-621287e2cd21',
      description: "Open deals without update for this many days raise an alert",
      value: "14",
    },
    LARGE_DEAL_AMOUNT: {
      universalIdentifier: '9c8b2894-d287-5fe3-9d4e-e36b6983e8e7',
      description: "Amount (major units) from which a deal scores as large",
      value: "50000",
    },
    ALERT_ASSIGNEE_EMAIL: {
      universalIdentifier: '424d45c4-addc-5914-87b7-eb3899eba793',
      description: "Workspace member email that receives alert tasks (empty = unassigned)",
      value: "",
    },
  },
});
