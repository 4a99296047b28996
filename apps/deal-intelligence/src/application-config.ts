import { defineApplication } from 'twenty-sdk/define';

import { DEFAULT_ROLE_UNIVERSAL_IDENTIFIER } from './roles/default-role';

export const APPLICATION_UNIVERSAL_IDENTIFIER = '020eaca2-1643-470f-9d04-500aa5d5fdb9';

// AI_API_KEY comes from Secret Manager at deploy time (apps/apps.yaml); AI_BASE_URL / AI_MODEL follow
// the stack's AI settings. An admin may change the others in Settings → Apps.
export default defineApplication({
  universalIdentifier: APPLICATION_UNIVERSAL_IDENTIFIER,
  displayName: 'Deal intelligence',
  description: 'Win probability (trained on your closed deals), churn risk, next best actions and a revenue forecast.',
  defaultRoleUniversalIdentifier: DEFAULT_ROLE_UNIVERSAL_IDENTIFIER,
  applicationVariables: {
    WON_STAGES: {
      universalIdentifier: '447f16ef-470a-4550-96a9-c5140487164a',
      description: 'Comma-separated opportunity stages that mean won',
      value: 'CUSTOMER',
    },
    LOST_STAGES: {
      universalIdentifier: 'dd5334f9-00d2-4e2f-a0cb-484ec62233a2',
      description: 'Comma-separated opportunity stages that mean lost (add one to your pipeline to train the model)',
      value: 'LOST,CLOSED_LOST',
    },
    FORECAST_MONTHS: {
      universalIdentifier: '6d9719da-7479-44fb-b20d-8ca4b2ba6f58',
      description: 'Months forecast, starting with the current one (1-24)',
      value: '6',
    },
    FORECAST_CURRENCY: {
      universalIdentifier: '3558541a-1c81-448f-9c7b-c25b735ccb93',
      description: 'Currency of the forecast; deals in other currencies are left out',
      value: 'USD',
    },
    CALLS_PER_MINUTE: {
      universalIdentifier: 'db827a97-a199-4d49-8e03-60d8e800b1fc',
      description: 'Most Twenty API calls a job makes per minute (Twenty allows 100 per workspace)',
      value: '60',
    },
    AI_BASE_URL: {
      universalIdentifier: '4f4f231a-5379-4b76-83c0-905534ccf9c7',
      description: 'OpenAI-compatible API base URL for next best actions (empty = rule-based actions only)',
      value: '',
    },
    AI_MODEL: {
      universalIdentifier: '4435e8fa-ba51-4952-8f6d-c22e7ccbfc9b',
      description: 'Model or deployment name used for next best actions',
      value: '',
    },
    AI_API_KEY: {
      universalIdentifier: 'a38fac75-b60b-48e1-ad46-1a5d72a0fe34',
      description: 'API key of the AI endpoint',
      isSecret: true,
    },
    AI_CALLS_PER_MINUTE: {
      universalIdentifier: '29145710-958d-4e3e-8728-a74039071ba6',
      description: 'Most AI calls the next-best-action job makes per minute (1-600)',
      value: '30',
    },
    NBA_REFRESH_DAYS: {
      universalIdentifier: 'cc2b9f2b-630e-4ecf-bc1e-c3c6a4f6425b',
      description: 'The nightly job reconsiders a next best action older than this many days (1-90)',
      value: '7',
    },
    NBA_MAX_PER_RUN: {
      universalIdentifier: 'db0785e5-0c21-440b-8a3d-df9a2d303cf7',
      description: 'Most records the nightly next-best-action job reconsiders per run, oldest first (1-2000)',
      value: '200',
    },
  },
});
